//! The marketers' console against a real `tiefen-serve` (trained on the bundled sample) on a
//! random port: in a real browser (headless Debian chromium through chromedriver) and, for
//! what a browser hides (status codes, cookie attributes, transferred sizes), over HTTP.

mod browser;
mod http;

use std::path::PathBuf;

use browser::Browser;

use crate::serve::helpers::{ADMIN, MARKETER, STOREFRONT, spawn};

/// Where the tests save their screenshots (copied into `docs/console/` for the README).
fn shots() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("console-screenshots")
}

/// `1234` as the console writes counts (`1,234`).
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Data rows of a CSV body.
fn csv_rows(body: &str) -> usize {
    body.lines().count().saturating_sub(1)
}

fn sign_in(b: &Browser, base: &str, key: &str) {
    b.goto(&format!("{base}/console/sign-in"));
    b.type_into("#key", key);
    b.click("#sign-in");
}

/// Controls without a label (by `<label for>`, wrapping label or `aria-label`) on this page.
fn unlabelled(b: &Browser) -> serde_json::Value {
    b.js(
        "return [...document.querySelectorAll('input:not([type=hidden]),select,textarea')]\
          .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))\
          .map(e => e.name || e.id);",
    )
}

/// What Tab reaches from the top of the page, in order (tag, id, text, href).
fn tab_order(b: &Browser, presses: usize) -> Vec<String> {
    b.js("document.activeElement && document.activeElement.blur(); window.scrollTo(0,0);");
    let mut seen = Vec::new();
    for _ in 0..presses {
        b.tab(1);
        let v = b.js("const e = document.activeElement; return e ? \
             (e.tagName + '#' + (e.id||'') + ' ' + (e.getAttribute('href')||e.name||'')) : '';");
        seen.push(v.as_str().unwrap_or("").to_string());
    }
    seen
}

