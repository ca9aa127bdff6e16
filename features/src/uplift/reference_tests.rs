//! Every value in `features/tests/uplift_reference/fixture.json` (statsmodels and
//! scikit-uplift, made by `generate.py` beside it) reproduced to 1e-9 relative.

use serde_json::Value;

use super::tests::arm_of;
use super::*;

const FIXTURE: &str = include_str!("../../tests/uplift_reference/fixture.json");
const REL: f64 = 1e-9;

fn fixture() -> Value {
    serde_json::from_str(FIXTURE).expect("fixture.json parses")
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

#[track_caller]
fn close(got: f64, want: f64, what: &str) {
    let tol = REL * want.abs() + 1e-12;
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, want {want} (diff {:e})",
        got - want
    );
}

#[track_caller]
fn close_estimate(got: &Estimate, want: &Value, what: &str) {
    let want: Vec<f64> = want.as_array().unwrap().iter().map(f).collect();
    close(got.value, want[0], what);
    let i = got
        .interval
        .unwrap_or_else(|e| panic!("{what}: no interval ({e})"));
    close(i.low, want[1], &format!("{what} low"));
    close(i.high, want[2], &format!("{what} high"));
}

fn check_proportions(case: &Value, treated: &GroupOutcome, control: &GroupOutcome, name: &str) {
    let conf = Confidence::new(f(&case["confidence"])).unwrap();
    close_estimate(
        &absolute_uplift(treated, control, conf).unwrap(),
        &case["diff"],
        &format!("{name} diff"),
    );
    let relative = relative_uplift(treated, control, conf);
    match &case["ratio"] {
        Value::Null => assert!(
            relative.is_err() || relative.unwrap().interval.is_err(),
            "{name} ratio"
        ),
        want => close_estimate(&relative.unwrap(), want, &format!("{name} ratio")),
    }
}

#[test]
fn conversion_uplift_matches_statsmodels_newcomb_and_log_ratio() {
    for (i, case) in fixture()["proportions"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let (t, c) = (&case["treated"], &case["control"]);
        let treated = arm_of(u(&t[1]), u(&t[0]), Arm::Treated);
        let control = arm_of(u(&c[1]), u(&c[0]), Arm::Control);
        check_proportions(case, &treated, &control, &format!("proportions[{i}]"));
    }
}

fn outcome(v: &Value, arm: Arm) -> GroupOutcome {
    let moments = |m: &Value| Moments {
        count: u(&m["count"]),
        sum: f(&m["sum"]),
        sum_sq: f(&m["sum_sq"]),
    };
    GroupOutcome::new(
        arm,
        u(&v["members"]),
        u(&v["converters"]),
        moments(&v["orders"]),
        moments(&v["spend"]),
    )
    .unwrap()
}

#[test]
fn mean_uplift_matches_statsmodels_welch_and_the_delta_method() {
    for case in fixture()["means"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (t, c) = (
            outcome(&case["treated"], Arm::Treated),
            outcome(&case["control"], Arm::Control),
        );
        let conf = Confidence::new(f(&case["confidence"])).unwrap();
        for (metric, key) in [(Metric::Orders, "orders"), (Metric::Spend, "spend")] {
            let want = &case[key];
            let what = format!("{name} {key}");
            close_estimate(
                &mean_uplift(&t, &c, metric, conf).unwrap(),
                &want["diff"],
                &format!("{what} welch"),
            );
            close_estimate(
                &incremental_total(&t, &c, metric, conf).unwrap(),
                &want["incremental"],
                &what,
            );
            let relative = relative_mean_uplift(&t, &c, metric, conf);
            match &want["relative"] {
                Value::Null => assert_eq!(relative, Err(Degenerate::ZeroControl("mean")), "{what}"),
                rel => close_estimate(&relative.unwrap(), rel, &format!("{what} relative")),
            }
        }
        check_proportions(&case["conversion"], &t, &c, name);
    }
}

fn rows(case: &Value) -> Vec<Scored> {
    let col = |k: &str| case[k].as_array().unwrap().clone();
    let (score, treated, y) = (col("score"), col("treated"), col("y"));
    (0..score.len())
        .map(|i| Scored {
            score: f(&score[i]),
            treated: u(&treated[i]) == 1,
            converted: u(&y[i]) == 1,
        })
        .collect()
}

