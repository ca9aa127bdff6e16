//! Campaigns on the trained sample, over the real server: the audience is frozen with a stable
//! holdout, frequency caps skip members already contacted (also across concurrent creations
//! and a restart), the treated list streams as CSV, bad requests name their field, and the
//! report counts the orders that arrive as events after the send date.

use std::collections::{BTreeSet, HashMap};

use features::campaign::{HoldoutShare, is_control};
use serde_json::{Value, json};

use super::helpers::*;

fn create(c: &Client, body: &Value) -> Reply {
    c.post(
        "/v1/campaigns",
        Some(MARKETER),
        "application/json",
        body.to_string(),
    )
}

fn csv_rows(body: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap())
        .collect()
}

fn members_of(c: &Client, id: &str, arm: &str) -> Vec<csv::StringRecord> {
    let r = c.get(
        &format!("/v1/campaigns/{id}/members?arm={arm}"),
        Some(MARKETER),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.content_type.starts_with("text/csv"), "{}", r.content_type);
    csv_rows(&r.body)
}

#[test]
fn a_campaign_freezes_its_audience_with_a_stable_holdout_and_exports_the_treated() {
    let (_server, c, _dir, _) = spawn();
    let at_risk: BTreeSet<String> = training_scores()
        .into_iter()
        .filter(|(_, _, band, _)| band == "high" || band == "medium")
        .map(|(m, ..)| m)
        .collect();
    let r = create(
        &c,
        &json!({"name": "Win back", "audience": {"churn_bands": ["high", "medium"]},
                "offer": "win_back", "channel": "email", "send_date": "2025-01-02",
                "holdout_share": 0.2, "rank_by": "churn_probability"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let created = r.json();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(id, "c000001");
    let counts = &created["counts"];
    assert_eq!(counts["matched"], at_risk.len() as u64);
    assert_eq!(counts["capped"], 0);
    let share = HoldoutShare::new(0.2).unwrap();
    let control: BTreeSet<&String> = at_risk
        .iter()
        .filter(|m| is_control(&id, m, share))
        .collect();
    assert_eq!(counts["control"], control.len() as u64);
    assert_eq!(counts["treated"], (at_risk.len() - control.len()) as u64);
    let treated = members_of(&c, &id, "treated");
    let ids: Vec<&str> = treated.iter().map(|r| &r[0]).collect();
    let expected: Vec<&str> = at_risk
        .iter()
        .filter(|m| !control.contains(m))
        .map(String::as_str)
        .collect();
    assert_eq!(ids, expected, "treated members, by member id");
    assert!(
        treated
            .iter()
            .all(|r| &r[1] == "treated" && &r[6] == "win_back" && &r[7] == "email")
    );
    assert_eq!(members_of(&c, &id, "control").len(), control.len());
    // The same members as Parquet.
    let (status, content_type, bytes) = c.get_bytes(
        &format!("/v1/campaigns/{id}/members?format=parquet"),
        MARKETER,
    );
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/vnd.apache.parquet");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("treated.parquet");
    std::fs::write(&file, &bytes).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        std::fs::File::open(&file).unwrap(),
    )
    .unwrap()
    .build()
    .unwrap();
    let mut from_parquet: Vec<String> = Vec::new();
    for batch in reader {
        let batch = batch.unwrap();
        let ids = batch
            .column_by_name("member_id")
            .unwrap()
            .as_any()
            .downcast_ref::<arrow_array::StringArray>()
            .unwrap();
        from_parquet.extend(ids.iter().map(|v| v.unwrap().to_string()));
    }
    assert_eq!(
        from_parquet, expected,
        "the Parquet export holds the treated members"
    );
    assert_eq!(members_of(&c, &id, "all").len(), at_risk.len());
    let power = &created["power"];
    let baseline = power["baseline_conversion"].as_f64().unwrap();
    assert!(baseline > 0.0 && baseline < 1.0, "{power}");
    let warnings = created["warnings"].to_string();
    assert!(
        warnings.contains("fewer than the 1000 usually needed"),
        "{warnings}"
    );
    let listed = c.get("/v1/campaigns", Some(MARKETER)).json();
    assert_eq!(listed["campaigns"][0]["id"], "c000001");
    assert_eq!(
        c.get("/v1/campaigns/c000001", Some(MARKETER)).json()["name"],
        "Win back"
    );
    assert_eq!(c.get("/v1/campaigns/c000009", Some(MARKETER)).status, 404);
    let sf = c.post(
        "/v1/campaigns",
        Some(STOREFRONT),
        "application/json",
        json!({"name": "x", "channel": "email", "send_date": "2025-01-02"}).to_string(),
    );
    assert_eq!(sf.status, 403, "{}", sf.body);
}

#[test]
fn frequency_caps_skip_contacted_members_across_campaigns_concurrent_creation_and_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let models = models_copy(dir.path());
    let settings = settings(&models, &dir.path().join("events.log"), None);
    let server = Server::start(settings.clone());
    let c = Client::new(&server);
    let everyone = json!({"name": "All, e-mail", "channel": "email", "send_date": "2025-01-02",
                          "holdout_share": 0.1});
    // Two campaigns to everyone, created at the same time: the e-mail cap is one a day, so
    // each member is treated by at most one of them.
    let (a, b) = std::thread::scope(|s| {
        let base = server.base.clone();
        let body = everyone.clone();
        let other = s.spawn(move || create(&Client::at(&base), &body));
        (create(&c, &everyone), other.join().unwrap())
    });
    assert_eq!((a.status, b.status), (201, 201), "{} {}", a.body, b.body);
    let treated_by = |id: &str| -> BTreeSet<String> {
        members_of(&c, id, "treated")
            .iter()
            .map(|r| r[0].to_string())
            .collect()
    };
    let (first, second) = (treated_by("c000001"), treated_by("c000002"));
    assert!(
        first.is_disjoint(&second),
        "a member was e-mailed twice on one day"
    );
    let skipped = members_of(&c, "c000002", "skipped");
    assert_eq!(
        skipped.len(),
        first.len(),
        "the second campaign skips the first's treated"
    );
    assert!(
        skipped[0][8].contains("frequency cap #2: at most 1 per 1 days on email; 1 already"),
        "{:?}",
        &skipped[0]
    );
    let later = if a.json()["id"] == "c000002" { a } else { b };
    assert!(
        later.json()["warnings"]
            .to_string()
            .contains("skipped by frequency caps"),
        "{}",
        later.body
    );
    // The cap across channels (3 a week) lets a LINE message through on the same day.
    let line = create(
        &c,
        &json!({"name": "All, LINE", "channel": "line", "send_date": "2025-01-02"}),
    );
    assert_eq!(line.json()["counts"]["capped"], 0, "{}", line.body);

    // A model reload leaves the campaigns and the contact log alone.
    let reload = c.post("/v1/admin/reload", Some(ADMIN), "application/json", "");
    assert_eq!(reload.status, 200, "{}", reload.body);
    let after_reload = create(
        &c,
        &json!({"name": "All, LINE again", "channel": "line", "send_date": "2025-01-02"}),
    );
    assert_eq!(after_reload.status, 201, "{}", after_reload.body);
    assert_eq!(
        after_reload.json()["counts"]["capped"],
        line.json()["counts"]["treated"],
        "LINE is capped at one a day: {}",
        after_reload.body
    );

    // Every campaign and its contacts survive an abrupt stop.
    server.kill();
    let server = Server::start(settings);
    let c = Client::new(&server);
    let listed = c.get("/v1/campaigns", Some(MARKETER)).json();
    let ids: Vec<&str> = listed["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["c000001", "c000002", "c000003", "c000004"]);
    // After the restart the contact log still holds both e-mail campaigns' treated members:
    // only the members held out both times can be e-mailed that day.
    let again = create(&c, &everyone);
    assert_eq!(again.status, 201, "{}", again.body);
    let counts = &again.json()["counts"];
    let contacted = (first.len() + second.len()) as u64;
    assert_eq!(counts["capped"], contacted, "{counts}");
    assert_eq!(
        counts["matched"].as_u64().unwrap() - contacted,
        counts["treated"].as_u64().unwrap() + counts["control"].as_u64().unwrap()
    );
    let next_day = create(
        &c,
        &json!({"name": "All, next day", "channel": "email", "send_date": "2025-01-03"}),
    );
    assert_eq!(next_day.status, 201, "{}", next_day.body);
    assert_eq!(next_day.json()["id"], "c000006");
}

#[test]
fn bad_campaign_requests_get_a_400_naming_the_field() {
    let (_server, c, _dir, _) = spawn();
    let base = json!({"name": "x", "channel": "email", "send_date": "2025-01-02"});
    let with = |key: &str, value: Value| {
        let mut b = base.clone();
        b[key] = value;
        b
    };
    for (body, field) in [
        (with("holdout_share", json!(0.7)), "`holdout_share`"),
        (with("channel", json!("fax")), "`channel`"),
        (with("send_date", json!("02/01/2025")), "`send_date`"),
        (with("window_days", json!(0)), "`window_days`"),
        (with("rank_by", json!("luck")), "`rank_by`"),
        (with("offer", json!("free_lunch")), "`offer`"),
        (
            with("audience", json!({"groups": ["champions", "nobody"]})),
            "`audience.groups[1]`",
        ),
        (
            with("audience", json!({"lifecycle": ["sleeping"]})),
            "`audience.lifecycle[0]`",
        ),
        (
            with(
                "audience",
                json!({"min_churn_probability": 1.0, "max_churn_probability": 1.0}),
            ),
            "`audience`: no member matches",
        ),
        (with("colour", json!("red")), "unknown field `colour`"),
        (
            with("audience", json!({"grups": []})),
            "unknown field `grups`",
        ),
        (with("name", json!("  ")), "`name`"),
    ] {
        let r = create(&c, &body);
        assert_eq!(r.status, 400, "{body}: {}", r.body);
        assert_eq!(r.error_code(), "invalid_field", "{}", r.body);
        assert!(r.body.contains(field), "{field} not named in {}", r.body);
    }
    assert_eq!(
        c.get("/v1/campaigns", Some(MARKETER)).json()["campaigns"],
        json!([])
    );
}

#[test]
fn the_report_counts_orders_after_the_send_date_in_the_window_per_arm() {
    let (_server, c, _dir, _) = spawn();
    let r = create(
        &c,
        &json!({"name": "Report", "channel": "sms", "send_date": "2025-01-02",
                "window_days": 14, "holdout_share": 0.5}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let counts = r.json()["counts"].clone();
    let (n_t, n_c) = (
        counts["treated"].as_f64().unwrap(),
        counts["control"].as_f64().unwrap(),
    );
    let arm: HashMap<String, String> = members_of(&c, "c000001", "all")
        .iter()
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect();
    let treated: Vec<&String> = arm
        .iter()
        .filter(|(_, a)| *a == "treated")
        .map(|(m, _)| m)
        .collect();
    let control: Vec<&String> = arm
        .iter()
        .filter(|(_, a)| *a == "control")
        .map(|(m, _)| m)
        .collect();
    let mut events = Vec::new();
    // Six treated members order (one twice, on two days, with two lines the first time);
    // two control members order; one order before the send and one after the window do not
    // count.
    for (i, m) in treated.iter().take(6).enumerate() {
        events.push(event(
            &format!("t{i}"),
            m,
            "2025-01-03T10:00:00",
            "SKU-0001",
            "面膜",
            100.0,
        ));
    }
    events.push(event(
        "t0b",
        treated[0],
        "2025-01-03T10:00:00",
        "SKU-0002",
        "面膜",
        50.0,
    ));
    events.push(event(
        "t0c",
        treated[0],
        "2025-01-10T10:00:00",
        "SKU-0003",
        "面膜",
        200.0,
    ));
    events.push(event(
        "c0",
        control[0],
        "2025-01-05T10:00:00",
        "SKU-0001",
        "面膜",
        100.0,
    ));
    events.push(event(
        "c1",
        control[1],
        "2025-01-15T23:59:59",
        "SKU-0001",
        "面膜",
        300.0,
    ));
    events.push(event(
        "before",
        control[2],
        "2025-01-01T23:00:00",
        "SKU-0001",
        "面膜",
        999.0,
    ));
    events.push(event(
        "after",
        control[3],
        "2025-01-16T00:00:00",
        "SKU-0001",
        "面膜",
        999.0,
    ));
    let posted = c.post(
        "/v1/events",
        Some(ADMIN),
        "application/json",
        Value::Array(events).to_string(),
    );
    assert_eq!(posted.status, 200, "{}", posted.body);
    let report = c.get("/v1/campaigns/c000001/report", Some(MARKETER)).json();
    assert_eq!(report["treated"]["members"], n_t as u64);
    assert_eq!(report["treated"]["converters"], 6);
    assert_eq!(report["treated"]["orders"], 7.0);
    assert_eq!(report["treated"]["spend"], 850.0);
    assert_eq!(report["control"]["converters"], 2);
    assert_eq!(report["control"]["orders"], 2.0);
    assert_eq!(report["control"]["spend"], 400.0);
    assert_eq!(report["window_start"], "2025-01-02");
    assert_eq!(report["window_end"], "2025-01-16");
    assert_eq!(report["window_complete"], true);
    let close = |v: &Value, x: f64| (v.as_f64().unwrap() - x).abs() < 1e-12;
    let conversion = &report["conversion"]["absolute"];
    assert!(
        close(&conversion["value"], 6.0 / n_t - 2.0 / n_c),
        "{conversion}"
    );
    let (low, high) = (
        conversion["low"].as_f64().unwrap(),
        conversion["high"].as_f64().unwrap(),
    );
    assert!(
        low < 6.0 / n_t - 2.0 / n_c && 6.0 / n_t - 2.0 / n_c < high,
        "{conversion}"
    );
    let revenue = &report["incremental_revenue"];
    assert!(
        close(&revenue["value"], (850.0 / n_t - 400.0 / n_c) * n_t),
        "{revenue}"
    );
    let csv = c.get("/v1/campaigns/c000001/report?format=csv", Some(MARKETER));
    assert!(csv.content_type.starts_with("text/csv"));
    let rows = csv_rows(&csv.body);
    let row = rows.iter().find(|r| &r[0] == "converters").unwrap();
    assert_eq!((&row[1], &row[2]), ("6", "2"));
}

#[test]
fn an_offer_type_audience_is_the_members_whose_offers_include_it() {
    let (_server, c, _dir, _) = spawn();
    let (_, out) = trained();
    let mut win_back: BTreeSet<String> = BTreeSet::new();
    for r in csv::Reader::from_path(out.join("offers.csv"))
        .unwrap()
        .records()
    {
        let r = r.unwrap();
        if &r[2] == "win_back" {
            win_back.insert(r[0].to_string());
        }
    }
    assert!(win_back.len() > 500, "{}", win_back.len());
    let r = create(
        &c,
        &json!({"name": "Win-back offers", "audience": {"offer_types": ["win_back"]},
                "offer": "win_back", "channel": "line", "send_date": "2025-01-02"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let all: BTreeSet<String> = members_of(&c, "c000001", "all")
        .iter()
        .map(|r| r[0].to_string())
        .collect();
    assert_eq!(all, win_back);
}
