use features::churn::BgNbd;
use features::{Day, OrderBook, OrderBookBuilder};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma};

use super::*;
use crate::error::{Error, ParamsError};

const BGNBD: BgNbd = BgNbd {
    r: 0.8,
    alpha: 25.0,
    a: 0.3,
    b: 2.0,
};

/// Members' (frequency, mean repeat spend) drawn from a Gamma-Gamma model with `p, q, v`.
fn simulate(n: usize, p: f64, q: f64, v: f64, seed: u64) -> (Vec<u32>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let nu_prior = Gamma::new(q, 1.0 / v).expect("valid");
    (0..n)
        .map(|_| {
            let x: u32 = rng.random_range(1..=8);
            let nu: f64 = nu_prior.sample(&mut rng);
            let per = Gamma::new(p, 1.0 / nu).expect("valid");
            let total: f64 = (0..x).map(|_| per.sample(&mut rng)).sum();
            (x, total / f64::from(x))
        })
        .unzip()
}

fn spends_from(frequency: &[u32], monetary: &[f64]) -> Vec<Spend> {
    frequency
        .iter()
        .zip(monetary)
        .map(|(&x, &m)| Spend {
            purchase_days: x + 1,
            total: 50.0 + m * f64::from(x),
            first_day_spend: 50.0,
        })
        .collect()
}

#[test]
fn value_params_reject_each_invalid_setting() {
    let rejects = |p: ValueParams| matches!(p.check(), Err(ParamsError::Config(_)));
    assert!(rejects(ValueParams::new().value_horizon_days(0)));
    assert!(rejects(ValueParams::new().min_repeaters(2)));
    assert!(rejects(ValueParams::new().max_abs_correlation(0.0)));
    assert!(rejects(ValueParams::new().max_abs_correlation(1.5)));
    assert!(rejects(ValueParams::new().prior_purchases(f64::NAN)));
    let bad_gg = ValueParams::new().gamma_gamma(GammaGammaParams::new().penalizer(-1.0));
    assert!(matches!(bad_gg.check(), Err(ParamsError::Penalizer(_))));
    assert!(matches!(
        GammaGammaParams::new().max_iter(0).check(),
        Err(ParamsError::MaxIter(0))
    ));
    assert!(matches!(
        GammaGammaParams::new().tol(0.0).check(),
        Err(ParamsError::Tolerance(_))
    ));
    let ok = ValueParams::new().check().expect("defaults are valid");
    assert_eq!(ok.value_horizon_days(), 365);
}

#[test]
fn fit_recovers_simulated_parameters() {
    let (p, q, v) = (3.0, 4.0, 150.0);
    let (frequency, monetary) = simulate(8000, p, q, v, 11);
    let fitted = GammaGammaParams::new()
        .fit(&frequency, &monetary)
        .expect("converges");
    let got = fitted.params;
    let mean = p * v / (q - 1.0);
    assert!(
        (got.population_mean() - mean).abs() / mean < 0.05,
        "{got:?}"
    );
    for (g, w) in [(got.p, p), (got.q, q), (got.v, v)] {
        assert!((g - w).abs() / w < 0.25, "{got:?}");
    }
}

#[test]
fn fit_is_the_same_in_any_currency() {
    let (frequency, monetary) = simulate(2000, 2.0, 3.0, 40.0, 3);
    let in_cents: Vec<f64> = monetary.iter().map(|m| m * 100.0).collect();
    let params = GammaGammaParams::new();
    let a = params.fit(&frequency, &monetary).expect("converges").params;
    let b = params.fit(&frequency, &in_cents).expect("converges").params;
    assert!((a.p - b.p).abs() / a.p < 1e-6 && (a.q - b.q).abs() / a.q < 1e-6);
    assert!((a.v * 100.0 - b.v).abs() / b.v < 1e-6, "{a:?} {b:?}");
}

#[test]
fn spend_uses_gamma_gamma_when_it_applies() {
    let (frequency, monetary) = simulate(1000, 3.0, 4.0, 150.0, 5);
    let params = ValueParams::new().check().expect("valid");
    let fit = fit_spend(&spends_from(&frequency, &monetary), &params);
    assert!(fit.fallback.is_none(), "{fit:?}");
    assert!(matches!(fit.model, SpendModel::GammaGamma(_)));
    assert_eq!(fit.diagnostics.repeaters, 1000);
    let rho = fit.diagnostics.spearman_frequency_spend.expect("defined");
    assert!(rho.abs() < 0.1, "{rho}");
}

