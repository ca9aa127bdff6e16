//! Independent reference: lifetimes' `GammaGammaFitter` on its CDNOW sample with monetary
//! value (see `tests/fixtures/gamma_gamma_reference.py`).

use serde::Deserialize;

use super::*;

#[derive(Deserialize)]
struct Reference {
    penalizer: f64,
    repeat_customers: usize,
    lifetimes: RefParams,
    lifetimes_objective: f64,
    refined: RefParams,
    pearson_frequency_monetary: f64,
    members: Vec<RefMember>,
    data: RefData,
}

#[derive(Deserialize)]
struct RefParams {
    p: f64,
    q: f64,
    v: f64,
}

#[derive(Deserialize)]
struct RefMember {
    frequency: u32,
    monetary_value: f64,
    expected_average_profit: f64,
}

#[derive(Deserialize)]
struct RefData {
    frequency: Vec<u32>,
    monetary_value: Vec<f64>,
}

fn reference() -> Reference {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/gamma_gamma_reference.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture exists"))
        .expect("fixture parses")
}

fn rel_err(got: f64, want: f64) -> f64 {
    (got - want).abs() / want.abs()
}

fn assert_rel(got: f64, want: f64, tol: f64, what: &str) {
    let err = rel_err(got, want);
    assert!(
        err <= tol,
        "{what}: got {got}, want {want}, relative error {err:e} > {tol:e}"
    );
}

#[test]
fn fit_on_cdnow_matches_lifetimes_gamma_gamma_fitter() {
    let reference = reference();
    let d = &reference.data;
    let fitted = GammaGammaParams::new()
        .penalizer(reference.penalizer)
        .fit(&d.frequency, &d.monetary_value)
        .expect("fit converges");
    let got = [fitted.params.p, fitted.params.q, fitted.params.v];
    let lifetimes = [
        reference.lifetimes.p,
        reference.lifetimes.q,
        reference.lifetimes.v,
    ];
    let refined = [
        reference.refined.p,
        reference.refined.q,
        reference.refined.v,
    ];
    for (k, name) in ["p", "q", "v"].iter().enumerate() {
        let (vs_lifetimes, vs_refined) =
            (rel_err(got[k], lifetimes[k]), rel_err(got[k], refined[k]));
        eprintln!(
            "{name}: {} lifetimes {} rel {vs_lifetimes:.2e}; refined {} rel {vs_refined:.2e}",
            got[k], lifetimes[k], refined[k]
        );
        assert_rel(got[k], lifetimes[k], 1e-3, &format!("{name} vs lifetimes"));
        assert_rel(got[k], refined[k], 1e-5, &format!("{name} vs refined"));
    }
    let report = &fitted.report;
    assert_eq!(report.n_members, reference.repeat_customers);
    assert!(report.grad_norm <= 1e-8, "{report:?}");
    assert!(
        report.objective <= reference.lifetimes_objective + 1e-12,
        "{report:?}"
    );
    assert!(
        report
            .log_param_std_errors
            .iter()
            .all(|se| (0.0..1.0).contains(se)),
        "{report:?}"
    );
}

#[test]
fn expected_average_profit_matches_lifetimes_at_its_parameters() {
    let reference = reference();
    let p = &reference.lifetimes;
    let gg = GammaGamma {
        p: p.p,
        q: p.q,
        v: p.v,
    };
    assert!(reference.members.iter().any(|m| m.frequency == 0));
    for m in &reference.members {
        let got = gg.conditional_expected_average_profit(m.frequency, m.monetary_value);
        assert_rel(
            got,
            m.expected_average_profit,
            1e-12,
            &format!("member ({}, {})", m.frequency, m.monetary_value),
        );
    }
}

#[test]
fn correlation_diagnostic_matches_numpy() {
    let reference = reference();
    let d = &reference.data;
    let (x, m): (Vec<f64>, Vec<f64>) = d
        .frequency
        .iter()
        .zip(&d.monetary_value)
        .filter(|(x, _)| **x > 0)
        .map(|(&x, &m)| (f64::from(x), m))
        .unzip();
    let r = pearson(&x, &m).expect("defined");
    assert_rel(r, reference.pearson_frequency_monetary, 1e-10, "pearson");
}

#[test]
fn nelder_mead_fallback_rescues_a_far_start() {
    let reference = reference();
    let d = &reference.data;
    let params = GammaGammaParams::new().check().expect("defaults are valid");
    let fitted = params
        .fit_from(&d.frequency, &d.monetary_value, [8.0, -6.0, 9.0])
        .expect("converges");
    assert_eq!(
        fitted.report.solver,
        crate::bgnbd::FitSolver::NelderMeadThenLbfgs
    );
    assert_rel(
        fitted.params.p,
        reference.refined.p,
        1e-5,
        "p from a far start",
    );
    assert_rel(
        fitted.params.v,
        reference.refined.v,
        1e-5,
        "v from a far start",
    );
}

#[test]
fn fit_that_cannot_reach_the_tolerance_is_an_error() {
    let reference = reference();
    let d = &reference.data;
    let err = GammaGammaParams::new()
        .max_iter(3)
        .tol(1e-30)
        .fit(&d.frequency, &d.monetary_value)
        .unwrap_err();
    assert!(
        matches!(err, crate::Error::NotConverged { evaluations, .. } if evaluations > 0),
        "{err:?}"
    );
}
