//! Read the Ta Feng CSV and snapshot every member at 2001-02-01 and two earlier cutoffs.
//!
//! A bench binary (not criterion: one cold read is the quantity of interest, and peak memory is
//! per process). Run through `scripts/bench-snapshot.sh`, which fetches the data first; or set
//! `TIEFEN_TAFENG_CSV` to the CSV and run `cargo bench -p features --features arrow --bench
//! tafeng_snapshot`. Checks the reference protocol's population (28,610) and churn base rate
//! (0.537) on the way, so a fast but wrong reader cannot pass.

use std::time::Instant;

use chrono::NaiveDate;
use features::io::{ColumnMapping, ReadOptions, read_orders};
use features::{Day, OrderBook};

const ROUNDS: usize = 5;

fn main() {
    let path = std::env::var("TIEFEN_TAFENG_CSV")
        .expect("set TIEFEN_TAFENG_CSV to ta_feng_all_months_merged.csv");
    let csv_bytes = std::fs::metadata(&path).expect("the Ta Feng CSV").len();
    let day = |y, m, d| Day::from_date(NaiveDate::from_ymd_opt(y, m, d).unwrap());
    let cutoffs = [day(2001, 2, 1), day(2001, 1, 4), day(2000, 12, 7)];
    let mut read_ms = Vec::new();
    let mut snap_ms: Vec<Vec<f64>> = vec![Vec::new(); cutoffs.len()];
    for round in 0..ROUNDS {
        let t = Instant::now();
        let book = read(&path);
        read_ms.push(ms(t));
        for (i, &c) in cutoffs.iter().enumerate() {
            let t = Instant::now();
            let snap = book.snapshot(c);
            snap_ms[i].push(ms(t));
            if round == 0 && i == 0 {
                check_reference(&book, &snap);
            }
        }
    }
    let peak = peak_rss_bytes();
    report("read (csv -> order book)", &read_ms);
    for (c, times) in cutoffs.iter().zip(&snap_ms) {
        report(&format!("snapshot at {c}"), times);
    }
    let first: Vec<f64> = read_ms
        .iter()
        .zip(&snap_ms[0])
        .map(|(r, s)| r + s)
        .collect();
    report("read + first snapshot", &first);
    eprintln!(
        "peak RSS {:.1} MiB = {:.2} x the CSV ({:.1} MiB)",
        peak as f64 / 1048576.0,
        peak as f64 / csv_bytes as f64,
        csv_bytes as f64 / 1048576.0
    );
}

fn read(path: &str) -> OrderBook {
    read_orders(path, &ReadOptions::new(ColumnMapping::tafeng()))
        .expect("Ta Feng reads cleanly")
        .into_book()
}

fn check_reference(book: &OrderBook, snap: &features::Snapshot) {
    assert_eq!(book.line_count(), 817_741);
    assert_eq!(snap.len(), 28_610, "population at 2001-02-01");
    let churned = book.churn_labels(snap, 28).iter().filter(|&&c| c).count();
    let rate = churned as f64 / snap.len() as f64;
    assert!((rate - 0.537).abs() < 0.0005, "base churn rate {rate}");
    eprintln!(
        "reference protocol: {} lines, population {}, base churn rate {rate:.3}",
        book.line_count(),
        snap.len()
    );
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn report(what: &str, times: &[f64]) {
    let mut s = times.to_vec();
    s.sort_by(f64::total_cmp);
    eprintln!(
        "{what:<28} median {:>7.1} ms  min {:>7.1} ms  max {:>7.1} ms  ({} runs)",
        s[s.len() / 2],
        s[0],
        s[s.len() - 1],
        s.len()
    );
}

fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}
