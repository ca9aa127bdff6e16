//! Checked hyperparameters of the two churn models.

use features::contract::BoostedRecord;
use features::spec::{FEATURES, LEN};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ParamsError, Result};

/// Units of [`features::spec`] whose columns get the signed `log1p` under
/// [`Log1pColumns::FeatureSpec`]: unbounded, heavy-tailed counts, amounts and durations.
pub const LOG1P_UNITS: [&str; 4] = ["count", "money", "days", "units"];

/// Which columns of the design matrix go through `sign(x) · ln(1 + |x|)` before
/// standardisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Log1pColumns {
    /// No column is transformed.
    None,
    /// Column `j` is transformed when `j < features::spec::LEN` and `FEATURES[j].unit` is one of
    /// [`LOG1P_UNITS`]. Shares, ratios, flags, ranks and years stay linear, and so do columns
    /// the caller appends after the spec. Assumes the first columns are the spec, in order.
    FeatureSpec,
    /// An explicit mask, one entry per column.
    Mask(Vec<bool>),
}

impl Log1pColumns {
    /// The mask for a design matrix of `n_cols` columns.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] when an explicit mask has the wrong length.
    pub fn mask(&self, n_cols: usize) -> Result<Vec<bool>> {
        match self {
            Self::None => Ok(vec![false; n_cols]),
            Self::FeatureSpec => Ok((0..n_cols)
                .map(|j| j < LEN && LOG1P_UNITS.contains(&FEATURES[j].unit))
                .collect()),
            Self::Mask(mask) if mask.len() == n_cols => Ok(mask.clone()),
            Self::Mask(mask) => Err(Error::LengthMismatch {
                what: "log1p mask",
                expected: n_cols,
                got: mask.len(),
            }),
        }
    }
}

/// Unchecked hyperparameters of the L2-regularised logistic regression; call
/// [`LogisticParams::check`] (or [`LogisticParams::fit`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogisticParams {
    l2: f64,
    max_iter: u64,
    tol: f64,
    log1p: Log1pColumns,
    unscaled_from: Option<usize>,
}

impl Default for LogisticParams {
    fn default() -> Self {
        Self {
            l2: 1e-3,
            max_iter: 200,
            tol: 1e-5,
            log1p: Log1pColumns::FeatureSpec,
            unscaled_from: None,
        }
    }
}

impl LogisticParams {
    /// Hyperparameters with their defaults: `l2 = 1e-3`, `max_iter = 200`, `tol = 1e-5`,
    /// `log1p = FeatureSpec`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Ridge strength `λ` in the objective `mean log loss + λ/2 · ‖w‖²` on standardised
    /// features (the intercept is not penalised); scikit-learn's `C` is `1 / (λ n)`. Must be
    /// finite and `>= 0`; defaults to `1e-3` (`C = 1` at 1,000 rows): on 60,000 rows with
    /// near-collinear counts (`days_30d`, `spend_30d`, ...) it lets L-BFGS converge in about
    /// 1.4 s where `1e-4` was still short of the tolerance after 200 iterations (4 s), with the
    /// same training AUC to four decimals.
    pub fn l2(mut self, l2: f64) -> Self {
        self.l2 = l2;
        self
    }

    /// L-BFGS iteration budget. Must be `>= 1`; defaults to `200`.
    pub fn max_iter(mut self, max_iter: u64) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// Convergence tolerance on the Euclidean norm of the gradient of the mean penalised log
    /// loss. Must be finite and `> 0`; defaults to `1e-5`, at which the coefficients are within
    /// about `1e-3` of the exact optimum on standardised features.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// Columns that get the signed `log1p`; defaults to [`Log1pColumns::FeatureSpec`].
    pub fn log1p(mut self, log1p: Log1pColumns) -> Self {
        self.log1p = log1p;
        self
    }

