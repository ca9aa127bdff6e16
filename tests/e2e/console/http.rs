//! What a browser does not show: status codes, cookie attributes, CSRF refusals and the bytes
//! each page transfers.

use crate::serve::helpers::{MARKETER, STOREFRONT, spawn};

struct Web {
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
    base: String,
}

struct Page {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Page {
    /// The body as text, gunzipped when it came compressed.
    fn text(&self) -> String {
        if self.header("content-encoding") == "gzip" {
            let mut out = String::new();
            std::io::Read::read_to_string(
                &mut flate2::read::GzDecoder::new(&self.body[..]),
                &mut out,
            )
            .unwrap();
            return out;
        }
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }

    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .map_or(String::new(), |v| v.to_str().unwrap().to_string())
    }
}

impl Web {
    fn new(base: &str) -> Web {
        Web {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: base.to_string(),
        }
    }

    fn send(&self, req: reqwest::RequestBuilder) -> Page {
        self.rt.block_on(async {
            let r = req.send().await.unwrap();
            Page {
                status: r.status().as_u16(),
                headers: r.headers().clone(),
                body: r.bytes().await.unwrap().to_vec(),
            }
        })
    }

    fn get(&self, path: &str, cookie: &str) -> Page {
        self.send(
            self.http
                .get(format!("{}{path}", self.base))
                .header("cookie", cookie)
                .header("accept-encoding", "gzip"),
        )
    }

    fn post_form(&self, path: &str, cookie: &str, body: &str) -> Page {
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .header("cookie", cookie)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.to_string()),
        )
    }

    /// The sign-in form's token and its cookie.
    fn login_token(&self) -> (String, String) {
        let form = self.get("/console/sign-in", "");
        assert_eq!(form.status, 200);
        let cookie = form
            .cookies()
            .into_iter()
            .find(|c| c.starts_with("tiefen_login="))
            .expect("the sign-in token cookie");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        let pair = cookie.split(';').next().unwrap().to_string();
        let token = pair.split_once('=').unwrap().1.to_string();
        assert!(form.text().contains(&format!("value=\"{token}\"")));
        (token, pair)
    }

    /// Signs in with `key`; returns the session cookie pair and the session's CSRF token.
    fn sign_in(&self, key: &str) -> (String, String) {
        let (token, pair) = self.login_token();
        let r = self.post_form(
            "/console/sign-in",
            &pair,
            &format!("key={key}&csrf={token}"),
        );
        assert_eq!(r.status, 303, "{}", r.text());
        assert_eq!(r.header("location"), "/console/");
        let session = r
            .cookies()
            .into_iter()
            .find(|c| c.starts_with("tiefen_session="))
            .expect("a session cookie");
        assert!(
            session.contains("HttpOnly")
                && session.contains("SameSite=Strict")
                && session.contains("Max-Age=28800"),
            "{session}"
        );
        let pair = session.split(';').next().unwrap().to_string();
        let page = self.get("/console/segments", &pair);
        assert_eq!(page.status, 200);
        let text = page.text();
        let at = text.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
        (pair, text[at..at + 64].to_string())
    }
}

