//! The churn model as one evaluator for training and serving.
//!
//! [`Linear`] is the one definition of the standardised logistic model (fitted by training,
//! exported to ONNX, evaluated here and read term by term for the reasons); boosted trees are
//! evaluated by [`GatherTrees`], the same evaluator as the rankers'. [`ScoringModel`] is the
//! serde form training writes into `churn.json` and serving reads back; [`ChurnEvaluator`]
//! is its checked, evaluating form. Training scores the population, evaluates and writes the
//! answer snapshot with it, serving scores members touched by events with it, so the two
//! agree to the bit. The ONNX file stays the portable export: its tests compare it with tract
//! and onnxruntime, and publishing and loading compare it with this evaluator on a bounded
//! sample of rows.

use serde::{Deserialize, Serialize};

use crate::gather::{GatherArrays, GatherTrees};

/// `sign(x) · ln(1 + |x|)`: odd, monotone, `0 ↦ 0`, and close to `ln|x|` for large `|x|`.
pub fn signed_log1p(x: f64) -> f64 {
    x.signum() * x.abs().ln_1p()
}

/// A standardised logistic model:
/// `logit = a · (Σ_j w_j (t_j(x_j) − offset_j) / scale_j + intercept) + b`, where `t_j` is
/// [`signed_log1p`] when `log1p[j]` and the identity otherwise, and `(a, b)` is the optional
/// Platt calibration (`None` means `a = 1, b = 0`). All vectors have one entry per column
/// (an empty `log1p` marks none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Linear {
    /// Columns transformed by [`signed_log1p`] before centring; empty for none.
    #[serde(default)]
    pub log1p: Vec<bool>,
    /// Per-column centre subtracted after the transform (the training mean).
    pub offsets: Vec<f32>,
    /// Per-column divisor applied after centring (the training standard deviation).
    pub scales: Vec<f32>,
    /// Coefficients on the standardised columns.
    pub weights: Vec<f32>,
    /// Intercept on the logit scale.
    pub intercept: f32,
    /// Optional Platt calibration `(a, b)` applied as `a · logit + b`.
    #[serde(default)]
    pub calibration: Option<(f32, f32)>,
}

impl Linear {
    /// Number of input columns `D`.
    pub fn n_features(&self) -> usize {
        self.weights.len()
    }

    /// Checks that all vectors have length `D >= 1`, every number is finite and no scale is
    /// zero; the error says what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        let d = self.weights.len();
        if d == 0 {
            return Err("the linear model has no columns".into());
        }
        if self.offsets.len() != d || self.scales.len() != d {
            return Err(format!(
                "offsets ({}), scales ({}) and weights ({d}) differ in length",
                self.offsets.len(),
                self.scales.len()
            ));
        }
        if !self.log1p.is_empty() && self.log1p.len() != d {
            return Err(format!(
                "the log1p mask has {} entries for {d} columns",
                self.log1p.len()
            ));
        }
        let (a, b) = self.calibration.unwrap_or((1.0, 0.0));
        let all = self.offsets.iter().chain(&self.scales).chain(&self.weights);
        if !all.chain([&self.intercept, &a, &b]).all(|v| v.is_finite()) {
            return Err("the linear model holds a non-finite number".into());
        }
        if self.scales.contains(&0.0) {
            return Err("the linear model has a zero scale".into());
        }
        Ok(())
    }

    /// Column `j`'s term `w_j (t_j(x) − offset_j) / scale_j` before calibration (`f64`).
    pub fn term(&self, j: usize, x: f32) -> f64 {
        let x = f64::from(x);
        let t = if self.log1p.get(j) == Some(&true) {
            signed_log1p(x)
        } else {
            x
        };
        f64::from(self.weights[j]) * (t - f64::from(self.offsets[j])) / f64::from(self.scales[j])
    }

    /// The uncalibrated logit `Σ_j term_j + intercept` of one row (`f64`).
    ///
    /// # Panics
    /// If `row.len() != D`.
    pub fn raw_logit_row(&self, row: &[f32]) -> f64 {
        assert_eq!(row.len(), self.n_features(), "row length must equal D");
        let dot: f64 = row.iter().enumerate().map(|(j, &x)| self.term(j, x)).sum();
        dot + f64::from(self.intercept)
    }

    /// The calibrated logit `a · raw + b` of one row (`f64`).
    ///
    /// # Panics
    /// If `row.len() != D`.
    pub fn logit_row(&self, row: &[f32]) -> f64 {
        let (a, b) = self.calibration.unwrap_or((1.0, 0.0));
        f64::from(a) * self.raw_logit_row(row) + f64::from(b)
    }

    /// The calibrated probability of one row.
    ///
    /// # Panics
    /// If `row.len() != D`.
    pub fn predict_row(&self, row: &[f32]) -> f32 {
        sigmoid(self.logit_row(row)) as f32
    }
}

impl Linear {
    /// The calibrated logit of each row of `rows` (row-major, `D` columns), as `f32`.
    ///
    /// # Panics
    /// If `rows.len()` is not a multiple of `D`.
    pub fn logits(&self, rows: &[f32]) -> Vec<f32> {
        let d = self.n_features();
        assert_eq!(rows.len() % d.max(1), 0, "rows of {d} columns");
        rows.chunks_exact(d)
            .map(|row| self.logit_row(row) as f32)
            .collect()
    }

    /// The probability of each row of `rows` (row-major, `D` columns).
    ///
    /// # Panics
    /// If `rows.len()` is not a multiple of `D`.
    pub fn predict(&self, rows: &[f32]) -> Vec<f32> {
        let d = self.n_features();
        assert_eq!(rows.len() % d.max(1), 0, "rows of {d} columns");
        rows.chunks_exact(d)
            .map(|row| self.predict_row(row))
            .collect()
    }

