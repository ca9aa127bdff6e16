use chrono::NaiveDate;

use super::*;
use crate::spec::FEATURES;
use crate::{MemberAttributes, PurchaseLine};

const AS_OF: Day = Day(11_354); // 2001-02-01, a Thursday

fn line(day: i32, item: u32, category: u32, quantity: f64, amount: f64) -> PurchaseLine {
    PurchaseLine {
        ts: Day(day).start_ts() + 3600 * 10,
        item,
        category,
        quantity,
        amount,
    }
}

fn features_of(
    lines: &[PurchaseLine],
    attributes: Option<&MemberAttributes>,
) -> Option<FeatureVector> {
    let mut lines = lines.to_vec();
    crate::sort_canonical(&mut lines);
    compute(
        &PurchaseHistory::new(&lines, attributes),
        AS_OF,
        &StoreContext::default(),
    )
}

fn assert_features(v: &FeatureVector, expected: &[(usize, f32)]) {
    for &(i, want) in expected {
        let got = v.get(i);
        assert!(
            (got - want).abs() <= 1e-5 * want.abs().max(1.0),
            "{}: got {got}, want {want}",
            FEATURES[i].name
        );
    }
}

/// Three purchase days (one with a same-day duplicate line), a return, a line exactly at
/// `as_of` and one after it; every value below is worked out by hand.
fn worked_example() -> Vec<PurchaseLine> {
    let (a, b, c, d) = (0, 1, 2, 3);
    let (x, y) = (0, 1);
    vec![
        line(11_292, a, x, 2.0, 100.0), // 2000-12-01, Friday
        line(11_292, b, y, 1.0, 50.0),
        line(11_292, a, x, 2.0, 100.0), // same-day duplicate: a second line, not a second day
        line(11_332, a, x, 1.0, 60.0),  // 2001-01-10, Wednesday
        line(11_347, c, NO_CATEGORY, 3.0, 30.0), // 2001-01-25, Thursday
        line(11_350, b, y, -1.0, -50.0), // return
        PurchaseLine {
            ts: AS_OF.start_ts(),
            ..line(0, d, x, 1.0, 999.0)
        }, // at as_of: not history
        line(11_358, a, x, 1.0, 60.0),  // after as_of
    ]
}

#[test]
fn worked_example_matches_hand_computed_values() {
    let v = features_of(&worked_example(), None).unwrap();
    assert_features(
        &v,
        &[
            (idx::RECENCY_DAYS, 7.0),
            (idx::FREQUENCY_DAYS, 3.0),
            (idx::ORDER_LINES, 5.0),
            (idx::MONETARY_NET, 290.0),
            (idx::SPEND_PER_DAY, 340.0 / 3.0),
            (idx::TENURE_DAYS, 62.0),
            (idx::GAP_MEAN_DAYS, 27.5),
            (idx::GAP_STD_DAYS, 12.5),
            (idx::LAST_GAP_DAYS, 15.0),
            (idx::RECENCY_OVER_GAP, 7.0 / 27.5),
            (idx::DAYS_7D, 1.0),
            (idx::DAYS_30D, 2.0),
            (idx::DAYS_90D, 3.0),
            (idx::SPEND_7D, 30.0),
            (idx::SPEND_30D, 90.0),
            (idx::SPEND_90D, 340.0),
            (idx::TREND_DAYS_30D, 2f32.ln()),
            (idx::TREND_SPEND_30D, (91f32 / 126.0).ln()),
            (idx::DISTINCT_ITEMS, 3.0),
            (idx::DISTINCT_CATEGORIES, 2.0),
            (idx::BASKET_LINES, 5.0 / 3.0),
            (idx::BASKET_QUANTITY, 3.0),
            (idx::REPEAT_LINE_SHARE, 0.2),
            (idx::RETURN_LINES, 1.0),
            (idx::RETURN_SHARE, 50.0 / 340.0),
            (idx::DOW_MON, 0.0),
            (idx::DOW_WED, 1.0 / 3.0),
            (idx::DOW_THU, 1.0 / 3.0),
            (idx::DOW_FRI, 1.0 / 3.0),
            (idx::RATE_PER_30D, 90.0 / 62.0),
            (idx::MEMBER_KNOWN, 0.0),
            (idx::AGE_KNOWN, 0.0),
            (idx::TIER_RANK, 0.0),
            (idx::REGION_SHARE, 0.0),
        ],
    );
}

#[test]
fn a_line_at_exactly_as_of_is_not_history() {
    let at_as_of = PurchaseLine {
        ts: AS_OF.start_ts(),
        ..line(0, 0, 0, 1.0, 10.0)
    };
    assert_eq!(features_of(&[at_as_of], None), None);
    let one_second_before = PurchaseLine {
        ts: AS_OF.start_ts() - 1,
        ..at_as_of
    };
    let v = features_of(&[one_second_before, at_as_of], None).unwrap();
    assert_features(
        &v,
        &[
            (idx::RECENCY_DAYS, 1.0),
            (idx::ORDER_LINES, 1.0),
            (idx::MONETARY_NET, 10.0),
        ],
    );
}

#[test]
fn a_single_purchase_member_has_a_censored_gap_and_a_tenure_equal_to_recency() {
    let v = features_of(&[line(11_300, 7, 3, 1.0, 80.0)], None).unwrap();
    assert_features(
        &v,
        &[
            (idx::RECENCY_DAYS, 54.0),
            (idx::TENURE_DAYS, 54.0),
            (idx::FREQUENCY_DAYS, 1.0),
            (idx::GAP_MEAN_DAYS, 54.0),
            (idx::GAP_STD_DAYS, 0.0),
            (idx::LAST_GAP_DAYS, 0.0),
            (idx::RECENCY_OVER_GAP, 0.0),
            (idx::DAYS_30D, 0.0),
            (idx::DAYS_90D, 1.0),
            (idx::REPEAT_LINE_SHARE, 0.0),
            (idx::RATE_PER_30D, 30.0 / 54.0),
        ],
    );
}

