//! Hyperparameters of the churn fit: [`ChurnParams`] → [`ChurnParams::check`] →
//! [`ChurnValidParams`], the only form [`fit_churn`](super::fit_churn) accepts. Errors name the
//! configuration table and key (`[churn]`, `[churn.logistic]`, `[churn.boosted]`).

use features::contract::{ChurnParamsRecord, LogisticRecord};

use super::fallback::MIN_CHURN_MEMBERS;
use crate::ParamsError;
use crate::churn::{BoostedParams, LogisticParams};

/// The default ridge of the logistic candidates (see [`ChurnParams::ridge`]): measured on seven
/// stores (BENCHMARKS.md, "Latest: every dataset after the churn changes of the second
/// session").
pub const DEFAULT_RIDGE: f64 = 500.0;

/// The default [`ChurnParams::fit_members`]: enough rows for the logistic and tree
/// candidates (six cutoffs of 100,000 members are 600,000 rows), and about 1 GB of designs at
/// the fit's peak (BENCHMARKS.md, "Training in bounded memory").
pub const DEFAULT_FIT_MEMBERS: usize = 100_000;

/// Fewest members [`ChurnParams::fit_members`] accepts.
pub const MIN_FIT_MEMBERS: usize = 1_000;

/// Fewest members [`ChurnParams::min_members`] accepts: the held-out split needs at least 10
/// rows.
pub const MIN_MEMBERS_FLOOR: usize = 10;

/// Unchecked hyperparameters of the churn fit, built with consuming setters from
/// [`ChurnParams::new`] (the shipped defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct ChurnParams {
    selection_tolerance: f64,
    min_members: usize,
    fit_members: usize,
    trees: bool,
    ridge: f64,
    max_iter: u64,
    tol: f64,
    boosted: BoostedParams,
    seed: u64,
}

impl Default for ChurnParams {
    fn default() -> Self {
        let logistic = LogisticParams::new()
            .check()
            .expect("default logistic params");
        Self {
            selection_tolerance: 0.002,
            min_members: MIN_CHURN_MEMBERS,
            fit_members: DEFAULT_FIT_MEMBERS,
            trees: true,
            ridge: DEFAULT_RIDGE,
            max_iter: logistic.max_iter(),
            tol: logistic.tol(),
            boosted: churn_trees(),
            seed: 0,
        }
    }
}

/// The churn trees: depth 3 and at least 50 of hessian weight (about 200 rows) per leaf, so
/// that trees fitted on a short store's one or two cutoffs do not chase noise (on Ta Feng's
/// held-out cutoff, AP 0.710 against 0.696 with depth 4 and weight 1; BENCHMARKS.md). Two
/// threads: forust splits the work by feature, so the trees are the same run after run (checked
/// on Ta Feng's scores, byte for byte) and the churn fit there takes 6.8 s instead of 8.7 s.
fn churn_trees() -> BoostedParams {
    BoostedParams::new()
        .num_threads(2)
        .max_depth(3)
        .min_leaf_weight(50.0)
}

impl ChurnParams {
    /// The shipped defaults: `selection_tolerance = 0.002`, `min_members = 50`,
    /// `fit_members = 100000`, `trees = true`, `ridge = 500`, `max_iter = 200`, `tol = 1e-5`, and trees of
    /// [`BoostedParams`]' defaults but `max_depth = 3`, `min_leaf_weight = 50`,
    /// `num_threads = 2`, seed 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// `[churn] selection_tolerance`: candidates whose validation average precision is within
    /// this of the best count as tied, and the highest AUC among them wins. Must be finite and
    /// in `[0, 1]`; defaults to `0.002`.
    pub fn selection_tolerance(mut self, tolerance: f64) -> Self {
        self.selection_tolerance = tolerance;
        self
    }

    /// `[churn] min_members`: fewest members at the latest training cutoff for a fitted churn
    /// model; with fewer, the run falls back to the documented rule. Must be at least
    /// [`MIN_MEMBERS_FLOOR`]; defaults to [`MIN_CHURN_MEMBERS`] (50).
    pub fn min_members(mut self, min_members: usize) -> Self {
        self.min_members = min_members;
        self
    }

    /// `[churn] fit_members`: the churn candidates are fitted, chosen and calibrated on at most
    /// this many members, a deterministic sample by member hash with all of each member's
    /// lines ([`OrderBook::member_sample`](features::OrderBook::member_sample)); every member
    /// is still scored. Bounds the fit's memory (one design row per member and cutoff, several
    /// copies) whatever the store's size. Must be at least [`MIN_FIT_MEMBERS`]; defaults to
    /// [`DEFAULT_FIT_MEMBERS`].
    pub fn fit_members(mut self, fit_members: usize) -> Self {
        self.fit_members = fit_members;
        self
    }

    /// `[churn] trees`: whether boosted trees and their blends with the best linear candidate
    /// are candidates (they never are with one shortened cutoff). Defaults to `true`.
    pub fn trees(mut self, trees: bool) -> Self {
        self.trees = trees;
        self
    }

