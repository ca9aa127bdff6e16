use proptest::prelude::*;

use super::*;
use crate::spec::{FEATURES, idx};
use crate::{Kind, OrderBookBuilder, Window, preferences};

#[derive(Debug, Clone)]
struct RawLine {
    member: String,
    ts: i64,
    item: String,
    category: String,
    quantity: f64,
    amount: f64,
}

const T: Day = Day(11_354);

fn raw_line() -> impl Strategy<Value = RawLine> {
    (
        0..6u8,
        -120 * 86_400i64..40 * 86_400,
        0..8u8,
        0..4u8,
        -1i32..5,
        0u32..5_000,
        prop::bool::weighted(0.05),
    )
        .prop_map(|(m, offset, item, cat, q, cents, ret)| {
            let sign = if ret { -1.0 } else { 1.0 };
            RawLine {
                member: format!("會員{m}"),
                ts: T.start_ts() + offset,
                item: format!("item-{item}"),
                category: if cat == 0 {
                    String::new()
                } else {
                    format!("類別{cat}")
                },
                quantity: sign * f64::from(q.abs()),
                amount: sign * f64::from(cents) / 100.0,
            }
        })
}

fn book_of(lines: &[RawLine]) -> OrderBook {
    let mut b = OrderBookBuilder::new();
    for l in lines {
        b.push_line(&l.member, l.ts, &l.item, &l.category, l.quantity, l.amount);
    }
    b.finish()
}

fn by_member(book: &OrderBook, snap: &Snapshot) -> Vec<(String, Vec<f32>)> {
    (0..snap.len())
        .map(|i| {
            (
                book.members().name(snap.members[i]).to_string(),
                snap.row(i).to_vec(),
            )
        })
        .collect()
}

type PreferenceRow = (u32, u32, u32, f64, Day, Day, f32, f32);