#[test]
fn a_marketer_signs_in_filters_the_churn_list_downloads_it_builds_an_audience_and_creates_a_campaign()
 {
    let (server, api, _dir, _) = spawn();
    let base = server.base.clone();
    let b = Browser::start("zh-TW,zh;q=0.9");
    let dir = shots().join("zh-TW");

    // Not signed in: every page sends the browser to the sign-in form, in zh-TW.
    b.goto(&format!("{base}/"));
    b.wait_until("the sign-in form", |b| {
        b.url().ends_with("/console/sign-in")
    });
    assert!(b.text("h1").contains("登入"), "{}", b.text("h1"));
    assert_eq!(unlabelled(&b), serde_json::json!([]));
    b.screenshot(&dir.join("sign-in.png"));

    sign_in(&b, &base, MARKETER);
    b.wait_until("the overview", |b| b.url().ends_with("/console/"));

    // Overview: the member count, the scored count (the churn list's length) and the model
    // version are the API's.
    let all = api.get_csv("/v1/churn-risk", MARKETER);
    assert_eq!(all.status, 200);
    let ready = api.get("/readyz", None).json();
    assert_eq!(
        b.text("#member-count"),
        grouped(ready["members"].as_u64().unwrap() as usize)
    );
    assert_eq!(b.text("#scored-count"), grouped(csv_rows(&all.body)));
    let segments = api.get("/v1/segments", Some(MARKETER)).json();
    assert_eq!(
        b.text("#model-version"),
        segments["model_version"].as_str().unwrap()
    );
    let layer_rows = b.find_all("#layers tr[data-group]");
    assert_eq!(
        layer_rows.len(),
        segments["summary"]["groups"].as_array().unwrap().len()
    );
    assert!(
        !b.find_all("#churn-backtest tr").is_empty(),
        "backtest table"
    );
    assert!(
        !b.find_all("svg.chart rect.bar").is_empty(),
        "histogram bars"
    );
    b.screenshot(&dir.join("overview.png"));

    // Keyboard: Tab reaches the skip link first, then the navigation, the language switch
    // and the sign-out button.
    let order = tab_order(&b, 8);
    assert!(order[0].contains("#main"), "skip link first: {order:?}");
    for href in ["/console/churn", "/console/segments", "/console/campaigns"] {
        assert!(
            order.iter().any(|o| o.ends_with(href)),
            "{href} by Tab: {order:?}"
        );
    }
    assert!(order.iter().any(|o| o.contains("#sign-out")), "{order:?}");

    // The churn list, filtered to the high band by a change of the select (htmx swaps the
    // list in): the count and the CSV download equal the API's list with the same filter.
    b.goto(&format!("{base}/console/churn"));
    assert_eq!(
        b.text("#matching"),
        format!("符合條件：{} 位會員", grouped(csv_rows(&all.body)))
    );
    assert_eq!(unlabelled(&b), serde_json::json!([]));
    let high = api.get_csv("/v1/churn-risk?band=high", MARKETER);
    assert!(csv_rows(&high.body) > 0);
    b.select("#f-band", "high");
    let want = format!("符合條件：{} 位會員", grouped(csv_rows(&high.body)));
    b.wait_until("the filtered list", |b| b.text("#matching") == want);
    assert!(
        b.url().contains("band=high"),
        "the filter is in the address: {}",
        b.url()
    );
    // Every listed member is in the high band.
    let shown = b.find_all("#churn-table tr[data-member]").len();
    assert_eq!(shown, csv_rows(&high.body).min(50));
    assert_eq!(b.find_all("#churn-table td.band-high").len(), shown);
    b.screenshot(&dir.join("churn.png"));
    b.click("#download-csv");
    let downloaded = b.downloaded("churn-risk.csv");
    assert_eq!(String::from_utf8(downloaded).unwrap(), high.body);

    // A member page: the churn probability is the API's.
    let first = high
        .body
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    b.click(&format!("#churn-table tr[data-member=\"{first}\"] a"));
    b.wait_until("the member page", |b| b.url().contains("/console/members/"));
    assert_eq!(b.text("#member-id"), first);
    let churn = api
        .get(&format!("/v1/members/{first}/churn"), Some(MARKETER))
        .json();
    let p = churn["churn_probability"].as_f64().unwrap();
    assert_eq!(b.text("#churn-probability"), format!("{p:.3}"));
    assert!(!b.find_all("#churn-reasons li").is_empty());
    assert!(!b.find_all("#lines tr").is_empty());
    assert!(!b.find_all("#next-items tr").is_empty());
    b.screenshot(&dir.join("member.png"));

    // The audience builder: ticking the high churn band updates the live count to the
    // number of high-band members.
    b.goto(&format!("{base}/console/segments"));
    assert_eq!(unlabelled(&b), serde_json::json!([]));
    b.click("input[name=churn_bands][value=high]");
    let want = format!("符合受眾：{} 位會員", grouped(csv_rows(&high.body)));
    b.wait_until("the live count", |b| b.text("#audience-count") == want);
    b.type_into("#c-name", "高風險喚回");
    b.select("#c-offer", "win_back");
    b.select("#c-channel", "line");
    b.screenshot(&dir.join("segments.png"));
    b.click("#create-campaign");
    b.wait_until("the campaign page", |b| {
        b.url().contains("/console/campaigns/c")
    });
    let id = b.text("#campaign-id");
    let created = api
        .get(&format!("/v1/campaigns/{id}"), Some(MARKETER))
        .json();
    assert_eq!(created["name"], "高風險喚回");
    assert_eq!(created["channel"], "line");
    assert_eq!(
        created["counts"]["matched"].as_u64().unwrap() as usize,
        csv_rows(&high.body)
    );
    assert_eq!(b.text("#count-matched"), grouped(csv_rows(&high.body)));
    assert_eq!(
        b.text("#count-treated"),
        grouped(created["counts"]["treated"].as_u64().unwrap() as usize)
    );
    assert!(!b.find_all("#arms tr").is_empty(), "the holdout report");
    b.screenshot(&dir.join("campaign.png"));
    b.click("#download-treated");
    let treated = b.downloaded(&format!("{id}-treated.csv"));
    let (status, _, api_treated) = api.get_bytes(&format!("/v1/campaigns/{id}/members"), MARKETER);
    assert_eq!(status, 200);
    assert_eq!(treated, api_treated);

    // The campaign list shows it.
    b.goto(&format!("{base}/console/campaigns"));
    assert_eq!(b.find_all("#campaigns tr[data-campaign]").len(), 1);
    b.screenshot(&dir.join("campaigns.png"));

    // A form sent without its CSRF token is refused and creates nothing.
    b.goto(&format!("{base}/console/segments"));
    b.type_into("#c-name", "no token");
    b.js(
        "document.querySelector('#builder input[name=csrf]').remove(); \
          document.body.removeAttribute('hx-headers'); \
          document.getElementById('builder').submit();",
    );
    b.wait_until("the refusal", |b| {
        b.js("return document.body.innerText")
            .as_str()
            .unwrap_or("")
            .contains("CSRF")
    });
    let list = api.get("/v1/campaigns", Some(MARKETER)).json();
    assert_eq!(list["campaigns"].as_array().unwrap().len(), 1);

    // Sign out: the session is gone, pages go back to the sign-in form.
    b.goto(&format!("{base}/console/"));
    b.click("#sign-out");
    b.wait_until("the sign-in form", |b| {
        b.url().ends_with("/console/sign-in")
    });
    b.goto(&format!("{base}/console/churn"));
    b.wait_until("the sign-in form again", |b| {
        b.url().ends_with("/console/sign-in")
    });
    drop(server);
}

