use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, Exp, Gamma};

use super::*;
use crate::error::{Error, ParamsError};

pub(super) fn assert_rel(got: f64, want: f64, tol: f64, what: &str) {
    let err = (got - want).abs() / want.abs().max(1e-12);
    assert!(
        err <= tol,
        "{what}: got {got}, want {want}, relative error {err:e} > {tol:e}"
    );
}

#[test]
fn hand_checkable_predictions_hold() {
    let model = FittedBgNbd::from_params(0.5, 30.0, 0.8, 3.0);
    assert_eq!(model.p_alive(0, 0.0, 200.0), 1.0);
    let just_bought = 1.0 / (1.0 + 0.8 / (3.0 + 4.0 - 1.0));
    assert_rel(
        model.p_alive(4, 200.0, 200.0),
        just_bought,
        1e-12,
        "p_alive at t_x = T",
    );
    assert_eq!(model.expected_purchases(0.0, 3, 50.0, 200.0), 0.0);
    assert_eq!(model.p_no_purchase(0.0, 3, 50.0, 200.0), 1.0);
    let alive_quiet = (230.0f64 / 330.0).powf(0.5);
    assert_rel(
        model.p_no_purchase(100.0, 0, 0.0, 200.0),
        alive_quiet,
        1e-12,
        "x = 0 is alive",
    );
    let risks: Vec<f64> = [10.0, 30.0, 90.0, 365.0]
        .iter()
        .map(|&h| model.p_no_purchase(h, 2, 60.0, 200.0))
        .collect();
    assert!(
        risks.windows(2).all(|w| w[1] < w[0]),
        "risk falls with a longer horizon: {risks:?}"
    );
    assert!(model.p_alive(5, 20.0, 300.0) < model.p_alive(5, 280.0, 300.0));
}

#[test]
fn hyp2f1_matches_closed_forms() {
    for z in [0.0, 0.1, 0.5, 0.9, 0.99] {
        let log_form = if z == 0.0 {
            1.0
        } else {
            -(1.0f64 - z).ln() / z
        };
        assert_rel(hyp2f1(1.0, 1.0, 2.0, z), log_form, 1e-13, "2F1(1,1;2;z)");
        assert_rel(
            hyp2f1(0.7, 2.5, 2.5, z),
            (1.0f64 - z).powf(-0.7),
            1e-13,
            "2F1(a,b;b;z)",
        );
    }
}

#[test]
fn check_rejects_bad_hyperparameters() {
    assert!(matches!(
        BgNbdParams::new().penalizer(-1.0).check(),
        Err(ParamsError::Penalizer(_))
    ));
    assert!(matches!(
        BgNbdParams::new().penalizer(f64::NAN).check(),
        Err(ParamsError::Penalizer(_))
    ));
    assert!(matches!(
        BgNbdParams::new().max_iter(0).check(),
        Err(ParamsError::MaxIter(0))
    ));
    assert!(matches!(
        BgNbdParams::new().tol(0.0).check(),
        Err(ParamsError::Tolerance(_))
    ));
    let err = BgNbdParams::new()
        .tol(-1.0)
        .fit(&[Rfm::new(1, 1.0, 2.0)])
        .unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidParams(ParamsError::Tolerance(_))
    ));
}

#[test]
fn fit_rejects_empty_and_invalid_records() {
    let params = BgNbdParams::new();
    assert!(matches!(params.fit(&[]), Err(Error::EmptyData)));
    let bad = [Rfm::new(1, 5.0, 10.0), Rfm::new(2, 11.0, 10.0)];
    assert!(matches!(
        params.fit(&bad),
        Err(Error::InvalidRfm { index: 1, .. })
    ));
    let bad = [Rfm::new(0, 3.0, 10.0)];
    assert!(matches!(
        params.fit(&bad),
        Err(Error::InvalidRfm { index: 0, .. })
    ));
    let bad = [Rfm::new(1, f64::NAN, 10.0)];
    assert!(matches!(
        params.fit(&bad),
        Err(Error::InvalidRfm { index: 0, .. })
    ));
}

#[test]
fn fit_without_interior_optimum_is_an_error_not_a_silent_result() {
    let nobody_returns: Vec<Rfm> = (0..100)
        .map(|i| Rfm::new(0, 0.0, 50.0 + f64::from(i)))
        .collect();
    let err = BgNbdParams::new()
        .max_iter(200)
        .fit(&nobody_returns)
        .unwrap_err();
    assert!(
        matches!(err, Error::NotConverged { .. } | Error::Degenerate { .. }),
        "{err:?}"
    );
}

/// Members simulated from the BG/NBD process with daily-rounded times.
fn simulate(n: usize, seed: u64) -> Vec<Rfm> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let rate = Gamma::new(0.5, 1.0 / 60.0).expect("valid gamma");
    let dropout = Beta::new(0.8, 3.0).expect("valid beta");
    (0..n)
        .map(|_| {
            let age = f64::from(rng.random_range(30u32..=730));
            let (lambda, p): (f64, f64) = (rate.sample(&mut rng), dropout.sample(&mut rng));
            let gap = Exp::new(lambda).expect("positive rate");
            let (mut t, mut x, mut t_x) = (0.0, 0u32, 0.0);
            loop {
                t += gap.sample(&mut rng);
                if t > age {
                    break;
                }
                x += 1;
                t_x = t.floor().min(age);
                if rng.random::<f64>() < p {
                    break;
                }
            }
            Rfm::new(x, if x == 0 { 0.0 } else { t_x }, age)
        })
        .collect()
}

#[test]
fn fit_recovers_simulated_parameters_roughly() {
    let model = BgNbdParams::new()
        .fit(&simulate(5000, 7))
        .expect("fit converges");
    assert!((0.35..0.7).contains(&model.r), "{model:?}");
    assert!((35.0..90.0).contains(&model.alpha), "{model:?}");
    assert!((0.4..1.6).contains(&model.a), "{model:?}");
    assert!((1.5..6.0).contains(&model.b), "{model:?}");
}

/// Timing on 28k members; run with `cargo test -p training --release -- --ignored --nocapture`.
#[test]
#[ignore = "timing: run in release"]
fn fit_28k_members_timing() {
    let data = simulate(28_000, 11);
    let start = Instant::now();
    let model = BgNbdParams::new().fit(&data).expect("fit converges");
    let elapsed = start.elapsed();
    eprintln!(
        "BG/NBD fit on {} members: {elapsed:?}; {model:?}",
        data.len()
    );
    assert!(elapsed.as_secs_f64() < 0.5, "fit took {elapsed:?}");
}
