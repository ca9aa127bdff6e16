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

const GOOD: &str = "member_id,ts,item_id,category,quantity,amount
m1,2024-01-02,toner,碳粉匣,1,1200
m1,2024-02-13,toner,碳粉匣,1,1200
m2,2024-01-20T10:00:00,skirt,裙子,1,900
m1,2024-03-26,toner,碳粉匣,1,1200
m3,2024-03-30,socks,襪子,2,-200
";

#[test]
fn a_good_file_trains_and_writes_the_run_report_and_features() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "orders.csv", GOOD);
    let out = dir.path().join("out");
    let o = train(&[
        "--transactions",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--as-of",
        "2024-03-01",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("as of 2024-03-01, 5 rows (0 rejected), 2 members in the population"),
        "{}",
        stderr(&o)
    );
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["as_of"], "2024-03-01");
    assert_eq!(run["return_lines"], 1);
    assert_eq!(run["cutoffs"]["cutoffs"].as_array().unwrap().len(), 1);
    assert_eq!(run["cutoffs"]["cutoffs"][0]["as_of"], "2024-02-02");
    assert_eq!(run["cutoffs"]["fallback"], serde_json::Value::Null);
    let features = std::fs::read_to_string(out.join("features.csv")).unwrap();
    let lines: Vec<&str> = features.lines().collect();
    assert!(lines[0].starts_with("member_id,recency_days,frequency_days,"));
    assert_eq!(lines.len(), 3);
    assert!(lines[1].starts_with("m1,17,2,2,2400,"), "{}", lines[1]);
    assert!(lines[2].starts_with("m2,41,1,1,900,"), "{}", lines[2]);
}

#[test]
fn a_missing_file_is_one_clear_error() {
    let o = train(&[
        "--transactions",
        "/nonexistent/orders.csv",
        "--out",
        "/tmp/never",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("--transactions /nonexistent/orders.csv: no such file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_missing_column_names_the_file_the_column_and_what_was_found() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "orders.csv",
        "member_id,ts,item,category,quantity,amount\nm1,2024-01-02,a,b,1,2\n",
    );
    let o = train(&[
        "--transactions",
        data.to_str().unwrap(),
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("orders.csv") && e.contains("item_id") && e.contains("columns found"),
        "{e}"
    );
}

#[test]
fn an_out_of_range_config_value_is_rejected_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "orders.csv", GOOD);
    let o = train(&[
        "--transactions",
        data.to_str().unwrap(),
        "--out",
        "/tmp/never",
        "--horizon-days",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("horizon_days must be 1..=365, got 0"),
        "{}",
        stderr(&o)
    );
    let cfg = write(dir.path(), "train.toml", "max_cutoffs = 99\n");
    let o = train(&[
        "--transactions",
        data.to_str().unwrap(),
        "--out",
        "/tmp/never",
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert!(
        stderr(&o).contains("max_cutoffs must be 1..=24, got 99"),
        "{}",
        stderr(&o)
    );
    let cfg = write(dir.path(), "typo.toml", "horizon = 28\n");
    let o = train(&[
        "--transactions",
        data.to_str().unwrap(),
        "--out",
        "/tmp/never",
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert!(
        stderr(&o).contains("unknown field `horizon`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn too_little_history_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "orders.csv", GOOD);
    let out = dir.path().join("o");
    let o = train(&[
        "--transactions",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--as-of",
        "2024-01-01",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no order line before the as-of date 2024-01-01"),
        "{}",
        stderr(&o)
    );
    let o = train(&[
        "--transactions",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--as-of",
        "2024-01-03",
    ]);
    assert!(stderr(&o).contains("spans 1 day(s)"), "{}", stderr(&o));
}

#[test]
fn bad_rows_stop_the_run_unless_skipped_into_a_rejects_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = format!("{GOOD}m4,2024-02-30,x,y,1,5\n,2024-02-01,x,y,1,5\n");
    let data = write(dir.path(), "orders.csv", &bad);
    let out = dir.path().join("o");
    let o = train(&[
        "--transactions",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("2 bad rows"), "{e}");
    assert!(
        e.contains("row 6 (line 7), ts:") && e.contains("row 7 (line 8), member_id:"),
        "{e}"
    );
    let o = train(&[
        "--transactions",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--skip-bad-rows",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rejects = std::fs::read_to_string(out.join("rejects.csv")).unwrap();
    assert_eq!(rejects.lines().count(), 3, "{rejects}");
    assert!(
        stderr(&o).contains("5 rows (2 rejected)") || stderr(&o).contains("7 rows (2 rejected)"),
        "{}",
        stderr(&o)
    );
}
