use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDate;

use super::*;
use crate::synth::{
    Arm, Assigned, Assignment, AssignmentProblem, Error, OutcomeParams, OutcomeParamsError,
    SynthParams, TreatmentEffect, generate,
};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn small_params() -> SynthParams {
    SynthParams::default()
        .with_seed(7)
        .with_members(400)
        .with_end(date(2023, 12, 31))
}

fn small() -> SynthValidParams {
    small_params().check().unwrap()
}

/// Odd-numbered members treated, even ones control; groups `a`, `b` and none in turn.
fn half_treated(params: &SynthValidParams) -> Assignment {
    let mut assignment = Assignment::new(params);
    for n in 1..=params.as_params().members {
        let arm = if n % 2 == 1 {
            Arm::Treated
        } else {
            Arm::Control
        };
        let group = ["a", "b", ""][n % 3];
        let group = (!group.is_empty()).then(|| group.to_owned());
        assignment
            .insert(&member_id(n), Assigned { arm, group }, n)
            .unwrap();
    }
    assignment
}

fn run(params: &SynthValidParams, assignment: &Assignment, effect: TreatmentEffect) -> Outcome {
    let window = OutcomeParams {
        effect,
        ..OutcomeParams::default()
    };
    simulate_outcome(params, assignment, &window.check(params).unwrap())
}

fn csv_bytes(outcome: &Outcome) -> Vec<u8> {
    let mut bytes = Vec::new();
    outcome.write_csv(&mut bytes).unwrap();
    bytes
}

fn baseline_only(outcome: &Outcome) -> Vec<&OutcomeLine> {
    outcome.lines.iter().filter(|l| !l.extra).collect()
}

fn number(id: &str) -> usize {
    id[1..].parse().unwrap()
}

#[test]
fn same_inputs_give_byte_identical_csv() {
    let params = small();
    let assignment = half_treated(&params);

    let first = csv_bytes(&run(&params, &assignment, TreatmentEffect::new(0.4)));
    let second = csv_bytes(&run(&params, &assignment, TreatmentEffect::new(0.4)));

    assert!(first.starts_with(b"event_id,member_id,ts,item_id,category,quantity,amount\n"));
    assert!(first.len() > 1000);
    assert_eq!(first, second);
}

#[test]
fn zero_effect_gives_exactly_the_baseline_window_for_everyone() {
    let params = small();

    let campaign = run(&params, &half_treated(&params), TreatmentEffect::new(0.0));
    let nobody = run(
        &params,
        &Assignment::new(&params),
        TreatmentEffect::new(0.0),
    );

    let (from, to) = (date(2024, 1, 1), date(2024, 1, 29));
    assert!(campaign.lines.iter().all(|l| !l.extra));
    assert!(
        campaign
            .lines
            .iter()
            .all(|l| (from..to).contains(&l.order.ts.date()))
    );
    assert!(nobody.groups.is_empty());
    assert_eq!(csv_bytes(&campaign), csv_bytes(&nobody));
    assert_eq!(campaign.total().extra_orders, 0);
}

#[test]
fn the_effect_only_adds_lines_of_treated_members() {
    let blanking = small_params().with_empty_category_share(0.2);
    for params in [small(), blanking.check().unwrap()] {
        let assignment = half_treated(&params);

        let none = run(&params, &assignment, TreatmentEffect::new(0.0));
        let full = run(&params, &assignment, TreatmentEffect::new(1.0));

        assert_eq!(baseline_only(&full), baseline_only(&none));
        assert!(
            full.lines.iter().filter(|l| l.extra).all(|l| {
                assignment.get(number(&l.order.member_id)).unwrap().arm == Arm::Treated
            })
        );
    }
}

#[test]
fn effect_one_gives_every_treated_member_exactly_one_extra_order() {
    let params = small();
    let assignment = half_treated(&params);

    let outcome = run(&params, &assignment, TreatmentEffect::new(1.0));

    let mut extra: BTreeMap<&str, BTreeSet<_>> = BTreeMap::new();
    for l in outcome.lines.iter().filter(|l| l.extra) {
        extra
            .entry(&l.order.member_id)
            .or_default()
            .insert(l.order.ts);
        assert!(l.order.quantity > 0 && l.order.amount > 0);
        assert!(
            l.event_id
                .starts_with(&format!("outcome-20240101-{}-x", l.order.member_id))
        );
    }
    let busy: BTreeSet<(&str, NaiveDate)> = baseline_only(&outcome)
        .iter()
        .map(|l| (l.order.member_id.as_str(), l.order.ts.date()))
        .collect();
    assert_eq!(extra.len(), 200);
    assert!(extra.values().all(|ts| ts.len() == 1), "one purchase each");
    assert!(extra.iter().all(|(m, ts)| {
        let day = ts.first().unwrap().date();
        !busy.contains(&(m, day))
    }));
    let total = outcome.total();
    assert_eq!((total.treated, total.control), (200, 200));
    assert_eq!(total.extra_orders, 200);
    assert_eq!(total.orders_uplift(), 1.0);
}

