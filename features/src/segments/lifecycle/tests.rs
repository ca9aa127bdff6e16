use super::*;
use crate::segments::test_support::{book, day};
use crate::segments::{ConfigError, MemberFacts, Population};

fn facts(purchase_days: u32, recency_days: u32, own_gaps: &[f64]) -> MemberFacts {
    let median_gap = match own_gaps.len() {
        0 => None,
        n if n % 2 == 1 => Some(own_gaps[n / 2]),
        n => Some((own_gaps[n / 2 - 1] + own_gaps[n / 2]) / 2.0),
    };
    MemberFacts {
        first_day: day(0),
        last_day: day(0),
        purchase_days,
        recency_days,
        tenure_days: recency_days,
        net_spend: 100.0,
        median_gap,
        gap_count: own_gaps.len() as u32,
    }
}

fn thresholds(new: u32, due: u32, lapsing: u32, lost: u32) -> LifecycleThresholds {
    let params = LifecycleParams::default()
        .new_days(new)
        .due_days(due)
        .lapsing_days(lapsing)
        .lost_days(lost)
        .check()
        .unwrap();
    LifecycleThresholds::derive(&params, &[])
}

#[test]
fn derived_thresholds_are_nearest_rank_quantiles_of_the_store_gaps() {
    let gaps: Vec<u32> = (1..=40).collect();

    let t = LifecycleThresholds::derive(&LifecycleValidParams::default(), &gaps);

    assert_eq!((t.due_days, t.lapsing_days), (20, 32));
    assert_eq!(t.lost_days, 60, "p95 is 38 days, below the 60-day floor");
    assert_eq!(t.new_days, 20, "new lasts as long as the store's usual gap");
    assert!(!t.fallback);
    assert_eq!(t.store_gaps, 40);
}

#[test]
fn floors_keep_a_fast_store_thresholds_apart() {
    let gaps = vec![2u32; 50];

    let t = LifecycleThresholds::derive(&LifecycleValidParams::default(), &gaps);

    assert_eq!((t.due_days, t.lapsing_days, t.lost_days), (7, 30, 60));
}

#[test]
fn a_store_with_too_few_gaps_falls_back_to_30_60_90_days() {
    let b = book(&[("a", day(0), 1.0), ("a", day(10), 1.0), ("b", day(3), 1.0)]);
    let p = Population::of_book(&b, day(20));

    let t = LifecycleThresholds::of_population(&LifecycleValidParams::default(), &p);

    assert!(t.fallback);
    assert_eq!(
        (t.new_days, t.due_days, t.lapsing_days, t.lost_days),
        (30, 30, 60, 90)
    );
}

#[test]
fn overrides_are_used_as_written_and_derived_thresholds_stay_above_them() {
    let gaps: Vec<u32> = (1..=40).collect();
    let params = LifecycleParams::default().due_days(45).check().unwrap();

    let t = LifecycleThresholds::derive(&params, &gaps);

    assert_eq!(
        (t.new_days, t.due_days, t.lapsing_days, t.lost_days),
        (45, 45, 46, 60)
    );
}

#[test]
fn one_purchase_day_is_new_until_new_days_then_due() {
    let t = thresholds(20, 25, 60, 120);

    assert_eq!(t.classify(&facts(1, 20, &[])), Lifecycle::New);
    assert_eq!(t.classify(&facts(1, 21, &[])), Lifecycle::Active);
    assert_eq!(t.classify(&facts(1, 26, &[])), Lifecycle::Due);
}

#[test]
fn a_regular_is_due_past_their_own_median_gap() {
    let t = thresholds(20, 25, 60, 120);
    let every_ten = [9.0, 10.0, 12.0];

    assert_eq!(t.classify(&facts(4, 10, &every_ten)), Lifecycle::Active);
    assert_eq!(t.classify(&facts(4, 11, &every_ten)), Lifecycle::Due);
    assert_eq!(t.due_after(&facts(4, 11, &every_ten)), 10.0);
}

#[test]
fn too_few_own_gaps_use_the_store_gap_and_short_own_gaps_the_floor() {
    let t = thresholds(20, 25, 60, 120);

    assert_eq!(
        t.due_after(&facts(2, 11, &[10.0])),
        25.0,
        "one gap is not a habit"
    );
    assert_eq!(t.classify(&facts(2, 11, &[10.0])), Lifecycle::Active);
    assert_eq!(t.due_after(&facts(3, 5, &[2.0, 3.0])), 7.0);
    assert_eq!(t.classify(&facts(3, 5, &[2.0, 3.0])), Lifecycle::Active);
}

