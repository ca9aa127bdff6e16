//! Data shapes that do not allow every part to be fitted (one category, one item, no category
//! column, all lines on one day, 20 members, history shorter than the horizon, a members table
//! without a tier): each is generated here, trained with the real pipeline, and must publish,
//! name its fallbacks in `run.json` and `card.json`, and serve with the fallback flagged.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_json::Value;
use training::pipeline::{RunSummary, run};
use training::{Args, TrainConfig};

use crate::serve::helpers::{Client, MARKETER, STOREFRONT, Server, settings};
use crate::train::sample;

/// How the generated store looks.
#[derive(Debug, Clone, Copy)]
struct Shape {
    members: usize,
    days: i32,
    categories: usize,
    items_per_category: usize,
    category_column: bool,
}

const NORMAL: Shape = Shape {
    members: 400,
    days: 180,
    categories: 5,
    items_per_category: 6,
    category_column: true,
};

/// SplitMix64, so every shape is the same on every run.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
}

fn day(d: i32) -> String {
    (start() + chrono::Duration::days(d.into())).to_string()
}

/// Order lines of `shape`: member `M###` starts within the first 30 days, buys every 3-22
/// days, and a third of the members stop at a random point; each purchase is the member's
/// favourite item or a neighbour of it.
fn orders(shape: Shape) -> String {
    let mut out = String::from(if shape.category_column {
        "member_id,ts,item_id,category,quantity,amount\n"
    } else {
        "member_id,ts,item_id,quantity,amount\n"
    });
    let n_items = shape.categories * shape.items_per_category;
    for m in 0..shape.members {
        let h = mix(m as u64);
        let period = 3 + (h % 20) as i32;
        let first = ((h >> 24) % 30) as i32 % shape.days;
        let stop = if h.is_multiple_of(3) {
            first + 1 + (shape.days - first) * ((h >> 8) % 100) as i32 / 100
        } else {
            shape.days
        };
        let favourite = (h >> 16) as usize % n_items;
        for d in (first..stop.min(shape.days)).step_by(period as usize) {
            let item = if mix(h ^ d as u64).is_multiple_of(2) {
                favourite
            } else {
                (favourite + d as usize) % n_items
            };
            let category = item / shape.items_per_category;
            let amount = 100 + 10 * item;
            if shape.category_column {
                out.push_str(&format!(
                    "M{m:03},{}T10:00:00,I{item:03},C{category},1,{amount}\n",
                    day(d)
                ));
            } else {
                out.push_str(&format!(
                    "M{m:03},{}T10:00:00,I{item:03},1,{amount}\n",
                    day(d)
                ));
            }
        }
    }
    out
}

fn config(dir: &Path, members: Option<PathBuf>, as_of: Option<i32>) -> TrainConfig {
    TrainConfig::from_args(Args {
        transactions: dir.join("orders.csv"),
        mapping: members
            .as_ref()
            .map(|_| sample("mappings/canonical.toml").display().to_string()),
        members,
        as_of: as_of.map(|d| start() + chrono::Duration::days(d.into())),
        horizon_days: None,
        models: dir.join("models"),
        out: dir.join("out"),
        config: None,
        skip_bad_rows: false,
        seed: None,
        exclude_recent_days: None,
        max_per_category: None,
    })
    .unwrap()
}

/// A trained shape: its folder, run summary, `run.json` and `card.json`.
struct Trained {
    dir: tempfile::TempDir,
    summary: RunSummary,
    run_json: Value,
    card: Value,
}

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

fn train(shape: Shape, members_csv: Option<&str>, as_of: Option<i32>) -> Trained {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("orders.csv"), orders(shape)).unwrap();
    let members = members_csv.map(|text| {
        let p = dir.path().join("members.csv");
        std::fs::write(&p, text).unwrap();
        p
    });
    let summary = run(&config(dir.path(), members, as_of))
        .unwrap_or_else(|e| panic!("{shape:?} did not train: {:#}", anyhow_chain(&e)));
    let run_json = read_json(&dir.path().join("out/run.json"));
    let card = read_json(&dir.path().join("models/current/card.json"));
    Trained {
        dir,
        summary,
        run_json,
        card,
    }
}

