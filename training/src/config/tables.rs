//! The hyperparameter tables of the TOML configuration, as read (every key optional), and
//! their checked forms.
//!
//! A key left out keeps the shipped default of the model it belongs to, so the tables are read
//! as optional keys and laid over each model's defaults (the churn trees and the rankers' trees
//! share [`BoostedTable`]'s keys but not their defaults), then checked by the model's
//! `check()`. An out-of-range value fails with [`ParamsError::OutOfRange`], which names the
//! table and the key.
//!
//! The keys, with their defaults and valid ranges (also in the root README's
//! "Hyperparameters"):
//! - `[churn]`: `selection_tolerance` (0.002, `[0, 1]`), `min_members` (50, `>= 10`),
//!   `fit_members` (100000, `>= 1000`), `trees` (true).
//! - `[churn.logistic]`: `ridge` (500, `>= 0`), `max_iter` (200, `>= 1`), `tol` (1e-5, `> 0`).
//! - `[churn.boosted]`: `iterations` (100, `>= 1`), `learning_rate` (0.1, `(0, 1]`),
//!   `max_depth` (3, `>= 1`), `l2` (1, `>= 0`), `min_leaf_weight` (50, `>= 0`), `max_bin`
//!   (256, `>= 2`), `num_threads` (2, `>= 1`).
//! - `[recommend]`: `cutoff_step_days` (14, 1..=365), `max_cutoffs` (4, 1..=24),
//!   `min_history_days` (14, 0..=3650), `weight_by_truth` (false),
//!   `category_members_per_cutoff` (16000, `>= 1`), `category_negative_rate` (0.2, `(0, 1]`),
//!   `item_members_per_cutoff` (4000, `>= 1`), `item_negative_rate` (0.3, `(0, 1]`).
//! - `[recommend.ranker]`: the keys of `[churn.boosted]`, with the rankers' defaults
//!   (`max_depth` 5, `min_leaf_weight` 1, `num_threads` 1, the rest as the churn trees).
//! - `[promotion]`: `mode` (`if-better`, `always` or `never`; `--promote` wins), `tolerance`
//!   (0.01, `[0, 1]`).
//! - `[scale]`: `buckets` (0, `0..=4096`), `chunk_members` (8192, `>= 1`); read in
//!   `config/mod.rs` (see `TrainConfig::buckets`).
//!
//! The trees' seed is the run's `seed`.

use crate::ParamsError;
use crate::churn::BoostedParams;
use crate::pipeline::{
    ChurnParams, ChurnValidParams, DEFAULT_TOLERANCE, PromoteMode, PromotionPolicy,
};
use crate::recommend::{RecommendParams, RecommendValidParams, Sampling};

/// `[churn]`.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChurnTable {
    /// See [`ChurnParams::selection_tolerance`].
    pub selection_tolerance: Option<f64>,
    /// See [`ChurnParams::min_members`].
    pub min_members: Option<usize>,
    /// See [`ChurnParams::fit_members`].
    pub fit_members: Option<usize>,
    /// See [`ChurnParams::trees`].
    pub trees: Option<bool>,
    /// `[churn.logistic]`.
    pub logistic: LogisticTable,
    /// `[churn.boosted]`.
    pub boosted: BoostedTable,
}

/// `[churn.logistic]`.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogisticTable {
    /// See [`ChurnParams::ridge`].
    pub ridge: Option<f64>,
    /// See [`ChurnParams::max_iter`].
    pub max_iter: Option<u64>,
    /// See [`ChurnParams::tol`].
    pub tol: Option<f64>,
}

/// `[churn.boosted]` and `[recommend.ranker]`: see [`BoostedParams`]' setters of the same
/// names.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BoostedTable {
    /// Boosting rounds.
    pub iterations: Option<usize>,
    /// Shrinkage.
    pub learning_rate: Option<f32>,
    /// Maximum tree depth.
    pub max_depth: Option<usize>,
    /// L2 penalty on leaf weights.
    pub l2: Option<f32>,
    /// Minimum hessian sum per leaf.
    pub min_leaf_weight: Option<f32>,
    /// Histogram bins per feature.
    pub max_bin: Option<u16>,
    /// Worker threads.
    pub num_threads: Option<usize>,
}

