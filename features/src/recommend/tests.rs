//! Hand-computed store tables, member rows, candidates and selection on a tiny book.

use super::*;
use crate::{Day, Kind, OrderBook, OrderBookBuilder};

const PAPER: u32 = 0;
const PEN: u32 = 1;
const SKIRT: u32 = 2;
const TONER: u32 = 3;
const CLOTHES: u32 = 0;
const OFFICE: u32 = 1;

/// Member a: toner every 42 days (days 0, 42, 84) with paper on day 0 and a pen on day 84;
/// member b: paper and a pen on day 80, a skirt on day 85; member c: toner on days 83 and 86.
fn book() -> OrderBook {
    let mut b = OrderBookBuilder::new();
    let mut line = |m: &str, day: i32, item: &str, cat: &str| {
        b.push_line(m, Day(day).start_ts() + 3600, item, cat, 1.0, 10.0);
    };
    line("a", 0, "toner", "office");
    line("a", 0, "paper", "office");
    line("a", 42, "toner", "office");
    line("a", 84, "toner", "office");
    line("a", 84, "pen", "office");
    line("b", 80, "paper", "office");
    line("b", 80, "pen", "office");
    line("b", 85, "skirt", "clothes");
    line("c", 83, "toner", "office");
    line("c", 86, "toner", "office");
    b.finish()
}

fn params() -> TableParams {
    TableParams {
        min_pair_baskets: 1,
        ..TableParams::default()
    }
}

const AS_OF: Day = Day(90);

/// Sum of the basket-decay weights of member a's three purchase days.
fn norm() -> f32 {
    1.0 + 0.85 + 0.85f32 * 0.85
}

#[test]
fn vocabulary_order_is_what_the_constants_say() {
    let b = book();
    assert_eq!(b.items().name(PAPER), "paper");
    assert_eq!(b.items().name(TONER), "toner");
    assert_eq!(b.categories().name(OFFICE), "office");
    assert_eq!(b.categories().name(CLOTHES), "clothes");
}

#[test]
fn item_tables_count_buyers_repeats_gaps_and_pairs() {
    let t = book().store_tables(AS_OF, Kind::Item, &params());
    assert_eq!((t.active_28d, t.active_7d), (3, 3));
    let toner = CandidateStats {
        buyers_28d: 2,
        buyers_7d: 2,
        buyers_prev_28d: 1,
        buyers: 2,
        repeat_buyers: 2,
        gap_days: 29.0,
        rebuyers_28d: 1,
        new_buyers_28d: 1,
    };
    assert_eq!(t.stats(TONER), toner);
    let paper = CandidateStats {
        buyers_28d: 1,
        buyers: 2,
        new_buyers_28d: 1,
        ..CandidateStats::default()
    };
    assert_eq!(t.stats(PAPER), paper);
    assert_eq!(t.stats(PEN).buyers_7d, 1);
    assert_eq!(t.stats(99), CandidateStats::default());
    assert_eq!(t.neighbours(TONER), &[(PAPER, 0.1), (PEN, 0.1)]);
    assert_eq!(t.neighbours(PAPER), &[(PEN, 1.0 / 7.0), (TONER, 1.0 / 7.0)]);
    assert_eq!(t.neighbours(SKIRT), &[]);
    assert_eq!(t.popular, vec![PEN, TONER, PAPER, SKIRT]);
    assert_eq!(t.parent, vec![OFFICE, OFFICE, CLOTHES, OFFICE]);
}

#[test]
fn default_pair_support_drops_single_baskets_and_tables_ignore_later_lines() {
    let t = book().store_tables(AS_OF, Kind::Item, &TableParams::default());
    assert!(t.neighbours.iter().all(Vec::is_empty));
    let early = book().store_tables(Day(81), Kind::Item, &params());
    assert_eq!(early.stats(SKIRT), CandidateStats::default());
    assert_eq!(early.stats(TONER).buyers, 1);
    assert_eq!(early.popular, vec![PAPER, PEN, TONER]);
}

