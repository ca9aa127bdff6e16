use super::test_support::{book, day};
use super::*;

#[test]
fn facts_count_distinct_purchase_days_and_net_out_returns() {
    let b = book(&[
        ("a", day(0), 100.0),
        ("a", day(0), 50.0),
        ("a", day(10), 70.0),
        ("a", day(12), -30.0),
        ("a", day(40), 20.0),
    ]);

    let f = MemberFacts::of(&b.history(0), day(50)).unwrap();

    assert_eq!(f.purchase_days, 3, "the return day is not a purchase day");
    assert_eq!((f.first_day, f.last_day), (day(0), day(40)));
    assert_eq!((f.recency_days, f.tenure_days), (10, 50));
    assert_eq!(f.net_spend, 210.0);
    assert_eq!((f.gap_count, f.median_gap), (2, Some(20.0)));
}

#[test]
fn lines_on_the_as_of_day_are_not_history() {
    let b = book(&[("a", day(0), 100.0), ("a", day(5), 100.0)]);

    let f = MemberFacts::of(&b.history(0), day(5)).unwrap();

    assert_eq!(
        (f.purchase_days, f.recency_days, f.net_spend),
        (1, 5, 100.0)
    );
    assert_eq!(f.median_gap, None);
    assert_eq!(MemberFacts::of(&b.history(0), day(0)), None);
}

#[test]
fn a_member_with_only_returns_before_the_day_is_not_in_the_population() {
    let b = book(&[("a", day(3), -40.0), ("b", day(1), 10.0)]);

    let p = Population::of_book(&b, day(10));

    assert_eq!(p.members.len(), 1);
    assert_eq!(p.members[0].member, 1);
    assert!(p.facts(0).is_none());
    assert_eq!(p.facts(1).unwrap().net_spend, 10.0);
}

#[test]
fn population_pools_every_members_gaps_in_ascending_order() {
    let b = book(&[
        ("a", day(0), 1.0),
        ("a", day(30), 1.0),
        ("a", day(35), 1.0),
        ("b", day(2), 1.0),
        ("b", day(12), 1.0),
        ("c", day(4), 1.0),
        ("c", day(90), 1.0),
    ]);

    let p = Population::of_book(&b, day(60));

    assert_eq!(p.gaps, [5, 10, 30], "c's second purchase is after as-of");
    assert_eq!(p.facts(0).unwrap().median_gap, Some(17.5));
    assert_eq!(p.facts(2).unwrap().purchase_days, 1);
}
