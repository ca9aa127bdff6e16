//! Platt scaling: a two-parameter logistic map `p = sigmoid(a · logit + b)` fitted on held-out
//! logits, stored as the `calibration` of [`features::churn::Linear`] and
//! [`TreeEnsemble`](crate::onnx::TreeEnsemble).

use crate::error::{Error, Result};

const MODEL: &str = "Platt calibration";
const MAX_ITER: usize = 100;
/// Ridge added to the Hessian diagonal (Lin, Lin & Weng 2007).
const HESSIAN_RIDGE: f64 = 1e-12;
/// Convergence: largest gradient component of the mean objective.
const GRAD_TOL: f64 = 1e-12;
/// Probabilities are clamped to `[ε, 1 − ε]` before taking logits.
const PROB_EPS: f64 = 1e-7;

/// Fits `(a, b)` so that `sigmoid(a · logit + b)` maximises the likelihood of `labels`
/// (`true` = positive), by Newton's method with backtracking (Lin, Lin & Weng 2007, "A note
/// on Platt's probabilistic outputs for support vector machines").
///
/// As in Platt (1999), targets are smoothed to `(N₊ + 1) / (N₊ + 2)` for positives and
/// `1 / (N₋ + 2)` for negatives, which keeps `(a, b)` finite on separable data; on thousands
/// of rows the effect is negligible. Fit it on data the model was not trained on.
/// Model probabilities convert with [`logits_from_probs`].
///
/// # Errors
/// [`Error::EmptyData`], [`Error::LengthMismatch`], [`Error::NonFinite`] for a non-finite
/// logit, and [`Error::Degenerate`] when the labels hold one class.
pub fn fit_platt(logits: &[f32], labels: &[bool]) -> Result<(f32, f32)> {
    let f: Vec<f64> = logits.iter().map(|&z| f64::from(z)).collect();
    let (a, b) = fit_platt_f64(&f, labels)?;
    Ok((a as f32, b as f32))
}

/// `ln(p / (1 − p))` of each probability, clamped to `[1e-7, 1 − 1e-7]` first.
pub fn logits_from_probs(probs: &[f32]) -> Vec<f32> {
    probs
        .iter()
        .map(|&p| {
            let p = f64::from(p).clamp(PROB_EPS, 1.0 - PROB_EPS);
            (p / (1.0 - p)).ln() as f32
        })
        .collect()
}

/// `sigmoid(a · logit + b)`.
pub fn apply_platt((a, b): (f32, f32), logit: f32) -> f32 {
    let z = f64::from(a) * f64::from(logit) + f64::from(b);
    (1.0 / (1.0 + (-z).exp())) as f32
}

/// [`fit_platt`] in `f64` throughout.
pub(crate) fn fit_platt_f64(f: &[f64], labels: &[bool]) -> Result<(f64, f64)> {
    if labels.is_empty() {
        return Err(Error::EmptyData);
    }
    if f.len() != labels.len() {
        return Err(Error::LengthMismatch {
            what: "logits",
            expected: labels.len(),
            got: f.len(),
        });
    }
    if let Some(index) = f.iter().position(|z| !z.is_finite()) {
        return Err(Error::NonFinite {
            what: "logits",
            index,
        });
    }
    let n_pos = labels.iter().filter(|&&y| y).count() as f64;
    let n_neg = labels.len() as f64 - n_pos;
    if n_pos == 0.0 || n_neg == 0.0 {
        let reason = "the labels hold a single class".to_string();
        return Err(Error::Degenerate {
            model: MODEL,
            reason,
        });
    }
    let (hi, lo) = ((n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0));
    let t: Vec<f64> = labels.iter().map(|&y| if y { hi } else { lo }).collect();
    let n = f.len() as f64;
    let objective = |a: f64, b: f64| -> f64 {
        f.iter()
            .zip(&t)
            .map(|(&f, &t)| {
                let z = a * f + b;
                t * softplus(-z) + (1.0 - t) * softplus(z)
            })
            .sum::<f64>()
            / n
    };
    let (mut a, mut b) = (0.0, ((n_pos + 1.0) / (n_neg + 1.0)).ln());
    let mut value = objective(a, b);
    for _ in 0..MAX_ITER {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) =
            (0.0, 0.0, HESSIAN_RIDGE, 0.0, HESSIAN_RIDGE);
        for (&f, &t) in f.iter().zip(&t) {
            let p = 1.0 / (1.0 + (-(a * f + b)).exp());
            let (r, h) = ((p - t) / n, p * (1.0 - p) / n);
            ga += r * f;
            gb += r;
            haa += h * f * f;
            hab += h * f;
            hbb += h;
        }
        if ga.abs().max(gb.abs()) <= GRAD_TOL {
            break;
        }
        let det = haa * hbb - hab * hab;
        let (da, db) = (-(hbb * ga - hab * gb) / det, -(haa * gb - hab * ga) / det);
        let slope = ga * da + gb * db;
        // Once the predicted decrease is below the objective's rounding noise, the Armijo
        // test can no longer tell better from worse; the full Newton step is then safe.
        let within_noise = -slope <= 1e-12 * value.abs().max(1.0);
        let mut step = 1.0;
        loop {
            let candidate = objective(a + step * da, b + step * db);
            if within_noise || candidate <= value + 1e-4 * step * slope {
                (a, b, value) = (a + step * da, b + step * db, candidate);
                break;
            }
            step /= 2.0;
            if step < 1e-10 {
                return Ok((a, b));
            }
        }
    }
    Ok((a, b))
}

fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}
