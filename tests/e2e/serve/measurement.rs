//! The honest test of campaign measurement: a campaign over the generated sample's members,
//! then the outcome window `tiefen-synth` simulates after the dataset with a known treatment
//! effect for treated members only, posted as events; the report must recover the effect
//! within its interval, and find none when the effect is zero.

use std::path::Path;

use serde_json::{Value, json};
use training::synth::{
    Assignment, GroupTruth, OutcomeParams, SynthParams, TreatmentEffect, simulate_outcome,
};

use super::helpers::*;

/// Creates the campaign, simulates the window with `effect`, posts it and returns the report
/// with the realised truth.
fn measure(effect: TreatmentEffect) -> (Value, GroupTruth) {
    let (_server, c, _dir, _) = spawn();
    let r = c.post(
        "/v1/campaigns",
        Some(MARKETER),
        "application/json",
        json!({"name": "Everyone", "channel": "email", "send_date": "2025-01-01",
               "window_days": 28, "holdout_share": 0.5, "rank_by": "churn_probability"})
        .to_string(),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let audience = c.get("/v1/campaigns/c000001/members?arm=all", Some(MARKETER));
    let params = SynthParams::default().check().unwrap();
    let assignment =
        Assignment::from_csv(audience.body.as_bytes(), Path::new("audience.csv"), &params).unwrap();
    let window = OutcomeParams {
        from: None,
        days: 28,
        effect,
    }
    .check(&params)
    .unwrap();
    let outcome = simulate_outcome(&params, &assignment, &window);
    let mut csv = Vec::new();
    outcome.write_csv(&mut csv).unwrap();
    let text = String::from_utf8(csv).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    let rows: Vec<&str> = lines.collect();
    for chunk in rows.chunks(100) {
        let body = format!("{header}\n{}\n", chunk.join("\n"));
        let posted = c.post("/v1/events", Some(ADMIN), "text/csv", body);
        assert_eq!(posted.status, 200, "{}", posted.body);
    }
    let report = c.get("/v1/campaigns/c000001/report", Some(MARKETER)).json();
    let truth = outcome.total();
    eprintln!(
        "treated {} control {}; orders/member: true {:.4}, report {}; conversion: true {:.4}, report {}; spend/member: true {:.2}, report {}",
        truth.treated,
        truth.control,
        truth.orders_uplift(),
        report["orders_per_member"]["absolute"],
        truth.conversion_uplift(),
        report["conversion"]["absolute"],
        truth.spend_uplift(),
        report["spend_per_member"]["absolute"]
    );
    (report, truth)
}

fn interval(f: &Value) -> (f64, f64) {
    (f["low"].as_f64().unwrap(), f["high"].as_f64().unwrap())
}

#[test]
fn the_report_recovers_a_known_uplift_within_its_interval() {
    let (report, truth) = measure(TreatmentEffect::new(0.3));
    assert_eq!(report["window_complete"], true, "{report}");
    assert_eq!(report["treated"]["members"], truth.treated as u64);
    assert_eq!(report["control"]["members"], truth.control as u64);
    assert!(truth.extra_orders > 300, "{truth:?}");
    let orders = &report["orders_per_member"]["absolute"];
    let (low, high) = interval(orders);
    let want = truth.orders_uplift();
    assert!(low <= want && want <= high, "{want} outside {orders}");
    assert!(low > 0.0, "the effect must be detected: {orders}");
    let conversion = &report["conversion"]["absolute"];
    let (low, high) = interval(conversion);
    let want = truth.conversion_uplift();
    assert!(low <= want && want <= high, "{want} outside {conversion}");
    let spend = &report["spend_per_member"]["absolute"];
    let (low, high) = interval(spend);
    let want = truth.spend_uplift();
    assert!(low <= want && want <= high, "{want} outside {spend}");
    let ranked = &report["ranked"];
    assert_eq!(ranked["rank_by"], "churn_probability", "{report}");
    let at_k = ranked["uplift_at_k"].as_array().unwrap();
    assert_eq!(at_k.len(), 3);
    assert!(
        at_k.iter()
            .all(|u| u["uplift"].as_f64().is_some_and(f64::is_finite)),
        "{ranked}"
    );
    assert!(
        ranked["qini_auc"].as_f64().is_some_and(f64::is_finite),
        "{ranked}"
    );
    let revenue = &report["incremental_revenue"];
    let (low, high) = interval(revenue);
    let want = truth.extra_spend as f64;
    assert!(low <= want && want <= high, "{want} outside {revenue}");
}

#[test]
fn the_report_finds_no_uplift_when_there_is_none() {
    let (report, truth) = measure(TreatmentEffect::new(0.0));
    assert_eq!(truth.extra_orders, 0);
    for figure in [
        &report["orders_per_member"]["absolute"],
        &report["conversion"]["absolute"],
        &report["spend_per_member"]["absolute"],
    ] {
        let (low, high) = interval(figure);
        assert!(
            low <= 0.0 && 0.0 <= high,
            "an effect found where there is none: {figure}"
        );
    }
}
