//! Property: what is read does not depend on row order or on how rows are split into batches.

use features::io::{ReadOptions, read_orders};
use features::{Day, OrderBook, OrderBookBuilder};
use proptest::prelude::*;

const T: Day = Day(19_700);

type Row = (u8, i32, u8, u8, i16, u32);

fn csv_of(rows: &[Row]) -> String {
    let mut s = String::from("member_id,ts,item_id,category,quantity,amount\n");
    for &(m, day, item, cat, q, cents) in rows {
        let date = T.plus(-day).to_date();
        let cat = if cat == 0 {
            String::new()
        } else {
            format!("類{cat}")
        };
        s.push_str(&format!(
            "00{m},{date}T10:{:02}:00,\"品,{item}\",{cat},{q},{}.{:02}\n",
            item % 60,
            cents / 100,
            cents % 100
        ));
    }
    s
}

fn direct(rows: &[Row]) -> OrderBook {
    let mut b = OrderBookBuilder::new();
    for &(m, day, item, cat, q, cents) in rows {
        let ts = T.plus(-day).start_ts() + 36_000 + 60 * i64::from(item % 60);
        let cat = if cat == 0 {
            String::new()
        } else {
            format!("類{cat}")
        };
        b.push_line(
            &format!("00{m}"),
            ts,
            &format!("品,{item}"),
            &cat,
            f64::from(q),
            f64::from(cents) / 100.0,
        );
    }
    b.finish()
}

fn rows_by_member(book: &OrderBook, as_of: Day) -> Vec<(String, Vec<f32>)> {
    let snap = book.snapshot(as_of);
    (0..snap.len())
        .map(|i| {
            (
                book.members().name(snap.members[i]).to_string(),
                snap.row(i).to_vec(),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_row_order_and_batch_size_read_to_the_same_snapshots(
        rows in prop::collection::vec((0u8..5, -20i32..200, 0u8..12, 0u8..4, -1i16..4, 0u32..100_000), 1..120),
        batch_size in 1usize..50,
        rotate in 0usize..120,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut shuffled = rows.clone();
        let k = rotate % shuffled.len();
        shuffled.rotate_left(k);
        shuffled.reverse();
        let path = dir.path().join("orders.csv");
        std::fs::write(&path, csv_of(&shuffled)).unwrap();
        let read = read_orders(&path, &ReadOptions::default().with_batch_size(batch_size)).unwrap().into_book();
        let reference = direct(&rows);
        for as_of in [T.plus(-60), T, T.plus(30)] {
            prop_assert_eq!(rows_by_member(&read, as_of), rows_by_member(&reference, as_of));
        }
    }
}