#[test]
fn member_context_and_row_of_an_own_replenished_item() {
    let b = book();
    let t = b.store_tables(AS_OF, Kind::Item, &params());
    let ctx = MemberContext::new(&b.history(0), AS_OF, Kind::Item);
    assert_eq!(ctx.purchase_days, 3);
    assert_eq!(
        ctx.recent,
        vec![vec![PEN, TONER], vec![TONER], vec![PAPER, TONER]]
    );
    assert_eq!(ctx.id_days, 5);
    let norm = 1.0 + 0.85 + 0.85f32 * 0.85;
    assert!((ctx.own(PAPER).unwrap().basket_decay - 0.7225 / norm).abs() < 1e-6);

    let affinity = Affinity {
        recent: Some((1.25 / 7.0, 1.0 / 7.0)),
        history: 0.5,
        own_rank: Some(1),
    };
    let r = row(&ctx, &t, TONER, &affinity);
    let time_decay: f32 = [90.0f32, 48.0, 6.0].iter().map(|a| (-a / 28.0).exp()).sum();
    let expected: [f32; RANK_LEN] = [
        3.0,
        1.0,
        1.0,
        time_decay,
        6.0,
        42.0,
        6.0 / 42.0,
        4f32.ln(),
        1.0,
        1.25 / 7.0,
        1.0 / 7.0,
        2.0 / 3.0,
        2.0 / 3.0,
        1.5,
        1.0,
        29.0,
        6.0 / 29.0,
        3f32.ln(),
        3.0,
        6.0,
        0.6,
        90.0,
        1.0,
        1.0,
        1.0,
        0.5,
        6.0 / 42.0,
        1.5 / 6.0,
        1.0 / 3.0,
    ];
    for (j, (got, want)) in r.iter().zip(expected).enumerate() {
        assert!(
            (got - want).abs() < 1e-5,
            "{}: {got} != {want}",
            RANK_FEATURES[j]
        );
    }
}

#[test]
fn candidates_are_own_then_neighbours_then_popular_with_rows() {
    let b = book();
    let t = b.store_tables(AS_OF, Kind::Item, &params());
    let ctx = MemberContext::new(&b.history(0), AS_OF, Kind::Item);
    let set = candidates(&ctx, &t, &CandidateParams::default());
    assert_eq!(set.ids, vec![TONER, PEN, PAPER, SKIRT]);
    assert_eq!(set.rows.len(), 4 * RANK_LEN);
    let toner = set.row(0);
    assert!((toner[col::COPURCHASE_SCORE] - 1.25 / 7.0).abs() < 1e-6);
    let (pen, paper) = (1.0 / norm(), 0.7225 / norm());
    assert!((toner[col::COPURCHASE_HISTORY] - (pen + paper) / 7.0).abs() < 1e-6);
    assert_eq!(toner[col::OWN_RANK], 1.0);
    assert_eq!(set.row(1)[col::OWN_RANK], 2.0);
    assert_eq!(set.row(3)[col::OWN_RANK], NEVER_RANK);
    // Ranks by buyers in the last 28 days: toner and pen 2, paper and skirt 1.
    assert_eq!(toner[col::STORE_RANK], 1.0);
    assert_eq!(set.row(3)[col::STORE_RANK], 3.0);
    let skirt = set.row(3);
    assert_eq!(skirt[col::OWN_DAYS], 0.0);
    assert_eq!(skirt[col::OWN_DAYS_SINCE_LAST], NEVER_DAYS);
    assert_eq!(skirt[col::STORE_TREND], 2.0);
    assert_eq!(skirt[col::PARENT_SHARE], 0.0);
    assert_eq!(skirt[col::STORE_OVERDUE], 0.0);

    let c = MemberContext::new(&b.history(1), AS_OF, Kind::Item);
    let set_b = candidates(&c, &t, &CandidateParams::default());
    // b's own items by basket decay (the skirt is the latest), then toner, a co-purchase
    // neighbour of b's paper and pen that b never bought.
    assert_eq!(set_b.ids, vec![SKIRT, PAPER, PEN, TONER]);
    assert!(set_b.row(3)[col::COPURCHASE_SCORE] > 0.0);
}

