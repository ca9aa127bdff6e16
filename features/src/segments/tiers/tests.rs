use super::*;
use crate::segments::test_support::{date, day, line};
use crate::{Day, PurchaseHistory, PurchaseLine};

fn level(
    id: &str,
    label: &str,
    spend: Option<f64>,
    order: Option<f64>,
    renew: Option<f64>,
) -> TierLevel {
    TierLevel {
        id: id.into(),
        label: label.into(),
        spend,
        single_order: order,
        renew,
    }
}

pub(super) fn levels() -> Vec<TierLevel> {
    vec![
        level("regular", "普卡", None, None, None),
        level("silver", "銀卡", Some(15_000.0), None, Some(10_000.0)),
        level(
            "gold",
            "金卡",
            Some(60_000.0),
            Some(30_000.0),
            Some(40_000.0),
        ),
    ]
}

pub(super) fn program(downgrade: Downgrade) -> ValidTierProgram {
    TierProgram {
        window_days: Some(365),
        validity_days: Some(365),
        downgrade,
        levels: levels(),
    }
    .check()
    .unwrap()
}

pub(super) fn lifetime() -> ValidTierProgram {
    let mut levels = levels();
    levels.iter_mut().for_each(|l| {
        l.renew = None;
        l.single_order = None;
    });
    TierProgram {
        window_days: None,
        validity_days: None,
        downgrade: Downgrade::OneStep,
        levels,
    }
    .check()
    .unwrap()
}

fn lines(spec: &[(Day, f64)]) -> Vec<PurchaseLine> {
    spec.iter().map(|&(d, a)| line(d, a)).collect()
}

fn eval(p: &ValidTierProgram, spec: &[(Day, f64)], as_of: Day) -> TierStatus {
    p.evaluate(&PurchaseHistory::new(&lines(spec), None), as_of)
}

fn replay(
    p: &ValidTierProgram,
    spec: &[(Day, f64)],
    as_of: Day,
) -> Vec<(Day, TierChangeKind, usize, usize)> {
    let (_, changes) = p.replay(&PurchaseHistory::new(&lines(spec), None), as_of);
    changes
        .iter()
        .map(|c| (c.day, c.kind, c.from, c.to))
        .collect()
}

#[test]
fn reaching_exactly_the_threshold_upgrades_at_the_end_of_that_day() {
    let p = program(Downgrade::OneStep);
    let spec = [(day(0), 10_000.0), (day(10), 5_000.0)];

    let before = eval(&p, &spec, day(10));
    let after = eval(&p, &spec, day(11));

    assert_eq!((before.level, before.spend_to_next), (0, Some(5_000.0)));
    assert_eq!(
        (after.level, after.since, after.expiry),
        (1, Some(day(10)), Some(day(375)))
    );
    assert_eq!(after.spend_to_next, Some(45_000.0));
    assert_eq!(
        replay(&p, &spec, day(11)),
        [(day(10), TierChangeKind::Upgrade, 0, 1)]
    );
}

#[test]
fn spend_to_next_bought_on_the_as_of_day_reaches_the_level() {
    let p = program(Downgrade::OneStep);
    let mut spec = vec![(day(0), 10_000.0)];
    let needed = eval(&p, &spec, day(200)).spend_to_next.unwrap();

    spec.push((day(200), needed));

    assert_eq!(eval(&p, &spec, day(201)).level, 1);
    assert_eq!(
        eval(&p, &[(day(0), 10_000.0)], day(365)).qualifying_spend,
        0.0
    );
    assert_eq!(
        eval(&p, &[(day(0), 10_000.0)], day(364)).qualifying_spend,
        10_000.0
    );
}

#[test]
fn a_return_before_reaching_keeps_the_member_below() {
    let p = program(Downgrade::OneStep);
    let spec = [(day(0), 10_000.0), (day(3), -1_000.0), (day(10), 5_000.0)];

    let s = eval(&p, &spec, day(11));

    assert_eq!(
        (s.level, s.qualifying_spend, s.spend_to_next),
        (0, 14_000.0, Some(1_000.0))
    );
}

#[test]
fn a_return_after_reaching_takes_the_level_back_until_spend_reaches_it_again() {
    let p = program(Downgrade::OneStep);
    let mut spec = vec![(day(0), 10_000.0), (day(10), 5_000.0), (day(15), -500.0)];

    let back = eval(&p, &spec, day(16));
    spec.push((day(20), 500.0));
    let again = eval(&p, &spec, day(21));

    assert_eq!(
        (back.level, back.since, back.expiry),
        (0, Some(day(0)), None)
    );
    assert_eq!((again.level, again.since), (1, Some(day(20))));
    assert_eq!(
        replay(&p, &spec, day(21)),
        [
            (day(10), TierChangeKind::Upgrade, 0, 1),
            (day(15), TierChangeKind::Clawback, 1, 0),
            (day(20), TierChangeKind::Upgrade, 0, 1)
        ]
    );
}

#[test]
fn returns_take_back_one_level_at_a_time_to_what_spend_still_reaches() {
    let p = lifetime();
    let spec = [(day(0), 61_000.0), (day(5), -2_000.0), (day(6), -50_000.0)];

    let partial = eval(&p, &spec, day(6));
    let full = eval(&p, &spec, day(7));

    assert_eq!((partial.level, partial.since), (1, Some(day(0))));
    assert_eq!((full.level, full.since), (0, Some(day(0))));
}