#[test]
fn the_truth_matches_the_written_lines() {
    let params = small();
    let outcome = run(&params, &half_treated(&params), TreatmentEffect::new(0.5));

    let spend: i64 = outcome
        .lines
        .iter()
        .filter(|l| l.extra)
        .map(|l| l.order.amount)
        .sum();
    let buyers: BTreeSet<&str> = baseline_only(&outcome)
        .iter()
        .filter(|l| l.order.quantity > 0)
        .map(|l| l.order.member_id.as_str())
        .collect();
    let extra: BTreeSet<&str> = outcome
        .lines
        .iter()
        .filter(|l| l.extra)
        .map(|l| l.order.member_id.as_str())
        .collect();

    let total = outcome.total();
    assert_eq!(total.extra_spend, spend);
    assert_eq!(total.extra_orders, extra.len());
    assert_eq!(total.new_buyers, extra.difference(&buyers).count());
    assert!(total.new_buyers > 0 && total.new_buyers < total.extra_orders);
    assert_eq!(total.spend_uplift(), spend as f64 / 200.0);
}

#[test]
fn a_share_of_about_the_effect_gets_an_extra_order() {
    let params = SynthParams::default()
        .with_seed(3)
        .with_members(20_000)
        .with_prior_member_share(0.0)
        .with_start(date(2024, 1, 1))
        .with_end(date(2024, 1, 31))
        .check()
        .unwrap();
    let mut assignment = Assignment::new(&params);
    for n in 1..=20_000 {
        let treated = Assigned {
            arm: Arm::Treated,
            group: None,
        };
        assignment.insert(&member_id(n), treated, n).unwrap();
    }

    let outcome = run(&params, &assignment, TreatmentEffect::new(0.3));

    let share = outcome.total().orders_uplift();
    let se = (0.3 * 0.7 / 20_000.0_f64).sqrt();
    assert!((share - 0.3).abs() < 3.0 * se, "share {share}, se {se}");
}

#[test]
fn group_overrides_replace_the_default_effect() {
    let params = small();
    let effect = TreatmentEffect::new(1.0).with_group("b", 0.0);

    let outcome = run(&params, &half_treated(&params), effect);

    let by_group: BTreeMap<Option<&str>, (usize, usize, f64)> = outcome
        .groups
        .iter()
        .map(|g| (g.group.as_deref(), (g.treated, g.extra_orders, g.effect)))
        .collect();
    assert_eq!(by_group.len(), 3);
    for (group, (treated, extra, effect)) in by_group {
        let expected = if group == Some("b") { 0.0 } else { 1.0 };
        assert_eq!(effect, expected, "{group:?}");
        assert_eq!(extra as f64, expected * treated as f64, "{group:?}");
        assert!(treated > 50);
    }
}

#[test]
fn a_longer_window_starts_with_the_lines_of_a_shorter_one() {
    let params = small();
    let nobody = Assignment::new(&params);
    let window = |days| OutcomeParams {
        days,
        ..OutcomeParams::default()
    };

    let short = simulate_outcome(&params, &nobody, &window(14).check(&params).unwrap());
    let long = simulate_outcome(&params, &nobody, &window(56).check(&params).unwrap());

    let cut = date(2024, 1, 15);
    let head: Vec<&OrderLine> = long
        .lines
        .iter()
        .map(|l| &l.order)
        .filter(|o| o.ts.date() < cut)
        .collect();
    assert!(!short.lines.is_empty());
    assert_eq!(
        short.lines.iter().map(|l| &l.order).collect::<Vec<_>>(),
        head
    );
}

