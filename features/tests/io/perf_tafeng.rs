use features::io::{ColumnMapping, ReadOptions, read_orders};
use std::time::Instant;

#[test]
#[ignore]
fn perf() {
    let path = "/work/tafeng/ta_feng_all_months_merged.csv";
    for _ in 0..3 {
        let t = Instant::now();
        let r = read_orders(path, &ReadOptions::new(ColumnMapping::tafeng())).unwrap();
        let t_read = t.elapsed();
        let book = r.builder.finish();
        let t_fin = t.elapsed();
        let as_of = features::Day::from_date(chrono::NaiveDate::from_ymd_opt(2001, 2, 1).unwrap());
        let snap = book.snapshot(as_of);
        let t_snap = t.elapsed();
        eprintln!(
            "read {:?} finish {:?} snapshot {:?} rows {} members {} snap {} fp {}",
            t_read,
            t_fin,
            t_snap,
            r.rows_read,
            book.members().len(),
            snap.len(),
            r.fingerprint
        );
    }
}
