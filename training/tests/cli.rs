//! `tiefen-train` as a user runs it: the real binary on small files, success and error paths.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn train(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tiefen-train"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `tiefen-train --transactions DATA --out OUT --models OUT/../models EXTRA...` (never the
/// default `models/`, which would be the crate folder under `cargo test`).
fn train_on(data: &Path, out: &Path, extra: &[&str]) -> Output {
    let models = out.parent().unwrap().join("models");
    let mut args = vec![
        "--transactions",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--models",
        models.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    train(&args)
}

/// Asserts the run failed with exit code 1 and an error message containing `expected`.
fn assert_fails_with(o: &Output, expected: &str) {
    assert_eq!(o.status.code(), Some(1), "{}", stderr(o));
    assert!(
        stderr(o).contains(expected),
        "expected {expected:?} in: {}",
        stderr(o)
    );
}

const GOOD: &str = "member_id,ts,item_id,category,quantity,amount
m1,2024-01-02,toner,碳粉匣,1,1200
m1,2024-02-13,toner,碳粉匣,1,1200
m2,2024-01-20T10:00:00,skirt,裙子,1,900
m1,2024-03-26,toner,碳粉匣,1,1200
m3,2024-03-30,socks,襪子,2,-200
";

fn sample(name: &str) -> String {
    format!("{}/../notebooks-data/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_bundled_sample_trains_and_writes_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let (out, models) = (dir.path().join("out"), dir.path().join("models"));
    let mapping = sample("mappings/canonical.toml");
    let members = sample("sample/members.csv");
    let config = sample("sample/train.toml");
    let o = train_on(
        Path::new(&sample("sample/orders.csv")),
        &out,
        &[
            "--members",
            &members,
            "--mapping",
            &mapping,
            "--as-of",
            "2024-12-04",
            "--config",
            &config,
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("as of 2024-12-04, 54728 rows (0 rejected), 2134 members in the population, 6 training cutoff(s)"), "{}", stderr(&o));
    let last = stderr(&o).lines().last().unwrap_or_default().to_string();
    for part in [
        "; churn AUC 0.",
        " / Brier 0.",
        "(best baseline ",
        "; next_category Recall@10 0.",
        "; next_item Recall@10 0.",
        "; fallbacks: none",
    ] {
        assert!(last.contains(part), "{part:?} not in {last}");
    }
    for f in [
        "run.json",
        "evaluation.json",
        "scores.csv",
        "scores.parquet",
        "features.csv",
        "segments.csv",
        "segments.parquet",
        "offers.csv",
        "offers.parquet",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    assert!(
        models.join("current/churn.onnx").is_file() && models.join("current/card.json").is_file()
    );
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["as_of"], "2024-12-04");
    assert_eq!(run["return_lines"], 532);
    assert_eq!(run["cutoffs"]["cutoffs"][0]["as_of"], "2024-11-06");
    let stages: Vec<&str> = run["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s[0].as_str().unwrap())
        .collect();
    assert_eq!(
        stages,
        [
            "load",
            "fit churn",
            "score",
            "evaluate",
            "fit + rank next_category",
            "fit + rank next_item",
            "evaluate recommendations",
            "fit segments",
            "score, rank and write every member",
            "export rankers",
            "promotion backtest",
            "export",
        ]
    );
    let features = std::fs::read_to_string(out.join("features.csv")).unwrap();
    assert!(features.starts_with("member_id,recency_days,frequency_days,"));
    assert_eq!(features.lines().count(), 2_135);
    let segments = std::fs::read_to_string(out.join("segments.csv")).unwrap();
    assert!(segments.starts_with(
        "member_id,rfm_group,previous_rfm_group,lifecycle,rfm_score,tier,spend_to_next_tier,\
         tier_expiry,predicted_spend_h,predicted_value,expected_next_order,churn_probability,\
         value_band,tier_keep_probability\n"
    ));
    assert_eq!(segments.lines().count(), 2_135);
    let summary = &run["segments"];
    assert_eq!(summary["members"], 2_134);
    let grouped: u64 = summary["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["members"].as_u64().unwrap())
        .sum();
    let moved: u64 = summary["movement"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|to| to.as_object().unwrap().values())
        .map(|n| n.as_u64().unwrap())
        .sum();
    let without = summary["without_purchase"].as_u64().unwrap();
    assert_eq!(grouped + without, 2_134);
    assert_eq!(moved, grouped);
    assert_eq!(summary["groups"].as_array().unwrap().len(), 11);
    assert!(models.join("current/segments.json").is_file());
    // The sample's tier programme: every member of the members table is compared.
    let agreement = &summary["tier_agreement"];
    assert_eq!(agreement["compared"], 3_000, "{agreement}");
    assert_eq!(agreement["agree"], 2_498, "{agreement}");
    let tiers: u64 = summary["tiers"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(tiers, grouped);
}

#[test]
fn a_file_too_small_to_learn_from_publishes_fallback_models_and_says_which() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "orders.csv", GOOD);
    let out = dir.path().join("o");
    let o = train_on(&data, &out, &["--as-of", "2024-03-01"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let last = stderr(&o).lines().last().unwrap_or_default().to_string();
    assert!(
        last.contains("fell back: churn (")
            && last.contains("next_category (personal_top_then_popular)")
            && last.contains("next_item (personal_top_then_popular)"),
        "{last}"
    );
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["churn_model"], "fallback");
    let churn = run["fallbacks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["part"] == "churn")
        .unwrap();
    assert!(
        churn["reason"]
            .as_str()
            .unwrap()
            .contains("fewer than the 50 a churn model needs"),
        "{churn}"
    );
    assert!(dir.path().join("models/current/churn.onnx").exists());
}

#[test]
fn a_missing_file_is_one_clear_error() {
    let o = train_on(
        Path::new("/nonexistent/orders.csv"),
        Path::new("/tmp/never"),
        &[],
    );
    assert_fails_with(&o, "--transactions /nonexistent/orders.csv: no such file");
}

#[test]
fn a_missing_column_names_the_file_the_column_and_what_was_found() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "orders.csv",
        "member_id,ts,item,category,quantity,amount\nm1,2024-01-02,a,b,1,2\n",
    );
    let o = train_on(&data, &dir.path().join("o"), &[]);
    assert_fails_with(&o, "orders.csv");
    assert!(
        stderr(&o).contains("item_id") && stderr(&o).contains("columns found"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_out_of_range_config_value_is_rejected_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "orders.csv", GOOD);
    let out = dir.path().join("o");
    assert_fails_with(
        &train_on(&data, &out, &["--horizon-days", "0"]),
        "horizon_days must be 1..=365, got 0",
    );
    assert_fails_with(
        &train_on(&data, &out, &["--max-per-category", "21"]),
        "max_per_category must be 1..=20, got 21",
    );
    for (file, text, expected) in [
        (
            "train.toml",
            "max_cutoffs = 99\n",
            "max_cutoffs must be 1..=24, got 99",
        ),
        ("typo.toml", "horizon = 28\n", "unknown field `horizon`"),
        (
            "shop.toml",
            "exclude_recent_days = 0\n",
            "exclude_recent_days must be 1..=365, got 0",
        ),
    ] {
        let cfg = write(dir.path(), file, text);
        assert_fails_with(
            &train_on(&data, &out, &["--config", cfg.to_str().unwrap()]),
            expected,
        );
    }
    assert!(!out.join("run.json").exists());
}

#[test]
fn no_history_before_as_of_is_a_clear_error_and_one_day_of_it_falls_back() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "orders.csv", GOOD);
    let out = dir.path().join("o");
    assert_fails_with(
        &train_on(&data, &out, &["--as-of", "2024-01-01"]),
        "no order line before the as-of date 2024-01-01",
    );
    let one_day = train_on(&data, &out, &["--as-of", "2024-01-03"]);
    assert!(one_day.status.success(), "{}", stderr(&one_day));
    assert!(
        stderr(&one_day).contains("fell back: cutoffs (no_cutoff), churn ("),
        "{}",
        stderr(&one_day)
    );
}

#[test]
fn bad_rows_stop_the_run_unless_skipped_into_a_rejects_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "orders.csv",
        &format!("{GOOD}m4,2024-02-30,x,y,1,5\n,2024-02-01,x,y,1,5\n"),
    );
    let out = dir.path().join("o");
    let o = train_on(&data, &out, &[]);
    assert_fails_with(&o, "2 bad rows");
    assert!(
        stderr(&o).contains("row 6 (line 7), ts:")
            && stderr(&o).contains("row 7 (line 8), member_id:"),
        "{}",
        stderr(&o)
    );
    let o = train_on(&data, &out, &["--skip-bad-rows"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rejects = std::fs::read_to_string(out.join("rejects.csv")).unwrap();
    let rows: Vec<&str> = rejects
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(rows, ["6", "7"], "{rejects}");
}