#[test]
fn a_storefront_key_cannot_sign_in_and_the_console_speaks_english_by_accept_language() {
    let (server, api, _dir, _) = spawn();
    let base = server.base.clone();
    let b = Browser::start("en-US,en;q=0.9");
    let dir = shots().join("en");

    // A storefront key and an unknown key are refused with the reason, in English.
    sign_in(&b, &base, STOREFRONT);
    assert!(
        b.text("#sign-in-error")
            .contains("storefront key cannot sign in"),
        "{}",
        b.text("#sign-in-error")
    );
    sign_in(&b, &base, "not-a-key-0123456789");
    assert_eq!(b.text("#sign-in-error"), "That key is not known.");
    b.goto(&format!("{base}/console/"));
    b.wait_until("still signed out", |b| {
        b.url().ends_with("/console/sign-in")
    });
    b.screenshot(&dir.join("sign-in.png"));

    // An admin key signs in; every page is in English and every control is labelled.
    sign_in(&b, &base, ADMIN);
    b.wait_until("the overview", |b| b.url().ends_with("/console/"));
    assert_eq!(b.text("h1"), "Overview");
    b.screenshot(&dir.join("overview.png"));
    b.goto(&format!("{base}/console/churn?order=value_at_risk"));
    assert_eq!(b.text("h1"), "Churn-risk list");
    assert_eq!(unlabelled(&b), serde_json::json!([]));
    // The list in value-at-risk order is the API's order.
    let api_list = api
        .get("/v1/churn-risk?order=value_at_risk&limit=5", Some(ADMIN))
        .json();
    let first = api_list["members"][0]["member_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(b.attr("#churn-table tr[data-member]", "data-member"), first);
    b.screenshot(&dir.join("churn.png"));
    b.goto(&format!("{base}/console/members/{first}"));
    assert!(b.text("h1").starts_with("Member"));
    b.screenshot(&dir.join("member.png"));
    b.goto(&format!("{base}/console/segments"));
    assert_eq!(b.text("h1"), "Segments and audiences");
    assert_eq!(unlabelled(&b), serde_json::json!([]));
    // An audience nobody matches cannot become a campaign: the form says why.
    b.type_into("#min-p", "0.99");
    b.type_into("#max-p", "0.01");
    b.type_into("#c-name", "empty");
    b.click("#create-campaign");
    let error = b.text("#campaign-error");
    assert!(error.contains("audience"), "{error}");
    b.screenshot(&dir.join("segments.png"));
    let created = api.post(
        "/v1/campaigns",
        Some(MARKETER),
        "application/json",
        r#"{"name": "Win back the lapsing", "audience": {"lifecycle": ["lapsing", "lost"]},
            "offer": "win_back", "channel": "email", "send_date": "2024-12-04",
            "rank_by": "churn_probability"}"#,
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_string();
    b.goto(&format!("{base}/console/campaigns"));
    assert_eq!(b.text("h1"), "Campaigns");
    b.screenshot(&dir.join("campaigns.png"));
    b.click(&format!("tr[data-campaign=\"{id}\"] a"));
    b.wait_until("the campaign page", |b| b.url().ends_with(&id));
    assert!(b.text("#h-report").starts_with("Report"));
    b.screenshot(&dir.join("campaign.png"));

    // The switch goes to zh-TW and the choice sticks (cookie).
    b.click("#lang-switch");
    b.wait_until("zh-TW", |b| b.text("#h-report").starts_with("成效報告"));
    b.goto(&format!("{base}/console/"));
    assert_eq!(b.text("h1"), "總覽");
    drop(server);
}