#[track_caller]
fn check_curve(got: Result<Vec<CurvePoint>, UpliftError>, want: &Value, what: &str) {
    let Some(want) = want.as_array() else {
        assert!(got.is_err(), "{what}: expected an error, got {got:?}");
        return;
    };
    let got = got.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(got.len(), want.len(), "{what}: number of points");
    for (j, (g, w)) in got.iter().zip(want).enumerate() {
        close(g.x, f(&w[0]), &format!("{what} x[{j}]"));
        close(g.y, f(&w[1]), &format!("{what} y[{j}]"));
    }
}

#[track_caller]
fn check_score(got: Result<f64, UpliftError>, want: &Value, what: &str) {
    match want {
        Value::Null => assert!(got.is_err(), "{what}: expected an error, got {got:?}"),
        w => close(got.unwrap_or_else(|e| panic!("{what}: {e}")), f(w), what),
    }
}

#[test]
fn ranked_metrics_match_scikit_uplift() {
    for case in fixture()["ranked"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let rows = rows(case);
        check_curve(
            qini_curve(&rows),
            &case["qini_curve"],
            &format!("{name} qini"),
        );
        check_curve(
            uplift_curve(&rows),
            &case["uplift_curve"],
            &format!("{name} uplift"),
        );
        check_curve(
            perfect_qini_curve(&rows, true),
            &case["perfect_qini_curve"],
            &format!("{name} perfect qini"),
        );
        check_curve(
            perfect_qini_curve(&rows, false),
            &case["perfect_qini_curve_no_negative"],
            &format!("{name} perfect qini, no negative effect"),
        );
        check_curve(
            perfect_uplift_curve(&rows),
            &case["perfect_uplift_curve"],
            &format!("{name} perfect uplift"),
        );
        check_score(
            qini_auc_score(&rows, true),
            &case["qini_auc"],
            &format!("{name} qini auc"),
        );
        check_score(
            qini_auc_score(&rows, false),
            &case["qini_auc_no_negative"],
            &format!("{name} qini auc, no negative"),
        );
        check_score(
            uplift_auc_score(&rows),
            &case["uplift_auc"],
            &format!("{name} uplift auc"),
        );
        for at in case["at_k"].as_array().unwrap() {
            let strategy = match at["strategy"].as_str().unwrap() {
                "overall" => Strategy::Overall,
                _ => Strategy::ByGroup,
            };
            let k = if at["is_count"].as_bool().unwrap() {
                TopK::Count(u(&at["k"]) as usize)
            } else {
                TopK::Fraction(f(&at["k"]))
            };
            check_score(
                uplift_at_k(&rows, k, strategy),
                &at["value"],
                &format!("{name} uplift_at_k {strategy:?} {k:?}"),
            );
        }
    }
}

#[test]
fn minimum_detectable_uplift_solves_the_statsmodels_power_equation() {
    for case in fixture()["power"].as_array().unwrap() {
        let test = PowerTest::new(f(&case["alpha"]), f(&case["power"])).unwrap();
        let got = minimum_detectable_uplift(
            u(&case["treated"]),
            u(&case["control"]),
            f(&case["baseline"]),
            &test,
        )
        .unwrap();
        let what = format!("power {case}");
        match &case["detectable"] {
            Value::Null => assert_eq!(got, None, "{what}"),
            want => {
                let got = got.unwrap();
                close(got.effect_size, f(&case["effect_size"]), &what);
                // statsmodels' own solve_power stops early (brentq default tolerances): ~1e-5.
                close_loosely(got.effect_size, f(&case["solve_power_effect_size"]), &what);
                close(got.treated_rate, f(&want["treated_rate"]), &what);
                close(got.absolute, f(&want["absolute"]), &what);
                close(got.relative, f(&want["relative"]), &what);
            }
        }
    }
}

#[track_caller]
fn close_loosely(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 2e-5 * want.abs(),
        "{what}: got {got}, solve_power {want}"
    );
}

#[test]
fn control_size_needed_solves_the_statsmodels_power_equation() {
    for case in fixture()["control_size"].as_array().unwrap() {
        let test = PowerTest::new(f(&case["alpha"]), f(&case["power"])).unwrap();
        let got = control_size_needed(
            u(&case["treated"]),
            f(&case["baseline"]),
            f(&case["expected_relative"]),
            &test,
        )
        .unwrap();
        let what = format!("control size {case}");
        match (&case["control_needed"], got) {
            (Value::Null, ControlSize::Unreachable { .. }) => {}
            (want, ControlSize::Members { exact, members }) if !want.is_null() => {
                close(exact, f(want), &what);
                assert_eq!(members, f(want).ceil() as u64, "{what}");
            }
            (want, got) => panic!("{what}: want {want}, got {got:?}"),
        }
    }
}