#[test]
fn a_return_after_renewal_keeps_the_level() {
    let p = program(Downgrade::OneStep);
    let spec = [
        (day(0), 15_000.0),
        (day(300), 10_000.0),
        (day(370), -9_000.0),
    ];

    let s = eval(&p, &spec, day(371));

    assert_eq!(
        (s.level, s.since, s.expiry),
        (1, Some(day(0)), Some(day(730)))
    );
    assert_eq!(
        replay(&p, &spec, day(371)),
        [
            (day(0), TierChangeKind::Upgrade, 0, 1),
            (day(365), TierChangeKind::Renew, 1, 1)
        ]
    );
}

#[test]
fn single_order_counts_one_timestamp_and_is_not_taken_back_by_returns() {
    let p = program(Downgrade::OneStep);
    let at = |d: Day, hour: i64, amount: f64| PurchaseLine {
        ts: d.start_ts() + hour * 3600,
        ..line(d, amount)
    };
    let two_orders = [at(day(0), 9, 20_000.0), at(day(0), 15, 10_000.0)];
    let one_order = [
        at(day(0), 9, 20_000.0),
        at(day(0), 9, 10_000.0),
        at(day(5), 10, -20_000.0),
    ];

    let split = p.evaluate(&PurchaseHistory::new(&two_orders, None), day(1));
    let whole = p.evaluate(&PurchaseHistory::new(&one_order, None), day(6));

    assert_eq!(
        split.level, 1,
        "30,000 of spend in two orders: silver by spend"
    );
    assert_eq!((whole.level, whole.since), (2, Some(day(0))));
}

#[test]
fn the_expiry_day_is_the_review_and_its_own_lines_count_after_it() {
    let p = program(Downgrade::OneStep);
    let base = [(day(0), 10_000.0), (day(100), 5_000.0)];
    let with = |extra: (Day, f64)| [base[0], base[1], extra];

    let last_valid = eval(&p, &base, day(464));
    let reviewed = eval(&p, &base, day(465));
    let renewed = eval(&p, &with((day(464), 5_000.0)), day(465));
    let too_late = eval(&p, &with((day(465), 5_000.0)), day(466));

    assert_eq!((last_valid.level, last_valid.expiry), (1, Some(day(465))));
    assert_eq!(
        (last_valid.renewal_spend, last_valid.spend_to_renew),
        (Some(5_000.0), Some(5_000.0))
    );
    assert_eq!(
        (reviewed.level, reviewed.since, reviewed.expiry),
        (0, Some(day(465)), None)
    );
    assert_eq!(
        (renewed.level, renewed.since, renewed.expiry),
        (1, Some(day(100)), Some(day(830)))
    );
    assert_eq!((too_late.level, too_late.qualifying_spend), (0, 5_000.0));
}

#[test]
fn the_reaching_day_is_inside_a_renewal_window_as_long_as_the_validity() {
    let p = program(Downgrade::OneStep);
    let spec = [(day(0), 15_000.0)];

    assert_eq!(eval(&p, &spec, day(365)).expiry, Some(day(730)));
    assert_eq!(eval(&p, &spec, day(730)).level, 0);
}

#[test]
fn downgrades_go_one_step_to_the_supported_level_or_to_the_base() {
    let gold = [
        (day(0), 25_000.0),
        (day(50), 25_000.0),
        (day(60), 5_000.0),
        (day(100), 5_000.0),
    ];
    let mut topped = gold.to_vec();
    topped.push((day(200), 5_000.0));
    let at = |mode, spec: &[(Day, f64)], d| eval(&program(mode), spec, day(d)).level;

    assert_eq!(at(Downgrade::OneStep, &gold, 465), 1);
    assert_eq!(
        at(Downgrade::OneStep, &gold, 830),
        0,
        "a second review a period later"
    );
    assert_eq!(at(Downgrade::ToSupported, &gold, 465), 0);
    assert_eq!(
        at(Downgrade::ToSupported, &topped, 465),
        1,
        "exactly the renew threshold"
    );
    assert_eq!(at(Downgrade::ToBase, &topped, 465), 0);
    assert_eq!(
        eval(&program(Downgrade::OneStep), &gold, day(465)).expiry,
        Some(day(830))
    );
}

#[test]
fn a_365_day_window_ending_on_29_february_starts_on_2_march() {
    let p = program(Downgrade::OneStep);
    let leap = date("2024-02-29");
    let short = [(date("2023-03-01"), 10_000.0), (leap, 5_000.0)];
    let inside = [(date("2023-03-02"), 10_000.0), (leap, 5_000.0)];

    let missed = eval(&p, &short, date("2024-03-01"));
    let reached = eval(&p, &inside, date("2024-03-01"));

    assert_eq!(missed.level, 0);
    assert_eq!(
        (reached.since, reached.expiry),
        (Some(leap), Some(date("2025-02-28")))
    );
    assert_eq!(eval(&p, &inside, date("2025-02-27")).level, 1);
}

#[test]
fn lifetime_permanent_levels_follow_cumulative_net_spend() {
    let p = lifetime();
    let spec = [
        (day(0), 14_000.0),
        (day(50), 2_000.0),
        (day(60), -1_500.0),
        (day(500), 40_000.0),
        (day(600), 6_000.0),
    ];

    let levels: Vec<usize> = [51, 61, 501, 601]
        .map(|d| eval(&p, &spec, day(d)).level)
        .to_vec();
    let top = eval(&p, &spec, day(900));

    assert_eq!(levels, [1, 0, 1, 2]);
    assert_eq!(
        (top.since, top.expiry, top.spend_to_next),
        (Some(day(600)), None, None)
    );
    assert_eq!((top.renewal_spend, top.spend_to_renew), (None, None));
}

#[test]
fn a_member_without_lines_holds_the_base_level() {
    let s = eval(&program(Downgrade::OneStep), &[], day(10));

    assert_eq!((s.level, s.since, s.expiry), (0, None, None));
    assert_eq!((s.qualifying_spend, s.spend_to_next), (0.0, Some(15_000.0)));
}