#[test]
fn select_orders_by_score_and_applies_exclusion_and_category_cap() {
    let b = book();
    let t = b.store_tables(AS_OF, Kind::Item, &params());
    let ctx = MemberContext::new(&b.history(0), AS_OF, Kind::Item);
    let set = candidates(&ctx, &t, &CandidateParams::default());
    let scores = [0.9, 0.5, 0.7, 0.8];
    let ids = |o: &SelectOptions| -> Vec<u32> {
        select(&set, &scores, &t, o).iter().map(|r| r.id).collect()
    };
    let plain = SelectOptions::default();
    assert_eq!(ids(&plain), vec![TONER, SKIRT, PAPER, PEN]);
    let exclude = SelectOptions {
        exclude_recent_days: Some(10),
        ..plain
    };
    // The pen was bought 6 days ago and nobody rebuys pens; toner is replenished.
    assert_eq!(ids(&exclude), vec![TONER, SKIRT, PAPER]);
    let cap = SelectOptions {
        max_per_category: Some(1),
        ..plain
    };
    assert_eq!(ids(&cap), vec![TONER, SKIRT]);
    let short = SelectOptions { k: 2, ..plain };
    assert_eq!(ids(&short), vec![TONER, SKIRT]);
    let top = &select(&set, &scores, &t, &plain)[0];
    assert_eq!(top.reason, "bought on 3 different days");
}

#[test]
fn reasons_read_the_row() {
    let mut r = [0f32; RANK_LEN];
    assert_eq!(reason(&r), "popular in the store");
    r[col::STORE_TREND] = 2.0;
    assert_eq!(reason(&r), "trending in the store");
    r[col::COPURCHASE_SCORE] = 0.1;
    assert_eq!(reason(&r), "often bought with your recent purchases");
    r[col::OWN_DAYS] = 3.0;
    r[col::OWN_GAP_MEAN] = 42.0;
    r[col::OWN_DAYS_SINCE_LAST] = 40.0;
    assert_eq!(
        reason(&r),
        "due again: bought about every 42 days, last 40 days ago"
    );
}

#[test]
fn category_tables_and_context() {
    let b = book();
    let t = b.store_tables(AS_OF, Kind::Category, &params());
    assert_eq!(t.stats(OFFICE).buyers, 3);
    assert_eq!(t.stats(CLOTHES).buyers_7d, 1);
    assert!(t.parent.is_empty());
    let ctx = MemberContext::new(&b.history(1), AS_OF, Kind::Category);
    assert_eq!(ctx.own.len(), 2);
    let r = row(&ctx, &t, CLOTHES, &Affinity::default());
    assert_eq!(r[col::OWN_SHARE], 0.5);
    assert_eq!(r[col::PARENT_SHARE], 0.5);
}

#[test]
fn portable_tables_round_trip_through_json() {
    let b = book();
    let t = b.store_tables(AS_OF, Kind::Item, &params());
    let p = t.to_portable(b.items(), b.categories());
    let json = serde_json::to_string(&p).unwrap();
    let back: PortableTables = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p);
    let (mut items, mut cats) = (b.items().clone(), b.categories().clone());
    assert_eq!(back.resolve(&mut items, &mut cats), t);
    // Into an empty vocabulary: same tables up to renaming.
    let (mut items2, mut cats2) = (crate::Vocab::new(), crate::Vocab::new());
    let t2 = back.resolve(&mut items2, &mut cats2);
    let toner = items2.get("toner").unwrap();
    assert_eq!(t2.stats(toner), t.stats(TONER));
    assert_eq!(cats2.name(t2.parent(toner)), "office");
}