    /// The uncalibrated model whose logit is `share · raw_self + (1 − share) · raw_other` on
    /// every row, expressed in this model's transforms, offsets and scales: a blend of two
    /// linear models is a linear model.
    ///
    /// # Panics
    /// If the two differ in width or log1p mask, or `share` is outside `[0, 1]`.
    pub fn blend(&self, other: &Linear, share: f64) -> Linear {
        assert_eq!(
            self.log1p, other.log1p,
            "blended models share their transforms"
        );
        assert_eq!(self.n_features(), other.n_features(), "blended widths");
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
        Linear {
            log1p: self.log1p.clone(),
            offsets: self.offsets.clone(),
            scales: self.scales.clone(),
            weights,
            intercept: intercept as f32,
            calibration: None,
        }
    }
}

/// Boosted trees in the gather-tree form: the arrays and the levels every walk takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeArrays {
    /// Levels walked (the deepest tree's depth).
    pub levels: usize,
    /// The forest, with the calibration slope in the leaf values and the intercept in the
    /// base logit.
    pub arrays: GatherArrays,
}

/// The churn model as `churn.json` stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScoringModel {
    /// Standardised logistic regression.
    Logistic {
        /// The model.
        linear: Linear,
    },
    /// Gradient-boosted trees.
    BoostedTrees {
        /// The trees.
        trees: TreeArrays,
    },
    /// The sum of a logistic model's and boosted trees' calibrated logits.
    LogisticTreesBlend {
        /// The linear part.
        linear: Linear,
        /// The trees part.
        trees: TreeArrays,
    },
}

impl ScoringModel {
    /// `logistic`, `boosted_trees` or `logistic_trees_blend`.
    pub fn kind(&self) -> &'static str {
        match self {
            ScoringModel::Logistic { .. } => "logistic",
            ScoringModel::BoostedTrees { .. } => "boosted_trees",
            ScoringModel::LogisticTreesBlend { .. } => "logistic_trees_blend",
        }
    }
}

/// The checked churn model over rows of `n_cols` columns:
/// `p = sigmoid(linear logit (f64) + trees logit (f32))`, either part possibly absent.
/// `predict` is `&self` and allocates only its output.
#[derive(Debug, Clone, PartialEq)]
pub struct ChurnEvaluator {
    linear: Option<Linear>,
    trees: Option<GatherTrees>,
    n_cols: usize,
}

impl ChurnEvaluator {
    /// Checks `model` over rows of `n_cols` columns; the error says which part is wrong.
    pub fn new(model: &ScoringModel, n_cols: usize) -> Result<ChurnEvaluator, String> {
        let linear = |l: &Linear| -> Result<Linear, String> {
            l.validate().map_err(|e| format!("linear part: {e}"))?;
            if l.n_features() != n_cols {
                return Err(format!(
                    "linear part: {} columns, the rows have {n_cols}",
                    l.n_features()
                ));
            }
            Ok(l.clone())
        };
        let trees = |t: &TreeArrays| {
            GatherTrees::from_arrays(&t.arrays, t.levels, n_cols)
                .map_err(|e| format!("trees part: {e}"))
        };
        let (linear, trees) = match model {
            ScoringModel::Logistic { linear: l } => (Some(linear(l)?), None),
            ScoringModel::BoostedTrees { trees: t } => (None, Some(trees(t)?)),
            ScoringModel::LogisticTreesBlend {
                linear: l,
                trees: t,
            } => (Some(linear(l)?), Some(trees(t)?)),
        };
        Ok(ChurnEvaluator {
            linear,
            trees,
            n_cols,
        })
    }

    /// Columns per row.
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// The calibrated logit of each row of `rows` (row-major, `n_cols` columns).
    ///
    /// # Panics
    /// If `rows.len()` is not a multiple of `n_cols`.
    pub fn logits(&self, rows: &[f32]) -> Vec<f64> {
        assert_eq!(
            rows.len() % self.n_cols,
            0,
            "rows of {} columns",
            self.n_cols
        );
        let n = rows.len() / self.n_cols;
        let mut out = vec![0f64; n];
        if let Some(trees) = &self.trees {
            let mut z = vec![0f32; n];
            trees.logits(rows, &mut z);
            out.iter_mut().zip(z).for_each(|(o, z)| *o = f64::from(z));
        }
        if let Some(linear) = &self.linear {
            for (o, row) in out.iter_mut().zip(rows.chunks_exact(self.n_cols)) {
                *o += linear.logit_row(row);
            }
        }
        out
    }

    /// The churn probability of each row of `rows` (row-major, `n_cols` columns).
    ///
    /// # Panics
    /// If `rows.len()` is not a multiple of `n_cols`.
    pub fn predict(&self, rows: &[f32]) -> Vec<f32> {
        self.logits(rows)
            .into_iter()
            .map(|z| sigmoid(z) as f32)
            .collect()
    }

    /// The churn probability of one row.
    ///
    /// # Panics
    /// If `row.len() != n_cols`.
    pub fn predict_row(&self, row: &[f32]) -> f32 {
        assert_eq!(row.len(), self.n_cols, "one row of {} columns", self.n_cols);
        let mut z = [0f32];
        if let Some(trees) = &self.trees {
            trees.logits(row, &mut z);
        }
        let linear = self.linear.as_ref().map_or(0.0, |l| l.logit_row(row));
        sigmoid(f64::from(z[0]) + linear) as f32
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

#[cfg(test)]
mod tests;