    /// Columns from index `first` on enter as they are, neither centred nor scaled, so the
    /// ridge acts on their own units: for 0/1 indicators of attribute levels (as scikit-learn's
    /// one-hot encoder leaves them) the effect of a rare level shrinks far more than if it were
    /// standardised. Defaults to `None`: every column is standardised.
    pub fn unscaled_from(mut self, first: Option<usize>) -> Self {
        self.unscaled_from = first;
        self
    }

    /// Validates the hyperparameters.
    pub fn check(self) -> std::result::Result<LogisticValidParams, ParamsError> {
        if !(self.l2.is_finite() && self.l2 >= 0.0) {
            return Err(ParamsError::Penalizer(self.l2));
        }
        if self.max_iter == 0 {
            return Err(ParamsError::MaxIter(self.max_iter));
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(ParamsError::Tolerance(self.tol));
        }
        Ok(LogisticValidParams(self))
    }
}

/// Checked logistic-regression hyperparameters, the only form
/// [`fit`](LogisticValidParams::fit) accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticValidParams(LogisticParams);

impl LogisticValidParams {
    /// Ridge strength (see [`LogisticParams::l2`]).
    pub fn l2(&self) -> f64 {
        self.0.l2
    }

    /// Iteration budget (see [`LogisticParams::max_iter`]).
    pub fn max_iter(&self) -> u64 {
        self.0.max_iter
    }

    /// Gradient-norm tolerance (see [`LogisticParams::tol`]).
    pub fn tol(&self) -> f64 {
        self.0.tol
    }

    /// Log-transformed columns (see [`LogisticParams::log1p`]).
    pub fn log1p(&self) -> &Log1pColumns {
        &self.0.log1p
    }

    /// First column left unstandardised (see [`LogisticParams::unscaled_from`]).
    pub fn unscaled_from(&self) -> Option<usize> {
        self.0.unscaled_from
    }
}

/// Unchecked hyperparameters of the gradient-boosted trees (forust-ml, XGBoost-style, log
/// loss); call [`BoostedParams::check`] (or [`BoostedParams::fit`]).
///
/// The defaults fit 100 trees of depth 4 on 60,000 × 45 in about 1.0 s on one core of the
/// build machines (`cargo bench -p training --bench churn_fit`), inside the 3 s budget of a
/// whole churn run on Ta Feng.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BoostedParams {
    iterations: usize,
    learning_rate: f32,
    max_depth: usize,
    l2: f32,
    min_leaf_weight: f32,
    max_bin: u16,
    num_threads: usize,
    seed: u64,
}

impl Default for BoostedParams {
    fn default() -> Self {
        Self {
            iterations: 100,
            learning_rate: 0.1,
            max_depth: 4,
            l2: 1.0,
            min_leaf_weight: 1.0,
            max_bin: 256,
            num_threads: 1,
            seed: 0,
        }
    }
}

impl BoostedParams {
    /// Hyperparameters with their defaults: `iterations = 100`, `learning_rate = 0.1`,
    /// `max_depth = 4`, `l2 = 1`, `min_leaf_weight = 1`, `max_bin = 256`, `num_threads = 1`,
    /// `seed = 0`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Boosting rounds (trees). Must be `>= 1`; defaults to `100`, which with the default
    /// learning rate reaches most of the achievable log-loss on churn features.
    pub fn iterations(mut self, iterations: usize) -> Self {
        self.iterations = iterations;
        self
    }

    /// Shrinkage applied to every leaf. Must lie in `(0, 1]`; defaults to `0.1`.
    pub fn learning_rate(mut self, learning_rate: f32) -> Self {
        self.learning_rate = learning_rate;
        self
    }

    /// Maximum tree depth (at most `2^max_depth` leaves). Must be `>= 1`; defaults to `4`:
    /// interactions of up to four features, and small trees that keep fitting fast and the
    /// exported model small.
    pub fn max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// L2 penalty on leaf weights (XGBoost's `lambda`). Must be finite and `>= 0`; defaults
    /// to `1` (XGBoost's default).
    pub fn l2(mut self, l2: f32) -> Self {
        self.l2 = l2;
        self
    }

