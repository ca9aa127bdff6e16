//! Checked hyperparameters of the Gamma-Gamma fit and of the value model around it.

use serde::{Deserialize, Serialize};

use crate::error::ParamsError;

/// Default value horizon in days.
pub const DEFAULT_VALUE_HORIZON_DAYS: u32 = 365;
/// Default minimum number of repeat customers (with positive repeat spend) to fit on.
pub const DEFAULT_MIN_REPEATERS: usize = 100;
/// Default largest `|Spearman ρ|` between repeat purchases and their mean spend that
/// Gamma-Gamma is trusted with.
pub const DEFAULT_MAX_ABS_CORRELATION: f64 = 0.3;
/// Default weight of the store's mean order value in the fallback, in purchases.
pub const DEFAULT_PRIOR_PURCHASES: f64 = 1.0;

/// Unchecked Gamma-Gamma hyperparameters; call [`GammaGammaParams::check`] (or
/// [`GammaGammaParams::fit`](GammaGammaParams::fit)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GammaGammaParams {
    penalizer: f64,
    max_iter: u64,
    tol: f64,
}

impl Default for GammaGammaParams {
    fn default() -> Self {
        Self {
            penalizer: 0.0,
            max_iter: 1000,
            tol: 1e-8,
        }
    }
}

impl GammaGammaParams {
    /// Hyperparameters with their defaults: `penalizer = 0`, `max_iter = 1000`, `tol = 1e-8`.
    pub fn new() -> Self {
        Self::default()
    }

    /// L2 penalty `penalizer · (p² + q² + v²)` on the raw parameters (`v` in money units)
    /// added to the mean negative log-likelihood, as lifetimes' `GammaGammaFitter` does.
    /// Must be finite and `>= 0`; defaults to `0`.
    pub fn penalizer(mut self, penalizer: f64) -> Self {
        self.penalizer = penalizer;
        self
    }

    /// Iteration budget of each optimiser run (L-BFGS, then the Nelder-Mead fallback).
    /// Must be `>= 1`; defaults to `1000`.
    pub fn max_iter(mut self, max_iter: u64) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// Convergence tolerance on the Euclidean norm of the gradient of the mean penalised
    /// negative log-likelihood with respect to `ln(p, q, v)`. Must be finite and `> 0`;
    /// defaults to `1e-8`.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// Validates the hyperparameters.
    pub fn check(self) -> Result<GammaGammaValidParams, ParamsError> {
        if !(self.penalizer.is_finite() && self.penalizer >= 0.0) {
            return Err(ParamsError::Penalizer(self.penalizer));
        }
        if self.max_iter == 0 {
            return Err(ParamsError::MaxIter(self.max_iter));
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(ParamsError::Tolerance(self.tol));
        }
        Ok(GammaGammaValidParams(self))
    }
}

/// Checked Gamma-Gamma hyperparameters, the only form
/// [`fit`](GammaGammaValidParams::fit) accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct GammaGammaValidParams(GammaGammaParams);

impl GammaGammaValidParams {
    /// L2 penalty coefficient (see [`GammaGammaParams::penalizer`]).
    pub fn penalizer(&self) -> f64 {
        self.0.penalizer
    }

    /// Iteration budget per optimiser run (see [`GammaGammaParams::max_iter`]).
    pub fn max_iter(&self) -> u64 {
        self.0.max_iter
    }

    /// Gradient-norm tolerance (see [`GammaGammaParams::tol`]).
    pub fn tol(&self) -> f64 {
        self.0.tol
    }
}

/// Unchecked settings of the value model; call [`ValueParams::check`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ValueParams {
    value_horizon_days: u32,
    min_repeaters: usize,
    max_abs_correlation: f64,
    prior_purchases: f64,
    gamma_gamma: GammaGammaParams,
}