    /// `[churn.logistic] ridge`: `ridge / 2 · ‖w‖²` on the standardised columns is added to the
    /// *summed* log loss of the logistic candidates (scikit-learn's `1 / C`), so it weighs as
    /// much as a fixed number of rows and fades as the data grow. Must be finite and `>= 0`;
    /// defaults to [`DEFAULT_RIDGE`] (500).
    pub fn ridge(mut self, ridge: f64) -> Self {
        self.ridge = ridge;
        self
    }

    /// `[churn.logistic] max_iter`: L-BFGS iteration budget of each logistic fit. Must be
    /// `>= 1`; defaults to `200`.
    pub fn max_iter(mut self, max_iter: u64) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// `[churn.logistic] tol`: gradient-norm tolerance of each logistic fit (see
    /// [`LogisticParams::tol`]). Must be finite and `> 0`; defaults to `1e-5`.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// `[churn.boosted]`: the boosted trees (their own seed is replaced by
    /// [`seed`](Self::seed)'s).
    pub fn boosted(mut self, boosted: BoostedParams) -> Self {
        self.boosted = boosted;
        self
    }

    /// The trees' boosted-tree hyperparameters as they are now, to change some of them.
    pub fn boosted_params(&self) -> &BoostedParams {
        &self.boosted
    }

    /// Seed of the boosted trees: the run's seed. Defaults to `0`.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Checks every value; an error names the configuration table and key.
    pub fn check(self) -> Result<ChurnValidParams, ParamsError> {
        let t = self.selection_tolerance;
        if !(t.is_finite() && (0.0..=1.0).contains(&t)) {
            return Err(ParamsError::SelectionTolerance(t).at("churn", "selection_tolerance"));
        }
        if self.min_members < MIN_MEMBERS_FLOOR {
            return Err(ParamsError::OutOfRange {
                table: "churn",
                key: "min_members",
                reason: format!("must be >= {MIN_MEMBERS_FLOOR}, got {}", self.min_members),
            });
        }
        if self.fit_members < MIN_FIT_MEMBERS {
            return Err(ParamsError::OutOfRange {
                table: "churn",
                key: "fit_members",
                reason: format!("must be >= {MIN_FIT_MEMBERS}, got {}", self.fit_members),
            });
        }
        if !(self.ridge.is_finite() && self.ridge >= 0.0) {
            return Err(ParamsError::Penalizer(self.ridge).at("churn.logistic", "ridge"));
        }
        LogisticParams::new()
            .max_iter(self.max_iter)
            .tol(self.tol)
            .check()
            .map_err(|e| e.in_table("churn.logistic"))?;
        self.boosted
            .clone()
            .check()
            .map_err(|e| e.in_table("churn.boosted"))?;
        Ok(ChurnValidParams(self))
    }
}

/// Checked churn hyperparameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ChurnValidParams(ChurnParams);

impl Default for ChurnValidParams {
    /// The shipped defaults (seed 0), which pass the check.
    fn default() -> Self {
        ChurnValidParams(ChurnParams::default())
    }
}

impl ChurnValidParams {
    /// See [`ChurnParams::selection_tolerance`].
    pub fn selection_tolerance(&self) -> f64 {
        self.0.selection_tolerance
    }

    /// See [`ChurnParams::min_members`].
    pub fn min_members(&self) -> usize {
        self.0.min_members
    }

    /// See [`ChurnParams::fit_members`].
    pub fn fit_members(&self) -> usize {
        self.0.fit_members
    }

    /// See [`ChurnParams::trees`].
    pub fn trees(&self) -> bool {
        self.0.trees
    }

    /// See [`ChurnParams::ridge`].
    pub fn ridge(&self) -> f64 {
        self.0.ridge
    }

    /// The logistic regression of a candidate fitted on `n_rows` rows: the ridge as a penalty on
    /// the mean log loss (`ridge / n_rows`), the iteration budget and the tolerance.
    pub fn logistic(&self, n_rows: usize) -> LogisticParams {
        LogisticParams::new()
            .l2(self.0.ridge / n_rows.max(1) as f64)
            .max_iter(self.0.max_iter)
            .tol(self.0.tol)
    }

    /// The boosted trees with the run's seed (see [`ChurnParams::boosted`]).
    pub fn boosted(&self) -> BoostedParams {
        self.0.boosted.clone().seed(self.0.seed)
    }

    /// The run's seed (see [`ChurnParams::seed`]).
    pub fn seed(&self) -> u64 {
        self.0.seed
    }

    /// The card's record of these hyperparameters (the `[churn]` keys).
    pub fn record(&self) -> ChurnParamsRecord {
        let p = &self.0;
        ChurnParamsRecord {
            selection_tolerance: p.selection_tolerance,
            min_members: p.min_members,
            fit_members: Some(p.fit_members),
            trees: p.trees,
            logistic: LogisticRecord {
                ridge: p.ridge,
                max_iter: p.max_iter,
                tol: p.tol,
            },
            boosted: p.boosted.record(),
        }
    }
}
