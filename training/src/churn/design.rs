//! The design matrix both churn models fit on, and the logistic model's preprocessing.

use crate::error::{Error, Result};

/// A validated row-major design matrix with one label per row (`true` = churned).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Design<'a> {
    pub(crate) data: &'a [f32],
    pub(crate) n_cols: usize,
    pub(crate) labels: &'a [bool],
}

impl<'a> Design<'a> {
    /// Checks shape, finiteness, and that both classes are present.
    pub(crate) fn new(
        data: &'a [f32],
        n_cols: usize,
        labels: &'a [bool],
        model: &'static str,
    ) -> Result<Self> {
        check_matrix(data, n_cols, labels.len())?;
        if labels.iter().all(|&y| y) || labels.iter().all(|&y| !y) {
            let reason = "the labels hold a single class".to_string();
            return Err(Error::Degenerate { model, reason });
        }
        Ok(Self {
            data,
            n_cols,
            labels,
        })
    }

    pub(crate) fn n_rows(&self) -> usize {
        self.labels.len()
    }

    pub(crate) fn rows(&self) -> std::slice::ChunksExact<'a, f32> {
        self.data.chunks_exact(self.n_cols)
    }
}

/// Checks that `data` is a finite `n_rows × n_cols` matrix with `n_rows, n_cols >= 1`.
pub(crate) fn check_matrix(data: &[f32], n_cols: usize, n_rows: usize) -> Result<()> {
    if n_rows == 0 || n_cols == 0 {
        return Err(Error::EmptyData);
    }
    if data.len() != n_rows * n_cols {
        return Err(Error::LengthMismatch {
            what: "design matrix (rows x n_cols)",
            expected: n_rows * n_cols,
            got: data.len(),
        });
    }
    match data.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(Error::NonFinite {
            what: "design matrix",
            index,
        }),
        None => Ok(()),
    }
}

pub use features::churn::signed_log1p;

/// Per-column preprocessing `z = (t(x) − offset) / scale`, `t` the signed `log1p` where the
/// mask says so, else the identity.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Standardizer {
    pub(crate) log1p: Vec<bool>,
    pub(crate) offsets: Vec<f32>,
    pub(crate) scales: Vec<f32>,
}

impl Standardizer {
    /// Offsets are the column means of `t(x)` and scales their population standard deviations,
    /// both rounded to `f32` since that is what the model stores. A column whose deviation is
    /// below `1e-10 · max(1, |mean|)` (constant up to rounding) gets scale 1.
    pub(crate) fn fit(design: &Design<'_>, log1p: Vec<bool>) -> Self {
        let n = design.n_rows() as f64;
        let mut mean = vec![0.0f64; design.n_cols];
        for row in design.rows() {
            for (j, &x) in row.iter().enumerate() {
                mean[j] += transform(x, log1p[j]) / n;
            }
        }
        let mut var = vec![0.0f64; design.n_cols];
        for row in design.rows() {
            for (j, &x) in row.iter().enumerate() {
                var[j] += (transform(x, log1p[j]) - mean[j]).powi(2) / n;
            }
        }
        let offsets = mean.iter().map(|&m| m as f32).collect();
        let scales = var
            .iter()
            .zip(&mean)
            .map(|(&v, &m)| {
                let std = v.sqrt();
                let constant = !(std > 1e-10 * m.abs().max(1.0) && std.is_finite());
                if constant { 1.0 } else { std as f32 }
            })
            .collect();
        Self {
            log1p,
            offsets,
            scales,
        }
    }

    /// Leaves the columns from `first` on as they are (offset 0, scale 1).
    pub(crate) fn leave_unscaled(&mut self, first: usize) {
        for j in first.min(self.offsets.len())..self.offsets.len() {
            self.offsets[j] = 0.0;
            self.scales[j] = 1.0;
        }
    }

    /// The standardised value of `x` in column `j`.
    pub(crate) fn apply(&self, j: usize, x: f32) -> f64 {
        (transform(x, self.log1p[j]) - f64::from(self.offsets[j])) / f64::from(self.scales[j])
    }

    /// The standardised design as a column-major `n × d` buffer.
    pub(crate) fn column_major(&self, design: &Design<'_>) -> Vec<f64> {
        let (n, d) = (design.n_rows(), design.n_cols);
        let mut out = vec![0.0f64; n * d];
        for (i, row) in design.rows().enumerate() {
            for (j, &x) in row.iter().enumerate() {
                out[j * n + i] = self.apply(j, x);
            }
        }
        out
    }
}

fn transform(x: f32, log1p: bool) -> f64 {
    let x = f64::from(x);
    if log1p { signed_log1p(x) } else { x }
}