    /// Minimum hessian sum in a leaf (XGBoost's `min_child_weight`). Must be finite and
    /// `>= 0`; defaults to `1` (XGBoost's default).
    pub fn min_leaf_weight(mut self, min_leaf_weight: f32) -> Self {
        self.min_leaf_weight = min_leaf_weight;
        self
    }

    /// Histogram bins per feature. Must be `>= 2`; defaults to `256`.
    pub fn max_bin(mut self, max_bin: u16) -> Self {
        self.max_bin = max_bin;
        self
    }

    /// Worker threads. Must be `>= 1`; defaults to `1`: on the shared 2-core build machines two
    /// threads took 0.8 s to 1.1 s for the benchmark fit against 1.0 s to 1.2 s on one,
    /// depending on what else was running. The trees do not depend on it.
    pub fn num_threads(mut self, num_threads: usize) -> Self {
        self.num_threads = num_threads;
        self
    }

    /// Seed of any sampling in the booster; defaults to `0`.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The card's record of these hyperparameters (every key but the seed, which the card
    /// keeps once for the run).
    pub fn record(&self) -> BoostedRecord {
        BoostedRecord {
            iterations: self.iterations,
            learning_rate: self.learning_rate,
            max_depth: self.max_depth,
            l2: self.l2,
            min_leaf_weight: self.min_leaf_weight,
            max_bin: self.max_bin,
            num_threads: self.num_threads,
        }
    }

    /// Validates the hyperparameters.
    pub fn check(self) -> std::result::Result<BoostedValidParams, ParamsError> {
        if self.iterations == 0 {
            return Err(ParamsError::Iterations(self.iterations));
        }
        if !(self.learning_rate > 0.0 && self.learning_rate <= 1.0) {
            return Err(ParamsError::LearningRate(self.learning_rate));
        }
        if self.max_depth == 0 {
            return Err(ParamsError::MaxDepth(self.max_depth));
        }
        if !(self.l2.is_finite() && self.l2 >= 0.0) {
            return Err(ParamsError::Penalizer(f64::from(self.l2)));
        }
        if !(self.min_leaf_weight.is_finite() && self.min_leaf_weight >= 0.0) {
            return Err(ParamsError::MinLeafWeight(self.min_leaf_weight));
        }
        if self.max_bin < 2 {
            return Err(ParamsError::MaxBin(self.max_bin));
        }
        if self.num_threads == 0 {
            return Err(ParamsError::NumThreads(self.num_threads));
        }
        Ok(BoostedValidParams(self))
    }
}

/// Checked gradient-boosting hyperparameters, the only form
/// [`fit`](BoostedValidParams::fit) accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct BoostedValidParams(BoostedParams);

impl BoostedValidParams {
    /// Boosting rounds (see [`BoostedParams::iterations`]).
    pub fn iterations(&self) -> usize {
        self.0.iterations
    }

    /// Shrinkage (see [`BoostedParams::learning_rate`]).
    pub fn learning_rate(&self) -> f32 {
        self.0.learning_rate
    }

    /// Maximum tree depth (see [`BoostedParams::max_depth`]).
    pub fn max_depth(&self) -> usize {
        self.0.max_depth
    }

    /// L2 penalty on leaf weights (see [`BoostedParams::l2`]).
    pub fn l2(&self) -> f32 {
        self.0.l2
    }

    /// Minimum hessian sum per leaf (see [`BoostedParams::min_leaf_weight`]).
    pub fn min_leaf_weight(&self) -> f32 {
        self.0.min_leaf_weight
    }

    /// Histogram bins per feature (see [`BoostedParams::max_bin`]).
    pub fn max_bin(&self) -> u16 {
        self.0.max_bin
    }

    /// Worker threads (see [`BoostedParams::num_threads`]).
    pub fn num_threads(&self) -> usize {
        self.0.num_threads
    }

    /// Sampling seed (see [`BoostedParams::seed`]).
    pub fn seed(&self) -> u64 {
        self.0.seed
    }

    /// The card's record (see [`BoostedParams::record`]).
    pub fn record(&self) -> BoostedRecord {
        self.0.record()
    }
}