#[test]
fn sign_in_gives_a_strict_http_only_session_and_refuses_storefront_and_unknown_keys_and_forms_without_tokens()
 {
    let (server, _api, _dir, _) = spawn();
    let web = Web::new(&server.base);

    // Not signed in: pages redirect, the JSON API still wants its Bearer key.
    let r = web.get("/console/churn", "");
    assert_eq!(
        (r.status, r.header("location")),
        (303, "/console/sign-in".into())
    );
    assert_eq!(web.get("/", "").header("location"), "/console/");

    // Without the form's token (or with another one), sign-in is refused.
    let (token, pair) = web.login_token();
    let r = web.post_form(
        "/console/sign-in",
        "",
        &format!("key={MARKETER}&csrf={token}"),
    );
    assert_eq!(r.status, 403);
    let r = web.post_form(
        "/console/sign-in",
        &pair,
        &format!("key={MARKETER}&csrf=x{token}"),
    );
    assert_eq!(r.status, 403);
    // A storefront key: 403; an unknown key: 401; neither starts a session.
    let r = web.post_form(
        "/console/sign-in",
        &pair,
        &format!("key={STOREFRONT}&csrf={token}"),
    );
    assert_eq!(r.status, 403);
    assert!(r.text().contains("cannot sign in") || r.text().contains("店面金鑰"));
    assert!(!r.cookies().iter().any(|c| c.starts_with("tiefen_session=")));
    let r = web.post_form(
        "/console/sign-in",
        &pair,
        &format!("key=nope-0123456789abcdef&csrf={token}"),
    );
    assert_eq!(r.status, 401);

    let (session, csrf) = web.sign_in(MARKETER);
    let page = web.get("/console/", &session);
    assert_eq!(page.status, 200);
    assert_eq!(page.header("content-type"), "text/html; charset=utf-8");
    assert!(
        page.header("content-security-policy")
            .contains("default-src 'self'")
    );
    assert_eq!(page.header("x-frame-options"), "DENY");
    // The session cookie does not open the JSON API.
    assert_eq!(web.get("/v1/churn-risk", &session).status, 401);

    // Creating a campaign: no token, a wrong token → 403 and nothing created; the session's
    // token (field or header) → 303 to the campaign.
    let body = "name=t&channel=email&send_date=2024-12-04&churn_bands=high";
    assert_eq!(
        web.post_form("/console/campaigns", &session, body).status,
        403
    );
    let wrong = format!("{body}&csrf={}", "0".repeat(64));
    assert_eq!(
        web.post_form("/console/campaigns", &session, &wrong).status,
        403
    );
    let r = web.post_form(
        "/console/campaigns",
        &session,
        &format!("{body}&csrf={csrf}"),
    );
    assert_eq!(
        (r.status, r.header("location")),
        (303, "/console/campaigns/c000001".into())
    );
    let bad = format!("name=t&channel=fax&send_date=2024-12-04&csrf={csrf}");
    let r = web.post_form("/console/campaigns", &session, &bad);
    assert_eq!(r.status, 400);
    assert!(r.text().contains("`channel`"), "the field is named");

    // Sign-out needs the token too, then the session is gone.
    assert_eq!(web.post_form("/console/sign-out", &session, "").status, 403);
    let r = web.post_form("/console/sign-out", &session, &format!("csrf={csrf}"));
    assert_eq!(r.status, 303);
    assert!(
        r.cookies()
            .iter()
            .any(|c| c.starts_with("tiefen_session=;") && c.contains("Max-Age=0"))
    );
    assert_eq!(web.get("/console/", &session).status, 303);
}

#[test]
fn every_console_page_transfers_under_150_kb_with_its_script_and_style() {
    let (server, api, _dir, _) = spawn();
    let web = Web::new(&server.base);
    let (session, csrf) = web.sign_in(MARKETER);
    let r = web.post_form(
        "/console/campaigns",
        &session,
        &format!("name=t&channel=email&send_date=2024-12-04&lifecycle=lapsing&lifecycle=lost&rank_by=churn_probability&csrf={csrf}"),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let member =
        api.get("/v1/churn-risk?limit=1", Some(MARKETER)).json()["members"][0]["member_id"]
            .as_str()
            .unwrap()
            .to_string();
    let assets: usize = [
        "/console/assets/htmx-2.0.11.min.js",
        "/console/assets/console.css",
    ]
    .iter()
    .map(|a| {
        let p = web.get(a, "");
        assert_eq!(p.status, 200);
        assert_eq!(
            p.header("content-encoding"),
            "gzip",
            "{a} is sent compressed"
        );
        p.body.len()
    })
    .sum();
    for path in [
        "/console/sign-in".to_string(),
        "/console/".into(),
        "/console/churn".into(),
        "/console/churn?band=high&order=value_at_risk".into(),
        format!("/console/members/{member}"),
        "/console/segments".into(),
        "/console/campaigns".into(),
        "/console/campaigns/c000001".into(),
    ] {
        // The sign-in form is what a visitor without a session sees (a session is sent on).
        let cookie = if path.ends_with("sign-in") {
            ""
        } else {
            session.as_str()
        };
        let p = web.get(&path, cookie);
        assert_eq!(p.status, 200, "{path}");
        let total = p.body.len() + assets;
        assert!(total < 150 * 1024, "{path}: {total} bytes transferred");
        assert!(p.header("server-timing").starts_with("app;dur="), "{path}");
        let html = p.text();
        assert!(html.starts_with("<!doctype html>"), "{path}");
        assert!(
            html.contains("<html lang=\"zh-TW\">"),
            "{path}: zh-TW by default"
        );
    }
}