impl Default for ValueParams {
    fn default() -> Self {
        Self {
            value_horizon_days: DEFAULT_VALUE_HORIZON_DAYS,
            min_repeaters: DEFAULT_MIN_REPEATERS,
            max_abs_correlation: DEFAULT_MAX_ABS_CORRELATION,
            prior_purchases: DEFAULT_PRIOR_PURCHASES,
            gamma_gamma: GammaGammaParams::default(),
        }
    }
}

impl ValueParams {
    /// Settings with their defaults (see each setter).
    pub fn new() -> Self {
        Self::default()
    }

    /// Days of the value horizon ("predicted value"). Must be `>= 1`; defaults to
    /// [`DEFAULT_VALUE_HORIZON_DAYS`] (365).
    pub fn value_horizon_days(mut self, days: u32) -> Self {
        self.value_horizon_days = days;
        self
    }

    /// Fewest repeat customers with a positive repeat spend that Gamma-Gamma is fitted on;
    /// below it the spend model falls back. Must be `>= 3` (three parameters); defaults to
    /// [`DEFAULT_MIN_REPEATERS`] (100).
    pub fn min_repeaters(mut self, n: usize) -> Self {
        self.min_repeaters = n;
        self
    }

    /// Largest `|ρ|`, Spearman's rank correlation between repeat purchases and their mean
    /// spend among repeat customers, that Gamma-Gamma (which assumes them independent) is
    /// used with; above it the spend model falls back. In `(0, 1]`; defaults to
    /// [`DEFAULT_MAX_ABS_CORRELATION`] (0.3, the usual edge of a "weak" correlation).
    pub fn max_abs_correlation(mut self, rho: f64) -> Self {
        self.max_abs_correlation = rho;
        self
    }

    /// Weight `k` of the store's mean order value in the fallback spend per purchase, in
    /// purchases (see [`features::value::SpendModel::ShrunkMean`]). Finite and `>= 0`;
    /// defaults to [`DEFAULT_PRIOR_PURCHASES`] (1).
    pub fn prior_purchases(mut self, k: f64) -> Self {
        self.prior_purchases = k;
        self
    }

    /// Gamma-Gamma hyperparameters; defaults to [`GammaGammaParams::default`].
    pub fn gamma_gamma(mut self, params: GammaGammaParams) -> Self {
        self.gamma_gamma = params;
        self
    }

    /// Validates the settings.
    pub fn check(self) -> Result<ValueValidParams, ParamsError> {
        let bad = |what: &str| Err(ParamsError::Config(what.to_string()));
        if self.value_horizon_days == 0 {
            return bad("value_horizon_days must be >= 1");
        }
        if self.min_repeaters < 3 {
            return bad("min_repeaters must be >= 3");
        }
        if !(self.max_abs_correlation > 0.0 && self.max_abs_correlation <= 1.0) {
            return bad("max_abs_correlation must lie in (0, 1]");
        }
        if !(self.prior_purchases.is_finite() && self.prior_purchases >= 0.0) {
            return bad("prior_purchases must be finite and >= 0");
        }
        let gamma_gamma = self.gamma_gamma.clone().check()?;
        Ok(ValueValidParams {
            raw: self,
            gamma_gamma,
        })
    }
}

/// Checked value-model settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueValidParams {
    raw: ValueParams,
    gamma_gamma: GammaGammaValidParams,
}

impl ValueValidParams {
    /// See [`ValueParams::value_horizon_days`].
    pub fn value_horizon_days(&self) -> u32 {
        self.raw.value_horizon_days
    }

    /// See [`ValueParams::min_repeaters`].
    pub fn min_repeaters(&self) -> usize {
        self.raw.min_repeaters
    }

    /// See [`ValueParams::max_abs_correlation`].
    pub fn max_abs_correlation(&self) -> f64 {
        self.raw.max_abs_correlation
    }

    /// See [`ValueParams::prior_purchases`].
    pub fn prior_purchases(&self) -> f64 {
        self.raw.prior_purchases
    }

    /// The checked Gamma-Gamma hyperparameters.
    pub fn gamma_gamma(&self) -> &GammaGammaValidParams {
        &self.gamma_gamma
    }
}
