//! The promotion gate as data staff meet it: `tiefen-train` on the bundled sample, then again
//! with hyperparameters that make the models clearly worse, into the same models folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn sample(name: &str) -> String {
    format!("{}/../notebooks-data/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// `tiefen-train` on the bundled sample at as-of 2024-12-04 (so every version holds a backtest
/// there) into `dir/models`, writing the run's files to `dir/<out>`.
fn train(dir: &Path, out: &str, extra: &[&str]) -> (Output, Value) {
    train_at(dir, out, "2024-12-04", extra)
}

/// [`train`] at another as-of date.
fn train_at(dir: &Path, out: &str, as_of: &str, extra: &[&str]) -> (Output, Value) {
    let out = dir.join(out);
    let models = dir.join("models");
    let (orders, members, mapping) = (
        sample("sample/orders.csv"),
        sample("sample/members.csv"),
        sample("mappings/canonical.toml"),
    );
    let mut args = vec![
        "--transactions",
        &orders,
        "--members",
        &members,
        "--mapping",
        &mapping,
        "--as-of",
        as_of,
        "--out",
        out.to_str().unwrap(),
        "--models",
        models.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = tiefen_train(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let run = read_json(&out.join("run.json"));
    (o, run)
}

fn tiefen_train(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tiefen-train"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn read_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap()
}

fn current(dir: &Path) -> PathBuf {
    std::fs::read_link(dir.join("models/current")).unwrap()
}

/// Ridge that erases the logistic models, no trees, and one-split rankers.
const WORSE: &str = "[churn]
trees = false
[churn.logistic]
ridge = 1e9
max_iter = 1
[recommend.ranker]
iterations = 1
max_depth = 1
";

#[test]
fn a_clearly_worse_version_is_written_but_not_promoted_and_promote_always_promotes_it() {
    let dir = tempfile::tempdir().unwrap();
    let (_, first) = train(dir.path(), "first", &[]);
    let v1 = first["model_version"].as_str().unwrap().to_string();
    assert_eq!(first["promotion"]["promoted"], true);
    assert_eq!(
        first["promotion"]["reason"],
        "not compared: no serving version"
    );
    assert_eq!(current(dir.path()), PathBuf::from(&v1));

    let config = dir.path().join("worse.toml");
    std::fs::write(&config, WORSE).unwrap();
    let (o, second) = train(
        dir.path(),
        "second",
        &["--config", config.to_str().unwrap()],
    );
    let v2 = second["model_version"].as_str().unwrap().to_string();
    assert_ne!(v1, v2);
    let card = read_json(&dir.path().join("models").join(&v2).join("card.json"));
    assert_eq!(
        card["params"]["churn"]["trees"], false,
        "the card holds the params"
    );
    assert_eq!(card["params"]["recommend"]["ranker"]["iterations"], 1);
    assert_eq!(
        current(dir.path()),
        PathBuf::from(&v1),
        "the worse version must not be promoted"
    );
    let p = &second["promotion"];
    assert_eq!(
        (&p["mode"], &p["promoted"], &p["compared"]),
        (
            &Value::from("if-better"),
            &Value::from(false),
            &Value::from(true)
        )
    );
    assert_eq!(p["serving_version"], v1.as_str());
    let fell = p["fell"].as_array().unwrap();
    let item = fell
        .iter()
        .find(|m| m["metric"] == "next_item.recall_at_10")
        .unwrap_or_else(|| panic!("next_item.recall_at_10 not among {fell:?}"));
    let change = item["change"].as_f64().unwrap();
    assert!(change < -0.05, "next_item.recall_at_10 changed by {change}");
    assert!(
        p["reason"]
            .as_str()
            .unwrap()
            .contains("next_item.recall_at_10 fell by"),
        "{p}"
    );
    let log = stderr(&o);
    assert!(log.contains("written but not promoted"), "{log}");
    assert!(log.contains("next_item.recall_at_10 fell by"), "{log}");

    let (v1_dir, v2_dir) = (
        dir.path().join("models").join(&v1),
        dir.path().join("models").join(&v2),
    );
    let compared = tiefen_train(&[
        "--compare",
        v1_dir.to_str().unwrap(),
        v2_dir.to_str().unwrap(),
    ]);
    assert!(compared.status.success(), "{}", stderr(&compared));
    let table = String::from_utf8(compared.stdout).unwrap();
    for part in [v1.as_str(), v2.as_str(), "OLD", "NEW"] {
        assert!(table.contains(part), "{part} not in\n{table}");
    }
    let recall = table
        .lines()
        .find(|l| l.starts_with("next_item.recall_at_10 "))
        .unwrap_or_else(|| panic!("no next_item.recall_at_10 row in\n{table}"));
    let cells: Vec<&str> = recall.split_whitespace().collect();
    let number = |s: &str| s.parse::<f64>().unwrap();
    assert!(number(cells[1]) > number(cells[2]) + 0.05, "{recall}");
    assert!(
        table.contains("params.recommend.ranker.iterations"),
        "{table}"
    );

    let (_, third) = train(
        dir.path(),
        "third",
        &["--config", config.to_str().unwrap(), "--promote", "always"],
    );
    assert_eq!(
        third["model_version"],
        v2.as_str(),
        "same inputs, same version"
    );
    assert_eq!(third["promotion"]["promoted"], true);
    assert_eq!(current(dir.path()), PathBuf::from(&v2));

    let (_, fourth) = train(dir.path(), "fourth", &["--promote", "never"]);
    assert_eq!(fourth["model_version"], v1.as_str());
    assert_eq!(fourth["promotion"]["promoted"], false);
    assert_eq!(fourth["promotion"]["reason"], "--promote never");
    assert_eq!(current(dir.path()), PathBuf::from(&v2));
}

/// The sample's data ends on 2024-12-31, so with a 28-day horizon the latest complete label
/// window starts on 2024-12-04.
#[test]
fn a_retrain_for_a_later_as_of_is_gated_on_both_versions_scored_at_the_latest_complete_window() {
    let dir = tempfile::tempdir().unwrap();
    let (_, first) = train_at(dir.path(), "first", "2024-11-01", &[]);
    let v1 = first["model_version"].as_str().unwrap().to_string();

    // A production run (as-of after the data) with a worse configuration: the serving version
    // as built and this configuration refitted before 2024-12-04 are both scored there.
    let config = dir.path().join("worse.toml");
    std::fs::write(&config, WORSE).unwrap();
    let (o, second) = train_at(
        dir.path(),
        "second",
        "2025-01-01",
        &["--config", config.to_str().unwrap()],
    );
    let p = &second["promotion"];
    assert_eq!(
        (&p["promoted"], &p["compared"]),
        (&Value::from(false), &Value::from(true)),
        "{p}"
    );
    assert_eq!(p["cutoff"], "2024-12-04", "{p}");
    let basis = p["basis"].as_str().unwrap();
    assert!(
        basis.contains(&format!("the serving version {v1} as built")),
        "{basis}"
    );
    assert!(basis.contains("refitted on the data before it"), "{basis}");
    let fell: Vec<&str> = p["fell"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["metric"].as_str().unwrap())
        .collect();
    assert!(fell.contains(&"next_item.recall_at_10"), "{p}");
    assert_eq!(current(dir.path()), PathBuf::from(&v1));
    assert!(
        stderr(&o).contains("written but not promoted"),
        "{}",
        stderr(&o)
    );
    let stages = second["stages"].to_string();
    assert!(stages.contains("promotion backtest"), "{stages}");

    // The same configuration as the serving version, a month later: compared at the same
    // cutoff and promoted.
    let (_, third) = train_at(dir.path(), "third", "2025-01-01", &[]);
    let p = &third["promotion"];
    assert_eq!(
        (&p["promoted"], &p["compared"]),
        (&Value::from(true), &Value::from(true)),
        "{p}"
    );
    assert_eq!(p["cutoff"], "2024-12-04", "{p}");
    let auc = p["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "churn.auc")
        .unwrap_or_else(|| panic!("no churn.auc in {p}"));
    let (serving, new) = (
        auc["serving"].as_f64().unwrap(),
        auc["new"].as_f64().unwrap(),
    );
    assert!(serving > 0.7 && new > 0.7, "{auc}");
    let v3 = third["model_version"].as_str().unwrap().to_string();
    assert_eq!(current(dir.path()), PathBuf::from(&v3));

    // Serving a version trained for 2024-12-20, whose training labels reach past 2024-12-04,
    // there is no cutoff new to both versions: not compared, and promoted, saying why.
    let (_, fourth) = train_at(dir.path(), "fourth", "2024-12-20", &["--promote", "always"]);
    let v4 = fourth["model_version"].as_str().unwrap().to_string();
    assert_eq!(current(dir.path()), PathBuf::from(&v4));
    let (_, fifth) = train_at(dir.path(), "fifth", "2025-01-01", &[]);
    let p = &fifth["promotion"];
    assert_eq!(
        (&p["promoted"], &p["compared"]),
        (&Value::from(true), &Value::from(false)),
        "{p}"
    );
    let reason = p["reason"].as_str().unwrap();
    assert!(
        reason.contains("learnt from labels up to 2024-12-20"),
        "{reason}"
    );
}
