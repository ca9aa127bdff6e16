//! Accepted events change the next answers, at once and without retraining.

use super::helpers::*;

#[test]
fn a_purchase_event_changes_the_next_churn_portrait_and_recommendation_answers() {
    let (_server, c, _dir, _) = spawn();
    let scores = training_scores();
    let (member, p_before, _, _) = scores
        .iter()
        .filter(|s| s.2 == "high")
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap()
        .clone();
    let before = c
        .get(&format!("/v1/members/{member}"), Some(MARKETER))
        .json();
    let e = event(
        "evt-1",
        &member,
        "2024-12-05T11:00:00",
        "brand-new-item",
        "brand-new-category",
        250.0,
    );
    let r = c.post("/v1/events", Some(ADMIN), "application/json", e.to_string());
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json(),
        serde_json::json!({"accepted": 1, "duplicates": 0})
    );

    let churn = c
        .get(&format!("/v1/members/{member}/churn"), Some(MARKETER))
        .json();
    let p_after = churn["churn_probability"].as_f64().unwrap() as f32;
    assert!(
        p_after < p_before,
        "a purchase today should lower the risk: {p_before} -> {p_after}"
    );
    assert_eq!(churn["days_since_last_purchase"], 1.0);
    assert_eq!(churn["as_of"], "2024-12-06");

    let after = c
        .get(&format!("/v1/members/{member}"), Some(MARKETER))
        .json();
    assert_eq!(
        after["order_lines"],
        before["order_lines"].as_u64().unwrap() + 1
    );
    assert_eq!(
        after["purchase_days"],
        before["purchase_days"].as_u64().unwrap() + 1
    );
    let spend = |v: &serde_json::Value| v["total_spend"].as_f64().unwrap();
    assert!((spend(&after) - spend(&before) - 250.0).abs() < 1e-6);
    assert_eq!(after["last_purchase"], "2024-12-05");

    let recs = c
        .get(
            &format!("/v1/members/{member}/recommendations?k=50"),
            Some(STOREFRONT),
        )
        .json();
    let ids: Vec<&str> = recs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"brand-new-item"), "{ids:?}");
    let recent = c
        .get(
            &format!("/v1/members/{member}/recommendations?k=50&exclude_recent_days=3"),
            Some(STOREFRONT),
        )
        .json();
    assert!(
        !recent["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == "brand-new-item")
    );

    let again = c.post("/v1/events", Some(ADMIN), "application/json", e.to_string());
    assert_eq!(
        again.json(),
        serde_json::json!({"accepted": 0, "duplicates": 1})
    );
    let same = c
        .get(&format!("/v1/members/{member}"), Some(MARKETER))
        .json();
    assert_eq!(
        same["order_lines"], after["order_lines"],
        "a repeated event_id was counted twice"
    );
    let metrics = c.get("/metrics", None).body;
    for line in [
        "tiefen_events_total{outcome=\"accepted\"} 1",
        "tiefen_events_total{outcome=\"duplicate\"} 1",
        "tiefen_event_log_groups_total 1",
        "tiefen_event_log_fsync_seconds_count 1",
    ] {
        assert!(metrics.contains(line), "{line} not in\n{metrics}");
    }
}

#[test]
fn csv_events_create_a_new_member_who_then_has_answers() {
    let (_server, c, _dir, _) = spawn();
    assert_eq!(
        c.get("/v1/members/new-42/churn", Some(MARKETER)).status,
        404
    );
    let csv = "event_id,member_id,ts,item_id,category,quantity,amount\n\
               n1,new-42,2024-11-01,tea,drinks,2,80\n\
               n2,new-42,2024-11-20,tea,drinks,1,40\n";
    let r = c.post("/v1/events", Some(ADMIN), "text/csv", csv);
    assert_eq!(r.json()["accepted"], 2, "{}", r.body);
    let churn = c.get("/v1/members/new-42/churn", Some(MARKETER)).json();
    assert_eq!(churn["days_since_last_purchase"], 14.0);
    assert_eq!(churn["as_of"], "2024-12-04");
    let recs = c
        .get(
            "/v1/members/new-42/recommendations?kind=category&k=2",
            Some(STOREFRONT),
        )
        .json();
    assert_eq!(recs["cold_start"], false);
    assert_eq!(recs["items"][0]["id"], "drinks");
}
