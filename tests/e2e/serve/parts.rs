//! The engine built from parts in memory (no training run, no model folder): a two-member
//! store, a one-column churn rule and no ranker, served on a real port. The churn answers are
//! the rule's exact values, an accepted event recomputes the member at once, and a part that
//! does not fit the build is refused with the reason.

use std::collections::BTreeMap;

use features::churn::{ChurnArtifact, Linear, RiskBands, ScoringModel, input_names};
use features::contract::{
    AnswerCodec, Card, ChurnRecord, DataRecord, FOLDER_FORMAT_VERSION, FeatureSpecRecord,
    PackedAnswers, RecommendationsRecord,
};
use features::segments::{GroupTable, LifecycleParams, SegmentModel};
use features::spec::idx;
use features::state::MemberState;
use features::{Day, OrderBookBuilder, StoreContext};
use serving::domain::MemberStore;
use serving::engine::Engine;
use serving::model::{Loaded, Models};
use serving::startup::Application;

use super::helpers::*;

/// `sigmoid(2 · (ln(1 + recency_days) − ln(1 + 28)))`: even odds at the 28-day horizon.
fn recency_rule() -> Linear {
    let n = features::churn::N_COLS;
    let mut m = Linear {
        log1p: vec![false; n],
        offsets: vec![0.0; n],
        scales: vec![1.0; n],
        weights: vec![0.0; n],
        intercept: 0.0,
        calibration: None,
    };
    m.log1p[idx::RECENCY_DAYS] = true;
    m.offsets[idx::RECENCY_DAYS] = 29f32.ln();
    m.scales[idx::RECENCY_DAYS] = 0.5;
    m.weights[idx::RECENCY_DAYS] = 1.0;
    m
}

fn day(s: &str) -> Day {
    Day::from_date(features::time::parse_date(s).unwrap())
}

fn card(as_of: Day) -> Card {
    Card {
        format_version: FOLDER_FORMAT_VERSION,
        version: "assembled-1".into(),
        created_at: "2024-12-01T00:00:00Z".into(),
        data: DataRecord {
            file: "(in memory)".into(),
            sha256: String::new(),
            first_day: day("2024-06-01"),
            last_day: day("2024-11-25"),
            rows_read: 4,
            rows_rejected: 0,
            members_file: None,
            mapping: "canonical".into(),
        },
        as_of,
        horizon_days: 28,
        feature_spec: FeatureSpecRecord::of_this_build(),
        churn: ChurnRecord {
            file: "churn.onnx".into(),
            inputs: input_names(),
            model_kind: "logistic".into(),
            training: serde_json::Value::Null,
            bgnbd_at_as_of: None,
            evaluation: None,
            fallback: None,
        },
        recommendations: RecommendationsRecord {
            rank_schema_hash: features::recommend::rank_schema_hash(),
            params: serde_json::Value::Null,
            training: serde_json::Value::Null,
            metrics: None,
        },
        fallbacks: Vec::new(),
        artifacts: Vec::new(),
        training_rows: 0,
        seed: 7,
        crate_versions: BTreeMap::new(),
        params: None,
    }
}

fn parts() -> Loaded {
    let as_of = day("2024-12-01");
    let mut b = OrderBookBuilder::new();
    let ts = |s: &str| features::time::parse_iso(s).unwrap();
    b.push_line(
        "ann",
        ts("2024-10-01T10:00:00"),
        "skirt-1",
        "skirts",
        1.0,
        990.0,
    );
    b.push_line(
        "ann",
        ts("2024-11-01T10:00:00"),
        "skirt-2",
        "skirts",
        1.0,
        1_290.0,
    );
    b.push_line(
        "ann",
        ts("2024-11-25T10:00:00"),
        "top-1",
        "tops",
        2.0,
        1_000.0,
    );
    b.push_line(
        "bob",
        ts("2024-06-01T10:00:00"),
        "skirt-1",
        "skirts",
        1.0,
        990.0,
    );
    let book = b.finish();
    let churn = ChurnArtifact {
        as_of,
        horizon_days: 28,
        bgnbd: None,
        model: ScoringModel::Logistic {
            linear: recency_rule(),
        },
        explainer: recency_rule(),
        risk_bands: RiskBands::default(),
        schema_hash: features::spec::schema_hash(),
        inputs: input_names(),
        context: StoreContext::of_book(&book, as_of),
    };
    let segments = SegmentModel::fit(
        &book,
        as_of,
        28,
        &GroupTable::default().check().unwrap(),
        &LifecycleParams::default().check().unwrap(),
        None,
        None,
    );
    Loaded {
        models: Models::assemble(card(as_of), churn, Some(segments)).unwrap(),
        state: MemberStore::from_state(MemberState { as_of, book }),
        answers: PackedAnswers::empty(AnswerCodec::new(as_of, Vec::new(), Vec::new())),
    }
}

