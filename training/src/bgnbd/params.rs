//! Inputs and checked hyperparameters of the BG/NBD fit.

use serde::{Deserialize, Serialize};

use crate::error::ParamsError;

pub use features::churn::Rfm;

/// Unchecked BG/NBD hyperparameters; call [`BgNbdParams::check`] (or [`BgNbdParams::fit`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BgNbdParams {
    penalizer: f64,
    max_iter: u64,
    tol: f64,
    identified_only: bool,
}

impl Default for BgNbdParams {
    fn default() -> Self {
        Self {
            penalizer: 0.0,
            max_iter: 1000,
            tol: 1e-8,
            identified_only: true,
        }
    }
}

impl BgNbdParams {
    /// Hyperparameters with their defaults: `penalizer = 0`, `max_iter = 1000`, `tol = 1e-8`.
    pub fn new() -> Self {
        Self::default()
    }

    /// L2 penalty `penalizer * (r² + α² + a² + b²)` added to the mean negative
    /// log-likelihood, with `α` measured in units of the largest age (as lifetimes does).
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
    /// negative log-likelihood with respect to the log-parameters. Must be finite and `> 0`;
    /// defaults to `1e-8`.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// Refuse an optimum whose log-parameters are not identified (a ridge or a boundary, such
    /// as `a -> 0, b -> ∞`: no dropout, the NBD limit). Predictions stay defined along such a
    /// ridge, so a caller that only predicts may accept it; defaults to `true`.
    pub fn identified_only(mut self, identified_only: bool) -> Self {
        self.identified_only = identified_only;
        self
    }

    /// Validates the hyperparameters.
    pub fn check(self) -> Result<BgNbdValidParams, ParamsError> {
        if !(self.penalizer.is_finite() && self.penalizer >= 0.0) {
            return Err(ParamsError::Penalizer(self.penalizer));
        }
        if self.max_iter == 0 {
            return Err(ParamsError::MaxIter(self.max_iter));
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(ParamsError::Tolerance(self.tol));
        }
        Ok(BgNbdValidParams(self))
    }
}

/// Checked BG/NBD hyperparameters, the only form [`fit`](BgNbdValidParams::fit) accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct BgNbdValidParams(BgNbdParams);

impl BgNbdValidParams {
    /// L2 penalty coefficient (see [`BgNbdParams::penalizer`]).
    pub fn penalizer(&self) -> f64 {
        self.0.penalizer
    }

    /// Iteration budget per optimiser run (see [`BgNbdParams::max_iter`]).
    pub fn max_iter(&self) -> u64 {
        self.0.max_iter
    }

    /// Gradient-norm tolerance (see [`BgNbdParams::tol`]).
    pub fn tol(&self) -> f64 {
        self.0.tol
    }

    /// Whether an unidentified optimum is an error (see [`BgNbdParams::identified_only`]).
    pub fn identified_only(&self) -> bool {
        self.0.identified_only
    }
}