#[test]
fn lapsing_and_lost_start_the_day_after_their_thresholds() {
    let t = thresholds(20, 25, 60, 120);
    let regular = [10.0, 10.0];

    assert_eq!(t.classify(&facts(3, 60, &regular)), Lifecycle::Due);
    assert_eq!(t.classify(&facts(3, 61, &regular)), Lifecycle::Lapsing);
    assert_eq!(t.classify(&facts(3, 120, &regular)), Lifecycle::Lapsing);
    assert_eq!(t.classify(&facts(3, 121, &regular)), Lifecycle::Lost);
    assert_eq!(t.classify(&facts(1, 121, &[])), Lifecycle::Lost);
}

#[test]
fn lapsing_takes_precedence_over_a_long_new_window() {
    let t = thresholds(90, 25, 60, 120);

    assert_eq!(t.classify(&facts(1, 61, &[])), Lifecycle::Lapsing);
    assert_eq!(t.classify(&facts(1, 60, &[])), Lifecycle::New);
}

#[test]
fn stages_of_a_hand_made_store_follow_its_gaps() {
    let mut lines = Vec::new();
    for (m, every) in [("a", 10), ("b", 12), ("c", 14)] {
        for k in 0..12 {
            lines.push((m, day(k * every), 1.0));
        }
    }
    lines.extend([("d", day(150), 1.0), ("e", day(100), 1.0)]);
    let b = book(&lines);
    let p = Population::of_book(&b, day(160));
    let params = LifecycleParams {
        min_store_gaps: 20,
        ..LifecycleParams::default()
    }
    .check()
    .unwrap();

    let t = LifecycleThresholds::of_population(&params, &p);
    let stages: Vec<_> = lifecycles(&p, &t).into_iter().map(|(_, s)| s).collect();

    assert_eq!(p.gaps.len(), 33);
    assert_eq!((t.due_days, t.lapsing_days, t.lost_days), (12, 30, 60));
    assert_eq!(
        stages,
        [
            Lifecycle::Lapsing,
            Lifecycle::Due,
            Lifecycle::Active,
            Lifecycle::New,
            Lifecycle::Lapsing
        ]
    );
}

#[test]
fn stage_ids_and_labels() {
    let ids: Vec<_> = Lifecycle::ALL.iter().map(|s| s.as_str()).collect();

    assert_eq!(ids, ["new", "active", "due", "lapsing", "lost"]);
    assert_eq!(Lifecycle::Lost.label(), "已流失");
    assert_eq!(serde_json::to_string(&Lifecycle::Due).unwrap(), "\"due\"");
}

#[test]
fn lifecycle_check_rejects_each_error_naming_the_field() {
    let p = LifecycleParams::default;

    assert!(matches!(
        p().new_days(0).check(),
        Err(ConfigError::ZeroDays {
            section: "lifecycle",
            field: "new_days"
        })
    ));
    assert!(matches!(
        LifecycleParams {
            lost_quantile: 1.0,
            ..p()
        }
        .check(),
        Err(ConfigError::BadQuantile {
            field: "lost_quantile",
            ..
        })
    ));
    assert!(matches!(
        LifecycleParams {
            lapsing_quantile: 0.96,
            ..p()
        }
        .check(),
        Err(ConfigError::NotIncreasing {
            field: "lost_quantile",
            lower_field: "lapsing_quantile",
            ..
        })
    ));
    assert!(matches!(
        p().due_days(40).lost_days(40).check(),
        Err(ConfigError::NotIncreasing {
            field: "lost_days",
            lower_field: "due_days",
            ..
        })
    ));
    assert!(matches!(
        LifecycleParams {
            lost_floor_days: 30,
            ..p()
        }
        .check(),
        Err(ConfigError::NotIncreasing {
            field: "lost_floor_days",
            ..
        })
    ));
    assert!(matches!(
        LifecycleParams {
            lapsing_quantile: f64::NAN,
            ..p()
        }
        .check(),
        Err(ConfigError::BadQuantile {
            field: "lapsing_quantile",
            ..
        })
    ));
}

#[cfg(feature = "arrow")]
#[test]
fn lifecycle_params_read_from_toml_with_defaults_for_the_rest() {
    let params: LifecycleParams = toml::from_str("lapsing_days = 45\nlost_quantile = 0.9").unwrap();
    let unknown = toml::from_str::<LifecycleParams>("lapse_days = 45");

    assert_eq!(params.lapsing_days, Some(45));
    assert_eq!((params.lost_quantile, params.min_own_gaps), (0.9, 2));
    assert!(params.check().is_ok());
    assert!(unknown.is_err());
}