#[test]
fn same_day_duplicates_are_two_lines_on_one_purchase_day() {
    let v = features_of(
        &[line(11_340, 1, 1, 1.0, 25.0), line(11_340, 1, 1, 1.0, 25.0)],
        None,
    )
    .unwrap();
    assert_features(
        &v,
        &[
            (idx::FREQUENCY_DAYS, 1.0),
            (idx::ORDER_LINES, 2.0),
            (idx::MONETARY_NET, 50.0),
            (idx::BASKET_LINES, 2.0),
            (idx::REPEAT_LINE_SHARE, 0.0),
        ],
    );
}

#[test]
fn a_member_with_only_returns_is_in_the_population_with_no_purchase() {
    let v = features_of(&[line(11_340, 1, 1, -1.0, -25.0)], None).unwrap();
    assert_features(
        &v,
        &[
            (idx::RECENCY_DAYS, 14.0),
            (idx::TENURE_DAYS, 14.0),
            (idx::FREQUENCY_DAYS, 0.0),
            (idx::MONETARY_NET, -25.0),
            (idx::SPEND_PER_DAY, 0.0),
            (idx::RETURN_LINES, 1.0),
            (idx::RETURN_SHARE, 0.0),
        ],
    );
}

#[test]
fn member_attributes_become_age_birthday_tenure_and_tier_features() {
    let attrs = MemberAttributes {
        joined: Some(Day::from_date(NaiveDate::from_ymd_opt(2000, 6, 1).unwrap())),
        birthday: NaiveDate::from_ymd_opt(1975, 2, 3),
        age_group: Some("30-34".into()),
        region: Some("台北市".into()),
        tier: Some("銀卡".into()),
        tier_rank: 2,
    };
    let v = features_of(&[line(11_300, 1, 1, 1.0, 10.0)], Some(&attrs)).unwrap();
    assert_features(
        &v,
        &[
            (idx::MEMBER_KNOWN, 1.0),
            (idx::MEMBERSHIP_DAYS, 245.0),
            (idx::MEMBERSHIP_KNOWN, 1.0),
            (idx::AGE_YEARS, 25.0),
            (idx::AGE_KNOWN, 1.0),
            (idx::DAYS_TO_BIRTHDAY, 2.0),
            (idx::BIRTHDAY_KNOWN, 1.0),
            (idx::TIER_RANK, 2.0),
        ],
    );
    let group_only = MemberAttributes {
        age_group: Some("30-34".into()),
        ..Default::default()
    };
    let v = features_of(&[line(11_300, 1, 1, 1.0, 10.0)], Some(&group_only)).unwrap();
    assert_features(
        &v,
        &[
            (idx::AGE_YEARS, 32.0),
            (idx::BIRTHDAY_KNOWN, 0.0),
            (idx::MEMBERSHIP_KNOWN, 0.0),
        ],
    );
}

#[test]
fn region_share_comes_from_the_store_context_of_the_cutoff() {
    let attrs = MemberAttributes {
        region: Some("115".into()),
        ..Default::default()
    };
    let lines = [line(11_300, 1, 1, 1.0, 10.0)];
    let history = PurchaseHistory::new(&lines, Some(&attrs));
    // Four population members: two in 115, one in 221, one without a region.
    let ctx = StoreContext::from_regions([Some("115"), Some("221"), Some("115"), None]);
    let v = compute(&history, AS_OF, &ctx).unwrap();
    assert_eq!(v.get(idx::REGION_SHARE), 0.5);
    // Another context, another value; everything else is unchanged.
    let other = StoreContext::from_regions([Some("115"), Some("221"), Some("221"), None]);
    let w = compute(&history, AS_OF, &other).unwrap();
    assert_eq!(w.get(idx::REGION_SHARE), 0.25);
    assert_eq!(v.0[..idx::REGION_SHARE], w.0[..idx::REGION_SHARE]);
    // No region, no share.
    let lines_only = PurchaseHistory::new(&lines, None);
    assert_eq!(
        compute(&lines_only, AS_OF, &ctx)
            .unwrap()
            .get(idx::REGION_SHARE),
        0.0
    );
}

#[test]
fn attribute_effect_sums_the_context_effects_of_the_members_levels() {
    let attrs = MemberAttributes {
        region: Some("115".into()),
        age_group: Some("25-29".into()),
        ..Default::default()
    };
    let lines = [line(11_300, 1, 1, 1.0, 10.0)];
    let history = PurchaseHistory::new(&lines, Some(&attrs));
    let mut ctx = StoreContext::default();
    assert_eq!(
        compute(&history, AS_OF, &ctx)
            .unwrap()
            .get(idx::ATTRIBUTE_EFFECT),
        0.0
    );
    ctx.attribute_effects.region.insert("115".into(), -0.5);
    ctx.attribute_effects.age_group.insert("25-29".into(), 0.25);
    ctx.attribute_effects
        .tier
        .insert(crate::MISSING_LEVEL.into(), 0.125);
    let v = compute(&history, AS_OF, &ctx).unwrap();
    assert_eq!(v.get(idx::ATTRIBUTE_EFFECT), -0.5 + 0.25 + 0.125);
    // A member without a members row has only missing levels.
    let lines_only = PurchaseHistory::new(&lines, None);
    let w = compute(&lines_only, AS_OF, &ctx).unwrap();
    assert_eq!(w.get(idx::ATTRIBUTE_EFFECT), 0.125);
}