/// `[recommend]`.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecommendTable {
    /// See [`RecommendParams::cutoff_step_days`].
    pub cutoff_step_days: Option<u32>,
    /// See [`RecommendParams::max_cutoffs`].
    pub max_cutoffs: Option<usize>,
    /// See [`RecommendParams::min_history_days`].
    pub min_history_days: Option<u32>,
    /// See [`RecommendParams::weight_by_truth`].
    pub weight_by_truth: Option<bool>,
    /// The next-category ranker's `max_members_per_cutoff` (see [`crate::recommend::Sampling`]).
    pub category_members_per_cutoff: Option<usize>,
    /// The next-category ranker's `negative_rate`.
    pub category_negative_rate: Option<f64>,
    /// The next-item ranker's `max_members_per_cutoff`.
    pub item_members_per_cutoff: Option<usize>,
    /// The next-item ranker's `negative_rate`.
    pub item_negative_rate: Option<f64>,
    /// `[recommend.ranker]`.
    pub ranker: BoostedTable,
}

/// `[promotion]`.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PromotionTable {
    /// `always`, `if-better` (default) or `never`; `--promote` wins over it.
    pub mode: Option<PromoteMode>,
    /// How far a gated metric may fall before `if-better` holds a version back (absolute;
    /// default [`DEFAULT_TOLERANCE`]).
    pub tolerance: Option<f64>,
}

impl ChurnTable {
    /// The checked churn hyperparameters: these keys over the defaults, seeded with `seed`.
    pub fn into_params(self, seed: u64) -> Result<ChurnValidParams, ParamsError> {
        let mut p = ChurnParams::new().seed(seed);
        if let Some(v) = self.selection_tolerance {
            p = p.selection_tolerance(v);
        }
        if let Some(v) = self.min_members {
            p = p.min_members(v);
        }
        if let Some(v) = self.fit_members {
            p = p.fit_members(v);
        }
        if let Some(v) = self.trees {
            p = p.trees(v);
        }
        let LogisticTable {
            ridge,
            max_iter,
            tol,
        } = self.logistic;
        if let Some(v) = ridge {
            p = p.ridge(v);
        }
        if let Some(v) = max_iter {
            p = p.max_iter(v);
        }
        if let Some(v) = tol {
            p = p.tol(v);
        }
        let boosted = self.boosted.over(p.boosted_params().clone());
        p.boosted(boosted).check()
    }
}

impl BoostedTable {
    /// `base` with every key given here replaced.
    pub fn over(self, base: BoostedParams) -> BoostedParams {
        let mut p = base;
        if let Some(v) = self.iterations {
            p = p.iterations(v);
        }
        if let Some(v) = self.learning_rate {
            p = p.learning_rate(v);
        }
        if let Some(v) = self.max_depth {
            p = p.max_depth(v);
        }
        if let Some(v) = self.l2 {
            p = p.l2(v);
        }
        if let Some(v) = self.min_leaf_weight {
            p = p.min_leaf_weight(v);
        }
        if let Some(v) = self.max_bin {
            p = p.max_bin(v);
        }
        if let Some(v) = self.num_threads {
            p = p.num_threads(v);
        }
        p
    }
}

impl RecommendTable {
    /// The checked ranker hyperparameters: these keys over the defaults.
    pub fn into_params(self) -> Result<RecommendValidParams, ParamsError> {
        let d = RecommendParams::default();
        let p = RecommendParams {
            ranker: self.ranker.over(d.ranker.clone()),
            category_sampling: Sampling {
                max_members_per_cutoff: self
                    .category_members_per_cutoff
                    .unwrap_or(d.category_sampling.max_members_per_cutoff),
                negative_rate: self
                    .category_negative_rate
                    .unwrap_or(d.category_sampling.negative_rate),
            },
            item_sampling: Sampling {
                max_members_per_cutoff: self
                    .item_members_per_cutoff
                    .unwrap_or(d.item_sampling.max_members_per_cutoff),
                negative_rate: self
                    .item_negative_rate
                    .unwrap_or(d.item_sampling.negative_rate),
            },
            weight_by_truth: self.weight_by_truth.unwrap_or(d.weight_by_truth),
            cutoff_step_days: self.cutoff_step_days.unwrap_or(d.cutoff_step_days),
            max_cutoffs: self.max_cutoffs.unwrap_or(d.max_cutoffs),
            min_history_days: self.min_history_days.unwrap_or(d.min_history_days),
            ..d
        };
        p.check()
    }
}

impl PromotionTable {
    /// The checked promotion policy; `promote` (the command line's) wins over `mode`.
    pub fn into_policy(self, promote: Option<PromoteMode>) -> Result<PromotionPolicy, ParamsError> {
        PromotionPolicy::new(
            promote.or(self.mode).unwrap_or_default(),
            self.tolerance.unwrap_or(DEFAULT_TOLERANCE),
        )
    }
}
