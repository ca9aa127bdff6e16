//! Segments served from the trained sample: every member's served layer, previous layer,
//! lifecycle, value and band equal `segments.csv`; `GET /v1/segments` equals the run's
//! summary; a layer's member list is that layer's rows; an accepted event moves its member's
//! segment at once.

use super::helpers::*;

fn segments_csv() -> Vec<csv::StringRecord> {
    let (_, out) = trained();
    let mut reader = csv::Reader::from_path(out.join("segments.csv")).unwrap();
    reader.records().map(|r| r.unwrap()).collect()
}

#[test]
fn served_segments_equal_segments_csv_and_the_run_summary() {
    let (_server, c, _dir, _) = spawn();
    let rows = segments_csv();
    assert_eq!(rows.len(), 2_134);
    for r in rows.iter().step_by(7) {
        let p = c
            .get(&format!("/v1/members/{}", &r[0]), Some(MARKETER))
            .json();
        let seg = &p["segment"];
        let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
        let number = |v: &serde_json::Value| v.as_f64();
        let parsed = |s: &str| (!s.is_empty()).then(|| s.parse::<f64>().unwrap());
        assert_eq!(text(&seg["group"]), &r[1], "{}", &r[0]);
        assert_eq!(text(&seg["previous_group"]), &r[2], "{}", &r[0]);
        assert_eq!(text(&seg["lifecycle"]), &r[3], "{}", &r[0]);
        let rfm = &seg["rfm"];
        assert_eq!(
            format!("{}{}{}", rfm["r"], rfm["f"], rfm["m"]),
            &r[4],
            "{}",
            &r[0]
        );
        assert_eq!(
            number(&seg["value"]["predicted_spend_h"]),
            parsed(&r[8]),
            "{}",
            &r[0]
        );
        assert_eq!(
            number(&seg["value"]["predicted_value"]),
            parsed(&r[9]),
            "{}",
            &r[0]
        );
        assert_eq!(
            text(&seg["value"]["expected_next_order"]),
            &r[10],
            "{}",
            &r[0]
        );
        assert_eq!(text(&seg["value_band"]), &r[12], "{}", &r[0]);
    }
    let (_, out) = trained();
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    let served = c.get("/v1/segments", Some(MARKETER)).json();
    let (want, got) = (&run["segments"], &served["summary"]);
    assert_eq!(got["movement"], want["movement"]);
    assert_eq!(got["lifecycle"], want["lifecycle"]);
    for (g, w) in got["groups"]
        .as_array()
        .unwrap()
        .iter()
        .zip(want["groups"].as_array().unwrap())
    {
        assert_eq!((&g["id"], &g["members"]), (&w["id"], &w["members"]));
        let close = |a: &serde_json::Value, b: &serde_json::Value| {
            (a.as_f64().unwrap() - b.as_f64().unwrap()).abs()
                <= 1e-6 * b.as_f64().unwrap().abs().max(1.0)
        };
        assert!(close(&g["spend"], &w["spend"]), "{g} vs {w}");
        assert!(
            close(&g["churn_probability"], &w["churn_probability"]),
            "{g} vs {w}"
        );
    }
    // A layer's member list holds exactly that layer's rows of segments.csv.
    let champions = c.get_csv("/v1/segments/champions/members", MARKETER);
    assert_eq!(champions.status, 200);
    let want_n = rows.iter().filter(|r| &r[1] == "champions").count();
    assert_eq!(champions.body.lines().count(), 1 + want_n);
    let unknown = c.get("/v1/segments/nobody/members", Some(MARKETER));
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    let bad = c.get(
        "/v1/segments/champions/members?lifecycle=asleep",
        Some(MARKETER),
    );
    assert_eq!(bad.status, 400);
    assert!(
        bad.body.contains("lifecycle \\\"asleep\\\""),
        "{}",
        bad.body
    );
    assert_eq!(c.get("/v1/segments", Some(STOREFRONT)).status, 403);
}

#[test]
fn an_accepted_event_moves_its_members_segment_at_once() {
    let (_server, c, _dir, _) = spawn();
    let lapsed = segments_csv()
        .into_iter()
        .find(|r| &r[3] == "lost")
        .expect("the sample has lost members");
    let member = lapsed[0].to_string();
    let e = event(
        "seg-1",
        &member,
        "2024-12-04T10:00:00",
        "item-x",
        "cat-x",
        500.0,
    );
    let r = c.post("/v1/events", Some(ADMIN), "application/json", e.to_string());
    assert_eq!(r.status, 200, "{}", r.body);
    let seg = c
        .get(&format!("/v1/members/{member}"), Some(MARKETER))
        .json()["segment"]
        .clone();
    assert_eq!(seg["lifecycle"], "active", "{seg}");
    assert_eq!(
        seg["rfm"]["r"], 3,
        "a purchase today is the most recent: {seg}"
    );
    assert_eq!(seg["previous_group"].as_str().unwrap_or(""), &lapsed[2]);
    let lost = c.get("/v1/segments", Some(MARKETER)).json()["summary"]["lifecycle"]["lost"].clone();
    let before: u64 = segments_csv().iter().filter(|r| &r[3] == "lost").count() as u64;
    assert_eq!(lost.as_u64().unwrap(), before - 1);
}