proptest! {
    #[test]
    fn snapshots_do_not_depend_on_input_row_order(
        lines in prop::collection::vec(raw_line(), 1..80),
        seed in any::<u64>(),
    ) {
        let mut shuffled = lines.clone();
        let n = shuffled.len();
        let mut s = seed;
        for i in (1..n).rev() {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        let (a, b) = (book_of(&lines), book_of(&shuffled));
        for as_of in [T.plus(-30), T, T.plus(10)] {
            prop_assert_eq!(by_member(&a, &a.snapshot(as_of)), by_member(&b, &b.snapshot(as_of)));
        }
    }

    #[test]
    fn lines_at_or_after_as_of_change_nothing_before_it(
        past in prop::collection::vec(raw_line(), 1..60),
        future in prop::collection::vec(raw_line(), 0..30),
    ) {
        let past: Vec<RawLine> = past.into_iter().filter(|l| l.ts < T.start_ts()).collect();
        let future: Vec<RawLine> = future.into_iter().map(|mut l| { l.ts = T.start_ts() + l.ts.rem_euclid(40 * 86_400); l }).collect();
        let with_future: Vec<RawLine> = past.iter().chain(&future).cloned().collect();
        let (a, b) = (book_of(&past), book_of(&with_future));
        prop_assert_eq!(by_member(&a, &a.snapshot(T)), by_member(&b, &b.snapshot(T)));
    }

    #[test]
    fn features_are_finite_and_inside_their_documented_ranges(lines in prop::collection::vec(raw_line(), 1..80)) {
        let book = book_of(&lines);
        let snap = book.snapshot(T);
        for i in 0..snap.len() {
            let r = snap.row(i);
            for (f, &x) in FEATURES.iter().zip(r) {
                prop_assert!(x.is_finite(), "{} = {}", f.name, x);
                if matches!(f.unit, "count" | "days" | "flag" | "rank" | "share" | "units" | "ratio") {
                    prop_assert!(x >= 0.0, "{} = {}", f.name, x);
                }
                if f.unit == "flag" { prop_assert!(x == 0.0 || x == 1.0); }
            }
            prop_assert!(r[idx::RECENCY_DAYS] >= 1.0);
            prop_assert!(r[idx::RECENCY_DAYS] <= r[idx::TENURE_DAYS] || r[idx::FREQUENCY_DAYS] == 0.0);
            prop_assert!(r[idx::DAYS_7D] <= r[idx::DAYS_30D] && r[idx::DAYS_30D] <= r[idx::DAYS_90D]);
            prop_assert!(r[idx::DAYS_90D] <= r[idx::FREQUENCY_DAYS]);
            prop_assert!(r[idx::REPEAT_LINE_SHARE] <= 1.0);
            let dow: f32 = r[idx::DOW_MON..=idx::DOW_SUN].iter().sum();
            prop_assert!(r[idx::FREQUENCY_DAYS] == 0.0 || (dow - 1.0).abs() < 1e-5);
        }
    }
}

#[test]
fn snapshot_covers_exactly_the_members_with_a_line_before_as_of() {
    let mut b = OrderBookBuilder::new();
    b.push_line("early", T.start_ts() - 86_400, "i", "c", 1.0, 5.0);
    b.push_line("at-t", T.start_ts(), "i", "c", 1.0, 5.0);
    b.push_line("late", T.start_ts() + 86_400 * 3, "i", "c", 1.0, 5.0);
    let book = b.finish();
    let snap = book.snapshot(T);
    let names: Vec<&str> = snap
        .members
        .iter()
        .map(|&m| book.members().name(m))
        .collect();
    assert_eq!(names, ["early"]);
    assert_eq!(book.snapshot(T.plus(1)).len(), 2);
    assert!(book.snapshot(T.plus(-1)).is_empty());
}

#[test]
fn region_share_counts_only_the_population_before_as_of() {
    let mut b = OrderBookBuilder::new();
    let at = |d: i32| T.plus(d).start_ts() + 3_600;
    for (member, region, day) in [
        ("a", "115", -10),
        ("b", "115", -3),
        ("c", "221", -2),
        ("d", "", -1),
        ("e", "221", 0), // first line at as_of: not in the population
    ] {
        b.push_line(member, at(day), "i", "c", 1.0, 5.0);
        if !region.is_empty() {
            b.set_attributes(
                member,
                crate::MemberAttributes {
                    region: Some(region.into()),
                    ..Default::default()
                },
            );
        }
    }
    let book = b.finish();
    let snap = book.snapshot(T);
    assert_eq!(snap.len(), 4);
    let shares: Vec<f32> = (0..4).map(|i| snap.row(i)[idx::REGION_SHARE]).collect();
    assert_eq!(shares, [0.5, 0.5, 0.25, 0.0]);
    assert_eq!(snap.context.region_share.len(), 2);
    // A day later "e" belongs to the population: 221 now holds 2 of 5.
    let later = book.snapshot(T.plus(1));
    assert_eq!(later.context.region_share(Some("221")), 0.4);
    assert_eq!(later.context.region_share(Some("115")), 0.4);
}

#[test]
fn labels_and_truth_sets_read_only_the_window_and_ignore_returns() {
    let mut b = OrderBookBuilder::new();
    let at = |d: i32| T.plus(d).start_ts() + 3_600;
    b.push_line("a", at(-5), "toner", "碳粉匣", 1.0, 1200.0);
    b.push_line("a", at(0), "skirt", "裙子", 1.0, 900.0);
    b.push_line("a", at(27), "skirt-2", "裙子", 1.0, 800.0);
    b.push_line("a", at(28), "paper", "紙", 1.0, 100.0); // first day after the window
    b.push_line("b", at(-3), "toner", "碳粉匣", 1.0, 1200.0);
    b.push_line("b", at(2), "toner", "碳粉匣", -1.0, -1200.0); // a return is not buying
    b.push_line("c", at(-40), "paper", "紙", 2.0, 200.0);
    let book = b.finish();
    let snap = book.snapshot(T);
    assert_eq!(book.churn_labels(&snap, 28), [false, true, true]);
    let cats: Vec<Vec<&str>> = book
        .truth_sets(&snap, 28, Kind::Category)
        .iter()
        .map(|ids| ids.iter().map(|&c| book.categories().name(c)).collect())
        .collect();
    assert_eq!(cats, [vec!["裙子"], vec![], vec![]]);
    let items = Window::new(T, 28).truth(&book.history(0), Kind::Item);
    let names: Vec<&str> = items.iter().map(|&i| book.items().name(i)).collect();
    assert_eq!(names, ["skirt", "skirt-2"]);
}

#[test]
fn preferences_summarise_each_category_before_as_of() {
    let mut b = OrderBookBuilder::new();
    let at = |d: i32| T.plus(d).start_ts();
    for d in [-126, -84, -42] {
        b.push_line("m", at(d), "toner-black", "碳粉匣", 1.0, 1200.0);
    }
    b.push_line("m", at(-42), "paper", "紙", 2.0, 300.0);
    b.push_line("m", at(-10), "paper", "紙", -1.0, -150.0);
    b.push_line("m", at(0), "toner-black", "碳粉匣", 1.0, 1200.0);
    let book = b.finish();
    let prefs = preferences(&book.history(0), T, Kind::Category);
    let toner = book.categories().get("碳粉匣").unwrap();
    let paper = book.categories().get("紙").unwrap();
    let p: Vec<PreferenceRow> = prefs
        .iter()
        .map(|p| {
            (
                p.id,
                p.days,
                p.lines,
                p.spend,
                p.first_day,
                p.last_day,
                p.mean_gap_days,
                p.share,
            )
        })
        .collect();
    let mut want = vec![
        (toner, 3, 3, 3600.0, T.plus(-126), T.plus(-42), 42.0, 1.0),
        (paper, 1, 1, 300.0, T.plus(-42), T.plus(-42), 0.0, 1.0 / 3.0),
    ];
    want.sort_by_key(|w| w.0);
    assert_eq!(p, want);
}
