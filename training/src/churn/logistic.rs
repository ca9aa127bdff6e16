//! L2-regularised logistic regression (linfa-logistic, L-BFGS) on log-transformed and
//! standardised features.

use linfa::traits::Fit;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2, ShapeBuilder};
use serde::{Deserialize, Serialize};

use super::design::{Design, Standardizer, check_matrix, signed_log1p};
use super::params::{LogisticParams, LogisticValidParams};
use crate::error::{Error, Result};
use crate::onnx::LinearModel;

const MODEL: &str = "churn logistic regression";

/// A fitted churn logistic regression:
/// `P(churn | x) = sigmoid(Σ_j w_j (t_j(x_j) − offset_j) / scale_j + intercept)` where `t_j` is
/// [`signed_log1p`] when `log1p[j]` and the identity otherwise.
///
/// All vectors have one entry per column of the design matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedLogistic {
    /// Columns transformed by [`signed_log1p`] before centring.
    pub log1p: Vec<bool>,
    /// Training mean of each (transformed) column.
    pub offsets: Vec<f32>,
    /// Training standard deviation of each (transformed) column; 1 for a constant column.
    pub scales: Vec<f32>,
    /// Coefficients on the standardised columns.
    pub weights: Vec<f32>,
    /// Intercept on the logit scale.
    pub intercept: f32,
}

impl FittedLogistic {
    /// Number of input columns `D`.
    pub fn n_features(&self) -> usize {
        self.weights.len()
    }

    /// Logit of churn for one row of `D` values (computed in `f64`, in the same order of
    /// operations as [`LinearModel::predict_row`]).
    ///
    /// # Panics
    /// If `row.len() != D`.
    pub fn logit_row(&self, row: &[f32]) -> f64 {
        assert_eq!(
            row.len(),
            self.n_features(),
            "row length must equal n_features"
        );
        let dot: f64 = (0..row.len())
            .map(|j| {
                let x = f64::from(row[j]);
                let t = if self.log1p[j] { signed_log1p(x) } else { x };
                f64::from(self.weights[j]) * (t - f64::from(self.offsets[j]))
                    / f64::from(self.scales[j])
            })
            .sum();
        dot + f64::from(self.intercept)
    }

    /// Probability of churn for one row of `D` values.
    ///
    /// # Panics
    /// If `row.len() != D`.
    pub fn predict_proba_row(&self, row: &[f32]) -> f32 {
        sigmoid(self.logit_row(row)) as f32
    }

    /// Logits of a row-major matrix with `D` columns.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`], [`Error::EmptyData`] or [`Error::NonFinite`] for a malformed
    /// matrix.
    pub fn logits(&self, data: &[f32]) -> Result<Vec<f32>> {
        let d = self.n_features();
        check_matrix(data, d, data.len() / d.max(1))?;
        Ok(data
            .chunks_exact(d)
            .map(|row| self.logit_row(row) as f32)
            .collect())
    }

    /// Churn probabilities of a row-major matrix with `D` columns.
    ///
    /// # Errors
    /// As [`logits`](Self::logits).
    pub fn predict_proba(&self, data: &[f32]) -> Result<Vec<f32>> {
        let d = self.n_features();
        check_matrix(data, d, data.len() / d.max(1))?;
        Ok(data
            .chunks_exact(d)
            .map(|row| self.predict_proba_row(row))
            .collect())
    }

    /// The per-column terms that explain a score (see [`features::churn::reasons`]).
    pub fn explainer(&self) -> features::churn::Explainer {
        features::churn::Explainer {
            log1p: self.log1p.clone(),
            offsets: self.offsets.clone(),
            scales: self.scales.clone(),
            weights: self.weights.clone(),
        }
    }

    /// The logistic model whose logit is `share · logit_self + (1 − share) · logit_other` on
    /// every row, expressed in this model's transforms, offsets and scales: a blend of two
    /// linear models is a linear model.
    ///
    /// # Panics
    /// If the two differ in width or log1p mask, or `share` is outside `[0, 1]`.
    pub fn blend(&self, other: &FittedLogistic, share: f64) -> FittedLogistic {
        assert_eq!(
            self.log1p, other.log1p,
            "blended models share their transforms"
        );
        assert!((0.0..=1.0).contains(&share), "blend share {share}");
        let mut intercept =
            share * f64::from(self.intercept) + (1.0 - share) * f64::from(other.intercept);
        let weights = (0..self.n_features())
            .map(|j| {
                let (wb, ob, sb) = (
                    f64::from(other.weights[j]),
                    f64::from(other.offsets[j]),
                    f64::from(other.scales[j]),
                );
                let (oa, sa) = (f64::from(self.offsets[j]), f64::from(self.scales[j]));
                // w_b (t - o_b) / s_b = (w_b s_a / s_b) (t - o_a) / s_a + w_b (o_a - o_b) / s_b
                intercept += (1.0 - share) * wb * (oa - ob) / sb;
                (share * f64::from(self.weights[j]) + (1.0 - share) * wb * sa / sb) as f32
            })
            .collect();
        FittedLogistic {
            log1p: self.log1p.clone(),
            offsets: self.offsets.clone(),
            scales: self.scales.clone(),
            weights,
            intercept: intercept as f32,
        }
    }

    /// The exportable [`LinearModel`] (no calibration), which predicts exactly what
    /// [`predict_proba_row`](Self::predict_proba_row) does.
    ///
    /// The log1p mask carries over to [`LinearModel::log1p`].
    ///
    /// # Errors
    /// [`Error::InvalidModel`] when the fitted parameters are not finite.
    pub fn to_linear_model(&self) -> Result<LinearModel> {
        let model = LinearModel {
            offsets: self.offsets.clone(),
            scales: self.scales.clone(),
            weights: self.weights.clone(),
            intercept: self.intercept,
            calibration: None,
            log1p: self.log1p.clone(),
        };
        model.validate()?;
        Ok(model)
    }
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
    pub fn fit(&self, data: &[f32], n_cols: usize, labels: &[bool]) -> Result<FittedLogistic> {
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
        Ok(FittedLogistic {
            log1p,
            offsets,
            scales,
            weights: weights.iter().map(|&w| w as f32).collect(),
            intercept: intercept as f32,
        })
    }
}

impl LogisticParams {
    /// Checks the hyperparameters, then fits (see [`LogisticValidParams::fit`]).
    pub fn fit(&self, data: &[f32], n_cols: usize, labels: &[bool]) -> Result<FittedLogistic> {
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