fn anyhow_chain(e: &training::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

/// The rule `part` fell back to, in `run.json`; also checks `card.json` says the same.
fn rule_of(t: &Trained, part: &str) -> Option<String> {
    let find = |v: &Value| {
        v["fallbacks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["part"] == part)
            .map(|f| {
                assert!(f["reason"].as_str().is_some_and(|r| !r.is_empty()), "{f}");
                f["rule"].as_str().unwrap().to_string()
            })
    };
    let in_run = find(&t.run_json);
    assert_eq!(
        in_run,
        find(&t.card),
        "run.json and card.json disagree on {part}"
    );
    in_run
}

fn assert_falls_back(t: &Trained, part: &str, rule: &str) {
    assert_eq!(
        rule_of(t, part).as_deref(),
        Some(rule),
        "{part} in {}",
        t.run_json["fallbacks"]
    );
}

fn serve(t: &Trained) -> (Server, Client) {
    let s = settings(
        &t.dir.path().join("models"),
        &t.dir.path().join("events.log"),
        None,
    );
    let server = Server::start(s);
    let client = Client::new(&server);
    (server, client)
}

/// Asserts each kind's answer is learned or flagged as its fallback, as the card says.
fn assert_served(t: &Trained, client: &Client, member: &str) {
    let churn = client.get(&format!("/v1/members/{member}/churn"), Some(MARKETER));
    assert_eq!(churn.status, 200, "{}", churn.body);
    let churn = churn.json();
    let p = churn["churn_probability"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&p), "{churn}");
    match rule_of(t, "churn") {
        Some(rule) => assert!(
            churn["fallback"]
                .as_str()
                .is_some_and(|f| f.starts_with(&rule)),
            "{churn}"
        ),
        None => assert!(churn.get("fallback").is_none(), "{churn}"),
    }
    for (kind, part) in [("category", "next_category"), ("item", "next_item")] {
        let reply = client.get(
            &format!("/v1/members/{member}/recommendations?k=5&kind={kind}"),
            Some(STOREFRONT),
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
        let v = reply.json();
        match rule_of(t, part) {
            Some(rule) => {
                assert_eq!(v["ranker"], "fallback-popularity", "{v}");
                assert!(
                    v["fallback"].as_str().is_some_and(|f| f.starts_with(&rule)),
                    "{v}"
                );
            }
            None => {
                assert_eq!(v["ranker"], "learned", "{v}");
                assert!(v.get("fallback").is_none(), "{v}");
            }
        }
    }
}

/// Lists of `kind` in `recommendations.csv`, by member.
fn written_lists(t: &Trained, kind: &str) -> usize {
    let mut reader = csv::Reader::from_path(t.dir.path().join("out/recommendations.csv")).unwrap();
    let mut members: Vec<String> = reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[1] == kind)
        .map(|r| r[0].to_string())
        .collect();
    members.dedup();
    members.len()
}

#[test]
fn a_store_with_one_category_falls_back_for_categories_and_still_learns_churn_and_items() {
    let shape = Shape {
        categories: 1,
        items_per_category: 30,
        ..NORMAL
    };
    let t = train(shape, None, Some(150));
    assert_falls_back(&t, "next_category", "personal_top_then_popular");
    assert_eq!(rule_of(&t, "churn"), None);
    assert_ne!(t.summary.churn_model, "fallback");
    assert!(written_lists(&t, "category") > 0);
    assert!(
        !t.dir
            .path()
            .join("models/current/next_category.onnx")
            .exists()
    );
    let (_server, client) = serve(&t);
    assert_served(&t, &client, "M001");
}

#[test]
fn a_store_with_one_item_publishes_churn_and_popularity_lists_for_both_kinds() {
    let shape = Shape {
        categories: 1,
        items_per_category: 1,
        ..NORMAL
    };
    let t = train(shape, None, Some(150));
    assert_falls_back(&t, "next_category", "personal_top_then_popular");
    assert_falls_back(&t, "next_item", "personal_top_then_popular");
    assert!(t.dir.path().join("models/current/churn.onnx").exists());
    let recommend: Value = read_json(&t.dir.path().join("models/current/recommend.json"));
    assert_eq!(recommend["models"], serde_json::json!([]));
    assert!(written_lists(&t, "item") > 0);
    let (_server, client) = serve(&t);
    assert_served(&t, &client, "M002");
}

#[test]
fn orders_without_a_category_column_skip_categories_and_learn_items() {
    let shape = Shape {
        category_column: false,
        ..NORMAL
    };
    let t = train(shape, None, Some(150));
    assert_falls_back(&t, "next_category", "skipped");
    assert_eq!(rule_of(&t, "next_item"), None);
    let (_server, client) = serve(&t);
    assert_served(&t, &client, "M003");
}

#[test]
fn all_lines_on_one_day_train_no_cutoff_and_publish_fallback_models() {
    let shape = Shape { days: 1, ..NORMAL };
    let t = train(shape, None, None);
    assert_eq!(t.summary.cutoffs.cutoffs.len(), 0);
    assert_falls_back(&t, "cutoffs", "no_cutoff");
    let churn = rule_of(&t, "churn").expect("churn falls back");
    assert!(["recency", "bgnbd_no_purchase"].contains(&churn.as_str()));
    assert_falls_back(&t, "next_category", "personal_top_then_popular");
    assert_falls_back(&t, "next_item", "personal_top_then_popular");
    assert_eq!(t.card["churn"]["model_kind"], "fallback");
    let (_server, client) = serve(&t);
    assert_served(&t, &client, "M004");
}

#[test]
fn twenty_members_fall_back_to_rules_for_churn_and_rankers() {
    let shape = Shape {
        members: 20,
        ..NORMAL
    };
    let t = train(shape, None, Some(150));
    let churn = rule_of(&t, "churn").expect("churn falls back");
    assert!(["recency", "bgnbd_no_purchase"].contains(&churn.as_str()));
    assert_eq!(t.summary.churn_model, "fallback");
    assert_falls_back(&t, "next_category", "personal_top_then_popular");
    assert_falls_back(&t, "next_item", "personal_top_then_popular");
    let scores = std::fs::read_to_string(t.dir.path().join("out/scores.csv")).unwrap();
    assert_eq!(scores.lines().count(), 21);
    let (_server, client) = serve(&t);
    assert_served(&t, &client, "M005");
}

#[test]
fn history_shorter_than_the_horizon_trains_on_one_short_cutoff() {
    let shape = Shape { days: 20, ..NORMAL };
    let t = train(shape, None, None);
    assert_falls_back(&t, "cutoffs", "one_shortened_cutoff");
    assert_eq!(t.summary.cutoffs.cutoffs.len(), 1);
    assert!(t.summary.cutoffs.cutoffs[0].horizon_days < 28);
    // Trees cannot extrapolate to the longer history at as-of: not a candidate.
    let training = &t.card["churn"]["training"];
    let names: Vec<&str> = training["selection"]["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"bgnbd") && !names.contains(&"boosted_trees"),
        "{names:?}"
    );
    // The level at as-of is BG/NBD's for the full horizon: the scores' mean equals its mean.
    let shift = &training["level_shift"];
    let target = shift["mean_target"].as_f64().unwrap();
    assert!(target > 0.0 && target < 1.0, "{shift}");
    let scores = std::fs::read_to_string(t.dir.path().join("out/scores.csv")).unwrap();
    let probs: Vec<f64> = scores
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    let mean = probs.iter().sum::<f64>() / probs.len() as f64;
    assert!(
        (mean - target).abs() < 1e-4,
        "mean {mean} vs BG/NBD {target}"
    );
    let (_server, client) = serve(&t);
    assert_served(&t, &client, "M006");
}

#[test]
fn a_members_table_without_a_tier_column_is_read_and_served() {
    let mut members = String::from("member_id,joined,region\n");
    for m in 0..NORMAL.members {
        members.push_str(&format!("M{m:03},2023-0{}-01,R{}\n", 1 + m % 9, m % 4));
    }
    let t = train(NORMAL, Some(&members), Some(150));
    let (_server, client) = serve(&t);
    assert_served(&t, &client, "M007");
    let portrait = client.get("/v1/members/M007", Some(STOREFRONT)).json();
    assert_eq!(portrait["attributes"]["region"], "R3", "{portrait}");
}

#[test]
fn a_bad_row_in_a_small_shape_still_fails_naming_the_row_and_publishes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let shape = Shape {
        members: 20,
        ..NORMAL
    };
    let mut text = orders(shape);
    let rows = text.lines().count() - 1;
    text.push_str("M001,2024-02-30,I001,C0,1,100\n");
    std::fs::write(dir.path().join("orders.csv"), text).unwrap();
    let e = run(&config(dir.path(), None, Some(150))).unwrap_err();
    let message = anyhow_chain(&e);
    let expected = format!("row {} (line {}), ts:", rows + 1, rows + 2);
    assert!(message.contains(&expected), "{message}");
    assert!(!dir.path().join("models/current").exists());
}