#[test]
fn spend_falls_back_with_too_few_repeaters() {
    let (frequency, monetary) = simulate(40, 3.0, 4.0, 150.0, 5);
    let params = ValueParams::new().check().expect("valid");
    let fit = fit_spend(&spends_from(&frequency, &monetary), &params);
    let fallback = fit.fallback.expect("falls back");
    assert_eq!(fallback.rule, RULE_SHRUNK_MEAN);
    assert!(
        fallback.reason.contains("40 repeat customers"),
        "{fallback:?}"
    );
    assert!(matches!(
        fit.model,
        SpendModel::ShrunkMean { prior_purchases, .. } if prior_purchases == 1.0
    ));
}

#[test]
fn spend_falls_back_when_spend_falls_with_frequency() {
    let (frequency, _) = simulate(500, 3.0, 4.0, 150.0, 9);
    let monetary: Vec<f64> = frequency.iter().map(|&x| 200.0 / f64::from(x)).collect();
    let params = ValueParams::new().check().expect("valid");
    let fit = fit_spend(&spends_from(&frequency, &monetary), &params);
    let fallback = fit.fallback.expect("falls back");
    assert!(fallback.reason.contains("Spearman"), "{fallback:?}");
    assert!(fit.diagnostics.spearman_frequency_spend.expect("defined") < -0.9);
}

#[test]
fn spend_falls_back_when_the_fit_does_not_converge() {
    let (frequency, monetary) = simulate(500, 3.0, 4.0, 150.0, 9);
    let params = ValueParams::new()
        .gamma_gamma(GammaGammaParams::new().max_iter(2).tol(1e-30))
        .check()
        .expect("valid");
    let fit = fit_spend(&spends_from(&frequency, &monetary), &params);
    let fallback = fit.fallback.expect("falls back");
    assert!(fallback.reason.contains("did not converge"), "{fallback:?}");
}

fn tiny_book() -> OrderBook {
    let ts = |d: i32| Day(11_000 + d).start_ts() + 36_000;
    let mut b = OrderBookBuilder::new();
    for (m, day, amount) in [
        ("a", 0, 100.0),
        ("a", 10, 50.0),
        ("a", 20, 150.0),
        ("a", 41, 80.0),
        ("b", 30, 40.0),
        ("b", 45, 400.0),
        ("c", 5, 10.0),
        ("c", 35, 30.0),
        ("c", 38, 5.0),
    ] {
        b.push_line(m, ts(day), "i", "", 1.0, amount);
    }
    b.push_line("c", ts(42), "i", "", -1.0, -5.0);
    b.finish()
}

#[test]
fn backtest_measures_model_and_baselines_on_the_window() {
    let book = tiny_book();
    let as_of = Day(11_040);
    let snapshot = book.snapshot(as_of);
    let params = ValueParams::new().min_repeaters(3).check().expect("valid");
    let eval = backtest_value(&book, &snapshot, BGNBD, &params, 14, Day(11_045)).expect("defined");
    assert_eq!(eval.members, 3);
    assert_eq!(actual_spend(&book, &snapshot, 14), [80.0, 400.0, 0.0]);
    assert_eq!((eval.buyers_in_window, eval.actual_spend), (2, 480.0));
    assert!(!eval.label_window_complete);
    let fallback = eval.fitted.spend.fallback.as_ref().expect("two repeaters");
    assert!(
        fallback.reason.contains("2 repeat customers"),
        "{fallback:?}"
    );
    // Past rate: a spent 300 over 40 days, b 40 over 10, c 45 over 35; times 14 days.
    let past = &eval.baselines[BASELINE_PAST_RATE];
    let want = 300.0 / 40.0 * 14.0 + 40.0 / 10.0 * 14.0 + 45.0 / 35.0 * 14.0;
    assert!((past.predicted_spend - want).abs() < 1e-9, "{past:?}");
    assert!(eval.model.spearman.is_finite());
    assert!(eval.baselines.contains_key(BASELINE_BGNBD_MEAN_SPEND));
    assert_eq!(
        eval.next_order.with_date,
        eval.fitted
            .predict(&snapshot, &spends_at(&book, &snapshot), 14)
            .iter()
            .filter(|v| v.expected_next_order.is_some())
            .count()
    );
}

#[test]
fn backtest_without_spend_in_the_window_is_a_data_shape_error() {
    let book = tiny_book();
    let snapshot = book.snapshot(Day(11_046));
    let params = ValueParams::new().check().expect("valid");
    let err = backtest_value(&book, &snapshot, BGNBD, &params, 14, Day(11_045)).unwrap_err();
    assert!(
        matches!(err, Error::UndefinedMetric { .. }) && err.is_data_shape(),
        "{err:?}"
    );
}
