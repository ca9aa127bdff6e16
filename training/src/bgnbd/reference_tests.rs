//! Independent reference: lifetimes' fit on its CDNOW sample and per-member predictions
//! (see `tests/fixtures/bgnbd_reference.py`).

use serde::Deserialize;

use super::tests::assert_rel;
use super::*;
use crate::error::Error;

#[derive(Deserialize)]
struct Reference {
    horizons: Vec<f64>,
    fits: Vec<RefFit>,
    members: Vec<RefMember>,
    data: RefData,
}

#[derive(Deserialize)]
struct RefFit {
    penalizer: f64,
    lifetimes: RefParams,
    refined: RefParams,
}

#[derive(Deserialize)]
struct RefParams {
    r: f64,
    alpha: f64,
    a: f64,
    b: f64,
}

#[derive(Deserialize)]
struct RefMember {
    frequency: u32,
    recency: f64,
    age: f64,
    p_alive: f64,
    expected_purchases: Vec<f64>,
    p_no_purchase: Vec<f64>,
}

#[derive(Deserialize)]
struct RefData {
    frequency: Vec<u32>,
    recency: Vec<f64>,
    age: Vec<f64>,
}

fn reference() -> Reference {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/bgnbd_reference.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture exists"))
        .expect("fixture parses")
}

fn cdnow(reference: &Reference) -> Vec<Rfm> {
    let d = &reference.data;
    (0..d.frequency.len())
        .map(|i| Rfm::new(d.frequency[i], d.recency[i], d.age[i]))
        .collect()
}

fn params_of(m: &FittedBgNbd) -> [f64; 4] {
    [m.r, m.alpha, m.a, m.b]
}

#[test]
fn fit_on_cdnow_matches_lifetimes_with_and_without_penalizer() {
    let reference = reference();
    let data = cdnow(&reference);
    for fit in &reference.fits {
        let model = BgNbdParams::new()
            .penalizer(fit.penalizer)
            .fit(&data)
            .expect("fit converges");
        let got = params_of(&model);
        let lifetimes = [
            fit.lifetimes.r,
            fit.lifetimes.alpha,
            fit.lifetimes.a,
            fit.lifetimes.b,
        ];
        let refined = [
            fit.refined.r,
            fit.refined.alpha,
            fit.refined.a,
            fit.refined.b,
        ];
        for k in 0..4 {
            assert_rel(
                got[k],
                lifetimes[k],
                1e-3,
                &format!("param {k} vs lifetimes, pen {}", fit.penalizer),
            );
            assert_rel(
                got[k],
                refined[k],
                1e-5,
                &format!("param {k} vs refined, pen {}", fit.penalizer),
            );
        }
        let report = model.report.expect("fitted models carry a report");
        assert!(report.grad_norm <= 1e-8);
        assert_eq!(report.n_members, data.len());
        assert!(
            report
                .log_param_std_errors
                .iter()
                .all(|se| (0.0..1.0).contains(se)),
            "{report:?}"
        );
    }
}

#[test]
fn predictions_match_reference_given_lifetimes_parameters() {
    let reference = reference();
    let p = &reference
        .fits
        .iter()
        .find(|f| f.penalizer == 0.0)
        .expect("unpenalised fit")
        .lifetimes;
    let model = FittedBgNbd::from_params(p.r, p.alpha, p.a, p.b);
    assert!(reference.members.len() >= 30);
    for m in &reference.members {
        let (x, tx, t) = (m.frequency, m.recency, m.age);
        assert_rel(model.p_alive(x, tx, t), m.p_alive, 1e-9, "p_alive");
        for (h_ix, &h) in reference.horizons.iter().enumerate() {
            let what = format!("member ({x}, {tx}, {t}) horizon {h}");
            assert_rel(
                model.expected_purchases(h, x, tx, t),
                m.expected_purchases[h_ix],
                1e-7,
                &what,
            );
            assert_rel(
                model.p_no_purchase(h, x, tx, t),
                m.p_no_purchase[h_ix],
                1e-7,
                &what,
            );
        }
    }
}

#[test]
fn fallback_rescues_a_start_where_lbfgs_stalls() {
    let reference = reference();
    let refined = &reference
        .fits
        .iter()
        .find(|f| f.penalizer == 0.0)
        .expect("unpenalised fit")
        .refined;
    let params = BgNbdParams::new().check().expect("defaults are valid");
    let model = params
        .fit_from(&cdnow(&reference), [10.0, -10.0, 10.0, 10.0])
        .expect("fallback converges");
    assert_eq!(
        model.report.as_ref().map(|r| r.solver),
        Some(FitSolver::NelderMeadThenLbfgs)
    );
    assert_rel(model.r, refined.r, 1e-5, "r after fallback");
    assert_rel(model.b, refined.b, 1e-5, "b after fallback");
}

#[test]
fn fit_that_cannot_reach_the_tolerance_is_an_error() {
    let reference = reference();
    let err = BgNbdParams::new()
        .max_iter(5)
        .tol(1e-30)
        .fit(&cdnow(&reference))
        .unwrap_err();
    assert!(
        matches!(err, Error::NotConverged { evaluations, .. } if evaluations > 0),
        "{err:?}"
    );
}
