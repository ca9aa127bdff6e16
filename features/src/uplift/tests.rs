use proptest::prelude::{Just, any, prop, prop_assert, prop_assert_eq, proptest};
use proptest::strategy::Strategy as _;

use super::*;

pub(super) fn arm_of(members: u64, converters: u64, arm: Arm) -> GroupOutcome {
    let m = Moments {
        count: members,
        sum: converters as f64,
        sum_sq: converters as f64,
    };
    GroupOutcome::new(arm, members, converters, m, m).unwrap()
}

fn pushed(values: &[(u32, f64)]) -> GroupOutcome {
    let mut g = GroupOutcome::default();
    for &(orders, spend) in values {
        g.push(orders, spend).unwrap();
    }
    g
}

#[test]
fn an_empty_arm_is_degenerate_not_nan() {
    let conf = Confidence::default();
    let empty = GroupOutcome::default();
    let full = arm_of(10, 3, Arm::Control);
    assert_eq!(
        absolute_uplift(&empty, &full, conf),
        Err(Degenerate::EmptyArm(Arm::Treated))
    );
    assert_eq!(
        relative_uplift(&full, &empty, conf),
        Err(Degenerate::EmptyArm(Arm::Control))
    );
    assert_eq!(
        mean_uplift(&empty, &full, Metric::Spend, conf),
        Err(Degenerate::EmptyArm(Arm::Treated))
    );
    assert_eq!(empty.conversion_rate(), None);
}

#[test]
fn a_zero_control_rate_leaves_the_relative_uplift_undefined() {
    let conf = Confidence::default();
    let (t, c) = (arm_of(100, 5, Arm::Treated), arm_of(100, 0, Arm::Control));
    assert_eq!(
        relative_uplift(&t, &c, conf),
        Err(Degenerate::ZeroControl("conversion rate"))
    );
    let none_treated = relative_uplift(
        &arm_of(100, 0, Arm::Treated),
        &arm_of(50, 5, Arm::Control),
        conf,
    )
    .unwrap();
    assert_eq!(none_treated.value, -1.0);
    assert_eq!(none_treated.interval, Err(Degenerate::NoTreatedConverters));
}

#[test]
fn zero_variance_in_both_arms_gives_no_interval() {
    let conf = Confidence::default();
    let t = pushed(&[(1, 100.0), (1, 100.0), (1, 100.0)]);
    let c = pushed(&[(1, 80.0), (1, 80.0)]);
    let d = mean_uplift(&t, &c, Metric::Spend, conf).unwrap();
    assert_eq!(d.value, 20.0);
    assert_eq!(d.interval, Err(Degenerate::ZeroVariance));
    assert_eq!(
        relative_mean_uplift(&t, &c, Metric::Spend, conf)
            .unwrap()
            .interval,
        Err(Degenerate::ZeroVariance)
    );
}