/// In the committed sample, 2024-01-01..=28 has 0.83 times the purchase lines of
/// 2023-12-04..=31 (the gift season ends); the continuation past a 2023-12-31 end must match.
#[test]
fn members_keep_shopping_at_the_dataset_rate_after_the_end() {
    let params = SynthParams::default()
        .with_seed(11)
        .with_members(2000)
        .with_end(date(2023, 12, 31))
        .check()
        .unwrap();
    let data = generate(&params);
    let outcome = run(
        &params,
        &Assignment::new(&params),
        TreatmentEffect::new(0.0),
    );

    let last_weeks = data
        .orders
        .iter()
        .filter(|o| o.quantity > 0 && o.ts.date() >= date(2023, 12, 4))
        .count() as f64;
    let window = outcome
        .lines
        .iter()
        .filter(|l| l.order.quantity > 0)
        .count() as f64;

    assert!(
        (0.7..=0.95).contains(&(window / last_weeks)),
        "{window} lines in the window, {last_weeks} in the last 28 days"
    );
}

#[test]
fn rejects_effects_outside_the_unit_interval_naming_the_group() {
    let params = small();
    let check = |effect| {
        OutcomeParams {
            effect,
            ..OutcomeParams::default()
        }
        .check(&params)
    };

    let group = check(TreatmentEffect::new(0.1).with_group("champions", 1.5));
    let default = check(TreatmentEffect::new(f64::NAN));

    assert!(matches!(
        &group,
        Err(OutcomeParamsError::EffectOutOfRange { group: Some(g), value })
            if g == "champions" && *value == 1.5
    ));
    assert!(group.unwrap_err().to_string().contains("group `champions`"));
    assert!(matches!(
        default,
        Err(OutcomeParamsError::EffectOutOfRange { group: None, .. })
    ));
}

#[test]
fn rejects_windows_that_do_not_follow_the_data() {
    let params = small();
    let check = |from, days| {
        OutcomeParams {
            from: Some(from),
            days,
            ..OutcomeParams::default()
        }
        .check(&params)
    };

    assert!(matches!(
        check(date(2023, 12, 31), 28),
        Err(OutcomeParamsError::WindowNotAfterEnd { .. })
    ));
    assert!(matches!(
        check(date(2024, 1, 1), 0),
        Err(OutcomeParamsError::BadDays(0))
    ));
    assert!(matches!(
        check(date(2050, 1, 1), 28),
        Err(OutcomeParamsError::WindowTooFar { .. })
    ));
    assert_eq!(
        check(date(2024, 3, 1), 7).unwrap().window().end
            - check(date(2024, 3, 1), 7).unwrap().window().start,
        7
    );
}

fn read(csv: &str) -> crate::synth::Result<Assignment> {
    Assignment::from_csv(csv.as_bytes(), Path::new("audience.csv"), &small())
}

#[test]
fn reads_an_audience_with_columns_in_any_order() {
    let assignment =
        read("group,arm,member_id,score\nchampions,treated,M000003,1\n,control,M000400,2\n")
            .unwrap();

    assert_eq!(assignment.len(), 2);
    assert_eq!(
        assignment.get(3),
        Some(&Assigned {
            arm: Arm::Treated,
            group: Some("champions".into())
        })
    );
    assert_eq!(assignment.get(400).unwrap().group, None);
}

#[test]
fn rejects_bad_audience_rows_naming_the_row_and_column() {
    let arm = read("member_id,arm\nM000001,treated\nM000002,maybe\n");
    let unknown = read("member_id,arm\nM000401,control\n");
    let malformed = read("member_id,arm\nM1,control\n");
    let duplicate = read("member_id,arm\nM000001,treated\nM000002,control\nM000001,control\n");
    let missing = read("member,arm\nM000001,treated\n");

    assert!(
        matches!(&arm, Err(Error::BadAssignment { row: 3, column: "arm", problem: AssignmentProblem::UnknownArm(a), .. }) if a == "maybe")
    );
    assert!(matches!(
        unknown,
        Err(Error::BadAssignment {
            row: 2,
            column: "member_id",
            problem: AssignmentProblem::UnknownMember { .. },
            ..
        })
    ));
    assert!(matches!(
        malformed,
        Err(Error::BadAssignment {
            problem: AssignmentProblem::UnknownMember { .. },
            ..
        })
    ));
    assert!(matches!(
        duplicate,
        Err(Error::BadAssignment {
            row: 4,
            problem: AssignmentProblem::DuplicateMember { first_row: 2, .. },
            ..
        })
    ));
    assert!(matches!(
        missing,
        Err(Error::BadAssignment {
            row: 1,
            column: "member_id",
            problem: AssignmentProblem::MissingColumn,
            ..
        })
    ));
    assert_eq!(
        arm.unwrap_err().to_string(),
        "audience.csv, row 3, column arm: arm `maybe` is neither `treated` nor `control`"
    );
}
