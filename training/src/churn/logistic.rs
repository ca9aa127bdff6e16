//! L2-regularised logistic regression (linfa-logistic, L-BFGS) on log-transformed and
//! standardised features.

use features::churn::Linear;
use linfa::traits::Fit;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2, ShapeBuilder};

use super::design::{Design, Standardizer, check_matrix};
use super::params::{LogisticParams, LogisticValidParams};
use crate::error::{Error, Result};

const MODEL: &str = "churn logistic regression";

/// Logits of a row-major matrix with `model`'s `D` columns, after checking it.
///
/// # Errors
/// [`Error::LengthMismatch`], [`Error::EmptyData`] or [`Error::NonFinite`] for a malformed
/// matrix.
pub fn checked_logits(model: &Linear, data: &[f32]) -> Result<Vec<f32>> {
    let d = model.n_features();
    check_matrix(data, d, data.len() / d.max(1))?;
    Ok(model.logits(data))
}

/// Probabilities of a row-major matrix with `model`'s `D` columns, after checking it.
///
/// # Errors
/// As [`checked_logits`].
pub fn checked_probs(model: &Linear, data: &[f32]) -> Result<Vec<f32>> {
    let d = model.n_features();
    check_matrix(data, d, data.len() / d.max(1))?;
    Ok(model.predict(data))
}

/// `model` after [`Linear::validate`], as the crate's error.
///
/// # Errors
/// [`Error::InvalidModel`] when the parameters are not finite or do not fit together.
pub fn validated(model: Linear) -> Result<Linear> {
    model
        .validate()
        .map_err(|reason| Error::InvalidModel { reason })?;
    Ok(model)
}

impl LogisticValidParams {
    /// Fits on a row-major `data` matrix of `labels.len()` rows and `n_cols` columns
    /// (`true` = churned): builds the log1p mask, standardises, then minimises the mean
    /// penalised log loss with linfa-logistic's L-BFGS.
    ///
    /// Reaching `max_iter` before the gradient tolerance is logged as a warning, not an
    /// error: the last iterate is still a usable model.
    ///
    /// # Errors
    /// [`Error::EmptyData`], [`Error::LengthMismatch`], [`Error::NonFinite`],
    /// [`Error::Degenerate`] when the labels hold one class, and [`Error::Optimiser`] when
    /// linfa fails.
    #[tracing::instrument(skip_all, fields(model = MODEL, n_rows = labels.len(), n_cols = n_cols))]
    pub fn fit(&self, data: &[f32], n_cols: usize, labels: &[bool]) -> Result<Linear> {
        let design = Design::new(data, n_cols, labels, MODEL)?;
        let mut scaler = Standardizer::fit(&design, self.log1p().mask(n_cols)?);
        if let Some(first) = self.unscaled_from() {
            scaler.leave_unscaled(first);
        }
        let n = design.n_rows();
        let x = Array2::from_shape_vec((n, n_cols).f(), scaler.column_major(&design))
            .expect("column-major buffer has n * n_cols entries");
        let dataset = linfa::Dataset::new(x, Array1::from(labels.to_vec()));
        let fitted = LogisticRegression::default()
            .alpha(self.l2() * n as f64)
            .max_iterations(self.max_iter())
            .gradient_tolerance(self.tol() * n as f64)
            .fit(&dataset)
            .map_err(|e| Error::Optimiser {
                model: MODEL,
                source: e.into(),
            })?;
        // linfa models P(larger class); flip the signs when that class is "not churned".
        let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
        let weights: Vec<f64> = fitted.params().iter().map(|w| sign * w).collect();
        let intercept = sign * fitted.intercept();
        let grad_norm = gradient_norm(dataset.records(), labels, &weights, intercept, self.l2());
        if grad_norm > self.tol() {
            tracing::warn!(
                grad_norm,
                tol = self.tol(),
                "logistic regression stopped before converging"
            );
        }
        let Standardizer {
            log1p,
            offsets,
            scales,
        } = scaler;
        Ok(Linear {
            log1p,
            offsets,
            scales,
            weights: weights.iter().map(|&w| w as f32).collect(),
            intercept: intercept as f32,
            calibration: None,
        })
    }
}

impl LogisticParams {
    /// Checks the hyperparameters, then fits (see [`LogisticValidParams::fit`]).
    pub fn fit(&self, data: &[f32], n_cols: usize, labels: &[bool]) -> Result<Linear> {
        self.clone().check()?.fit(data, n_cols, labels)
    }
}

/// Euclidean norm of the gradient of `mean log loss + l2/2 ‖w‖²` at `(w, b)`.
fn gradient_norm(x: &Array2<f64>, labels: &[bool], w: &[f64], b: f64, l2: f64) -> f64 {
    let n = labels.len() as f64;
    let z = x.dot(&Array1::from(w.to_vec())) + b;
    let residual: Array1<f64> = z
        .iter()
        .zip(labels)
        .map(|(&z, &y)| sigmoid(z) - f64::from(u8::from(y)))
        .collect();
    let grad_w = x.t().dot(&residual) / n;
    let grad_b = residual.sum() / n;
    let sq: f64 = grad_w
        .iter()
        .zip(w)
        .map(|(g, w)| (g + l2 * w).powi(2))
        .sum();
    (sq + grad_b * grad_b).sqrt()
}

pub(crate) fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}