#[test]
fn a_single_member_arm_has_an_estimate_but_no_interval() {
    let conf = Confidence::default();
    let t = pushed(&[(2, 300.0)]);
    let c = pushed(&[(0, 0.0), (1, 50.0), (3, 10.0)]);
    let d = incremental_total(&t, &c, Metric::Orders, conf).unwrap();
    assert!((d.value - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(
        d.interval,
        Err(Degenerate::TooFewMembers {
            arm: Arm::Treated,
            members: 1
        })
    );
}

#[test]
fn inconsistent_summaries_are_rejected_naming_the_field() {
    let m = |count| Moments {
        count,
        sum: 0.0,
        sum_sq: 0.0,
    };
    let err = GroupOutcome::new(Arm::Control, 10, 11, m(10), m(10)).unwrap_err();
    assert!(matches!(
        err,
        UpliftError::Inconsistent {
            arm: Arm::Control,
            field: "converters",
            ..
        }
    ));
    let err = GroupOutcome::new(Arm::Treated, 10, 1, m(10), m(9)).unwrap_err();
    assert!(matches!(
        err,
        UpliftError::Inconsistent {
            field: "spend.count",
            value: 9,
            ..
        }
    ));
    let nan = Moments {
        count: 10,
        sum: f64::NAN,
        sum_sq: 0.0,
    };
    assert!(matches!(
        GroupOutcome::new(Arm::Treated, 10, 1, nan, m(10)),
        Err(UpliftError::NotFinite {
            field: "orders",
            ..
        })
    ));
    assert!(matches!(
        GroupOutcome::default().push(1, f64::INFINITY),
        Err(UpliftError::NotFinite { field: "spend", .. })
    ));
}

#[test]
fn parameters_out_of_range_name_their_field() {
    let field = |e: UpliftError| match e {
        UpliftError::OutOfRange { field, .. } => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(field(Confidence::new(1.0).unwrap_err()), "confidence");
    assert_eq!(field(PowerTest::new(0.0, 0.8).unwrap_err()), "alpha");
    assert_eq!(field(PowerTest::new(0.05, 0.04).unwrap_err()), "power");
    let test = PowerTest::new(0.05, 0.8).unwrap();
    assert_eq!(
        field(minimum_detectable_uplift(100, 100, 0.0, &test).unwrap_err()),
        "baseline"
    );
    assert_eq!(
        field(minimum_detectable_uplift(100, 0, 0.1, &test).unwrap_err()),
        "control"
    );
    assert_eq!(
        field(control_size_needed(100, 0.6, 1.0, &test).unwrap_err()),
        "expected_relative"
    );
    let row = |treated| Scored {
        score: 1.0,
        treated,
        converted: true,
    };
    let rows = [row(true), row(false)];
    assert_eq!(
        field(uplift_at_k(&rows, TopK::Fraction(1.0), Strategy::Overall).unwrap_err()),
        "k"
    );
    assert_eq!(field(qini_curve(&[]).unwrap_err()), "rows");
    let nan = [Scored {
        score: f64::NAN,
        ..rows[0]
    }];
    assert!(matches!(
        qini_curve(&nan),
        Err(UpliftError::NotFinite {
            field: "score",
            index: 0
        })
    ));
}

#[test]
fn a_larger_control_group_detects_a_smaller_uplift() {
    let test = PowerTest::new(0.05, 0.8).unwrap();
    let mde = |n_c| {
        minimum_detectable_uplift(10_000, n_c, 0.05, &test)
            .unwrap()
            .unwrap()
            .relative
    };
    assert!(mde(500) > mde(1_000) && mde(1_000) > mde(5_000));
    let ControlSize::Members { members, .. } =
        control_size_needed(10_000, 0.05, mde(1_000), &test).unwrap()
    else {
        panic!("reachable")
    };
    assert!((999..=1_001).contains(&members), "{members}");
}

#[test]
fn ranked_metrics_need_both_arms() {
    let rows: Vec<Scored> = (0..10)
        .map(|i| Scored {
            score: f64::from(i),
            treated: true,
            converted: i % 2 == 0,
        })
        .collect();
    assert!(matches!(
        uplift_at_k(&rows, TopK::Fraction(0.5), Strategy::Overall),
        Err(UpliftError::Degenerate(Degenerate::EmptyArm(Arm::Control)))
    ));
    assert!(qini_auc_score(&rows, false).is_err());
}

fn arm_strategy() -> impl proptest::strategy::Strategy<Value = (u64, u64)> {
    (1u64..5_000).prop_flat_map(|n| (Just(n), 0..=n))
}

proptest! {
    #[test]
    fn conversion_intervals_contain_the_estimate((nt, xt) in arm_strategy(), (nc, xc) in arm_strategy(), level in 0.5f64..0.999) {
        let conf = Confidence::new(level).unwrap();
        let (t, c) = (arm_of(nt, xt, Arm::Treated), arm_of(nc, xc, Arm::Control));
        let d = absolute_uplift(&t, &c, conf).unwrap();
        let i = d.interval.unwrap();
        prop_assert!(i.contains(d.value) && i.low >= -1.0 && i.high <= 1.0);
        if let Ok(r) = relative_uplift(&t, &c, conf)
            && let Ok(i) = r.interval {
            prop_assert!(i.low <= r.value * (1.0 + 1e-12) + 1e-12 && r.value <= i.high * (1.0 + 1e-12) + 1e-12);
        }
    }

    #[test]
    fn swapping_the_arms_negates_the_difference((nt, xt) in arm_strategy(), (nc, xc) in arm_strategy()) {
        let conf = Confidence::default();
        let ab = absolute_uplift(&arm_of(nt, xt, Arm::Treated), &arm_of(nc, xc, Arm::Control), conf).unwrap();
        let ba = absolute_uplift(&arm_of(nc, xc, Arm::Treated), &arm_of(nt, xt, Arm::Control), conf).unwrap();
        let (i, j) = (ab.interval.unwrap(), ba.interval.unwrap());
        prop_assert!((ab.value + ba.value).abs() < 1e-12);
        prop_assert!((i.low + j.high).abs() < 1e-12 && (i.high + j.low).abs() < 1e-12);
    }

    #[test]
    fn welch_intervals_contain_the_estimate_and_swap_symmetrically(
        t in prop::collection::vec((0u32..5, 0.0f64..5_000.0), 2..60),
        c in prop::collection::vec((0u32..5, 0.0f64..5_000.0), 2..60),
    ) {
        let conf = Confidence::default();
        let (gt, gc) = (pushed(&t), pushed(&c));
        let ab = mean_uplift(&gt, &gc, Metric::Spend, conf).unwrap();
        let ba = mean_uplift(&gc, &gt, Metric::Spend, conf).unwrap();
        prop_assert!((ab.value + ba.value).abs() <= 1e-9 * ab.value.abs().max(1.0));
        if let (Ok(i), Ok(j)) = (ab.interval, ba.interval) {
            prop_assert!(i.contains(ab.value));
            prop_assert!((i.low + j.high).abs() <= 1e-9 * i.low.abs().max(1.0));
        }
    }

    #[test]
    fn curves_start_at_the_origin_and_end_at_the_audience_size(
        rows in prop::collection::vec((-3i32..3, any::<bool>(), any::<bool>()), 1..80)
    ) {
        let rows: Vec<Scored> = rows.into_iter().map(|(s, treated, converted)| Scored { score: f64::from(s), treated, converted }).collect();
        for curve in [qini_curve(&rows).unwrap(), uplift_curve(&rows).unwrap()] {
            prop_assert_eq!(curve[0], CurvePoint { x: 0.0, y: 0.0 });
            prop_assert_eq!(curve[curve.len() - 1].x, rows.len() as f64);
            prop_assert!(curve.windows(2).all(|w| w[0].x < w[1].x));
        }
    }
}