/// The rule's probability for the served days since the last purchase.
fn rule(days: f64) -> f64 {
    1.0 / (1.0 + (-2.0 * ((1.0 + days).ln() - 29f64.ln())).exp())
}

#[test]
fn an_engine_built_from_parts_serves_exact_rule_answers_and_takes_events() {
    let dir = tempfile::tempdir().unwrap();
    let s = settings(dir.path(), &dir.path().join("events.log"), None);
    let engine = Engine::from_parts(dir.path().into(), parts(), &s.event_log).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let app = runtime
        .block_on(Application::with_engine(engine, s))
        .unwrap();
    let base = format!("http://{}", app.local_addr());
    runtime.spawn(app.run_until_stopped());
    let c = Client::at(&base);

    let churn = |m: &str| {
        c.get(&format!("/v1/members/{m}/churn"), Some(MARKETER))
            .json()
    };
    for (member, days) in [("ann", 6.0), ("bob", 183.0)] {
        let a = churn(member);
        assert_eq!(a["days_since_last_purchase"], days, "{member}: {a}");
        let p = a["churn_probability"].as_f64().unwrap();
        assert!(
            (p - rule(days)).abs() < 1e-6,
            "{member}: {p} vs {}",
            rule(days)
        );
    }
    let portrait = c.get("/v1/members/ann", Some(STOREFRONT)).json();
    assert_eq!(portrait["order_lines"], 3);
    assert_eq!(portrait["total_spend"], 3_280.0);
    assert_eq!(portrait["model_version"], "assembled-1");
    let recs = c.get(
        "/v1/members/bob/recommendations?kind=category&k=2",
        Some(STOREFRONT),
    );
    assert_eq!(recs.status, 200, "{}", recs.body);

    let e = event("e-1", "bob", "2024-12-01T09:00:00", "top-1", "tops", 500.0);
    let r = c.post("/v1/events", Some(ADMIN), "application/json", e.to_string());
    assert_eq!(r.status, 200, "{}", r.body);
    let a = churn("bob");
    let days = a["days_since_last_purchase"].as_f64().unwrap();
    assert!(days < 2.0, "the event moved bob's last purchase: {a}");
    let p = a["churn_probability"].as_f64().unwrap();
    assert!((p - rule(days)).abs() < 1e-6 && p < 0.01, "{p}");
    runtime.shutdown_background();
}

#[test]
fn parts_written_for_another_build_are_refused_with_the_reason() {
    let as_of = day("2024-12-01");
    let mut old = card(as_of);
    old.format_version = FOLDER_FORMAT_VERSION - 1;
    let churn = parts().models.churn;
    let err = Models::assemble(old, churn.clone(), None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("card.json has folder format version"), "{err}");
    let mut narrow = churn;
    narrow.model = ScoringModel::Logistic {
        linear: Linear {
            weights: vec![1.0],
            offsets: vec![0.0],
            scales: vec![1.0],
            log1p: Vec::new(),
            intercept: 0.0,
            calibration: None,
        },
    };
    let err = Models::assemble(card(as_of), narrow, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("churn.json: the churn model: linear part: 1 columns"),
        "{err}"
    );
}
