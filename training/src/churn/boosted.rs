//! Gradient-boosted trees (forust-ml, log loss) and their exact conversion to
//! [`TreeEnsemble`].
//!
//! forust routes `x < split_value` left (and a missing value to `missing_node`), comparing in
//! `f64`, and predicts the logit `base_score + Σ leaves`. [`TreeEnsemble`] compares an `f32`
//! input with an `f32` threshold, so each threshold becomes the smallest `f32` that is
//! `>= split_value`: for every finite `f32` `x`, `x < threshold ⇔ f64(x) < split_value`, and the
//! two models take the same path on `f32` input.

use std::collections::VecDeque;

use forust_ml::objective::ObjectiveType;
use forust_ml::{GradientBooster, Matrix};

use super::design::{Design, check_matrix};
use super::params::{BoostedParams, BoostedValidParams};
use crate::error::{Error, Result};
use features::gather::GatherTrees;

use crate::onnx::{Node, Tree, TreeEnsemble};

const MODEL: &str = "churn gradient-boosted trees";

/// A fitted forust booster together with its [`TreeEnsemble`] translation (what gets
/// exported) and that ensemble's gather-tree evaluator (what scores rows: the one tree
/// evaluator of training and serving).
pub struct FittedBoosted {
    booster: GradientBooster,
    ensemble: TreeEnsemble,
    trees: GatherTrees,
    n_features: usize,
}

impl std::fmt::Debug for FittedBoosted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FittedBoosted")
            .field("n_features", &self.n_features)
            .field("n_trees", &self.n_trees())
            .field("base_score", &self.ensemble.base_score)
            .finish_non_exhaustive()
    }
}

impl FittedBoosted {
    /// Number of input columns `D`.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Number of boosted trees.
    pub fn n_trees(&self) -> usize {
        self.ensemble.trees.len()
    }

    /// The exportable ensemble (no calibration).
    pub fn ensemble(&self) -> &TreeEnsemble {
        &self.ensemble
    }

    /// Consumes the model, keeping only the exportable ensemble.
    pub fn into_tree_ensemble(self) -> TreeEnsemble {
        self.ensemble
    }

    /// The underlying forust booster (feature importances, JSON dump, ...).
    pub fn booster(&self) -> &GradientBooster {
        &self.booster
    }

    /// Logits `base_score + Σ leaves` (summed in `f32` by [`GatherTrees`]) of a row-major
    /// matrix with `D` columns.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`], [`Error::EmptyData`] or [`Error::NonFinite`] for a malformed
    /// matrix.
    pub fn logits(&self, data: &[f32]) -> Result<Vec<f32>> {
        let n = self.rows(data)?.len();
        let mut out = vec![0f32; n];
        self.trees.logits(data, &mut out);
        Ok(out)
    }

    /// Churn probabilities of a row-major matrix with `D` columns.
    ///
    /// # Errors
    /// As [`logits`](Self::logits).
    pub fn predict_proba(&self, data: &[f32]) -> Result<Vec<f32>> {
        let n = self.rows(data)?.len();
        let mut out = vec![0f32; n];
        self.trees.predict(data, &mut out);
        Ok(out)
    }

    /// forust's own logits (single-threaded [`GradientBooster::predict`]) for a row-major
    /// matrix with `D` columns; the reference the ensemble is tested against.
    ///
    /// # Errors
    /// As [`logits`](Self::logits).
    pub fn booster_logits(&self, data: &[f32]) -> Result<Vec<f64>> {
        let n_rows = self.rows(data)?.len();
        let columns = column_major(data, n_rows, self.n_features);
        Ok(self
            .booster
            .predict(&Matrix::new(&columns, n_rows, self.n_features), false))
    }

    fn rows<'a>(&self, data: &'a [f32]) -> Result<std::slice::ChunksExact<'a, f32>> {
        let d = self.n_features;
        check_matrix(data, d, data.len() / d)?;
        Ok(data.chunks_exact(d))
    }
}

impl BoostedValidParams {
    /// Fits forust's booster with the log-loss objective on a row-major `data` matrix of
    /// `labels.len()` rows and `n_cols` columns (`true` = churned), then translates it.
    ///
    /// # Errors
    /// [`Error::EmptyData`], [`Error::LengthMismatch`], [`Error::NonFinite`],
    /// [`Error::Degenerate`] when the labels hold one class, [`Error::Optimiser`] when
    /// forust fails, and [`Error::InvalidModel`] when a tree cannot be translated (a separate
    /// missing-value branch, which these settings never produce).
    #[tracing::instrument(skip_all, fields(model = MODEL, n_rows = labels.len(), n_cols = n_cols))]
    pub fn fit(&self, data: &[f32], n_cols: usize, labels: &[bool]) -> Result<FittedBoosted> {
        self.fit_weighted(data, n_cols, labels, None)
    }

    /// [`fit`](Self::fit) with a weight per row (all `1` when `None`).
    ///
    /// # Errors
    /// As [`fit`](Self::fit), and [`Error::LengthMismatch`] when `weights` does not have one
    /// finite, non-negative value per row.
    pub fn fit_weighted(
        &self,
        data: &[f32],
        n_cols: usize,
        labels: &[bool],
        weights: Option<&[f64]>,
    ) -> Result<FittedBoosted> {
        let design = Design::new(data, n_cols, labels, MODEL)?;
        let n_rows = design.n_rows();
        let columns = column_major(data, n_rows, n_cols);
        let y: Vec<f64> = labels.iter().map(|&y| f64::from(u8::from(y))).collect();
        let threads = self.num_threads();
        let mut booster = GradientBooster::default()
            .set_objective_type(ObjectiveType::LogLoss)
            .set_iterations(self.iterations())
            .set_learning_rate(self.learning_rate())
            .set_max_depth(self.max_depth())
            .set_l2(self.l2())
            .set_min_leaf_weight(self.min_leaf_weight())
            .set_nbins(self.max_bin())
            .set_parallel(threads > 1)
            .set_num_threads(Some(threads))
            .set_seed(self.seed())
            .set_create_missing_branch(false)
            .set_initialize_base_score(true);
        let ones;
        let weights = match weights {
            Some(w) if w.len() == n_rows && w.iter().all(|v| v.is_finite() && *v >= 0.0) => w,
            Some(w) => {
                return Err(Error::LengthMismatch {
                    what: "sample weights",
                    expected: n_rows,
                    got: w.len(),
                });
            }
            None => {
                ones = vec![1.0; n_rows];
                &ones
            }
        };
        booster
            .fit(&Matrix::new(&columns, n_rows, n_cols), &y, weights, None)
            .map_err(|e| Error::Optimiser {
                model: MODEL,
                source: e.into(),
            })?;
        let ensemble = to_tree_ensemble(&booster)?;
        ensemble.validate(n_cols)?;
        let trees = ensemble.gather_trees(n_cols)?;
        tracing::debug!(n_trees = ensemble.trees.len(), "forust booster fitted");
        Ok(FittedBoosted {
            booster,
            ensemble,
            trees,
            n_features: n_cols,
        })
    }
}

impl BoostedParams {
    /// Checks the hyperparameters, then fits (see [`BoostedValidParams::fit`]).
    pub fn fit(&self, data: &[f32], n_cols: usize, labels: &[bool]) -> Result<FittedBoosted> {
        self.clone().check()?.fit(data, n_cols, labels)
    }
}

/// Translates every tree of a fitted booster; a booster with no tree becomes one leaf of 0.
fn to_tree_ensemble(booster: &GradientBooster) -> Result<TreeEnsemble> {
    let used = booster.prediction_iteration.unwrap_or(booster.trees.len());
    let mut trees = booster.trees[..used]
        .iter()
        .enumerate()
        .map(|(ix, tree)| convert_tree(ix, tree))
        .collect::<Result<Vec<_>>>()?;
    if trees.is_empty() {
        trees.push(Tree {
            nodes: vec![Node::Leaf { value: 0.0 }],
        });
    }
    Ok(TreeEnsemble {
        trees,
        base_score: booster.base_score as f32,
        calibration: None,
    })
}

/// Re-indexes one forust tree breadth-first from its root (node 0).
fn convert_tree(tree_ix: usize, tree: &forust_ml::tree::Tree) -> Result<Tree> {
    let invalid = |what: String| Error::InvalidModel {
        reason: format!("forust tree {tree_ix}: {what}"),
    };
    let mut nodes: Vec<Option<Node>> = vec![None];
    let mut queue = VecDeque::from([(0usize, 0usize)]);
    while let Some((num, slot)) = queue.pop_front() {
        if nodes.len() > 2 * tree.nodes.len() + 1 {
            return Err(invalid("node references form a cycle".into()));
        }
        let node = tree
            .nodes
            .get(num)
            .ok_or_else(|| invalid(format!("missing node {num}")))?;
        nodes[slot] = Some(if node.is_leaf {
            Node::Leaf {
                value: node.weight_value,
            }
        } else {
            let missing_goes_left = match node.missing_node {
                m if m == node.left_child => true,
                m if m == node.right_child => false,
                m => {
                    return Err(invalid(format!(
                        "node {num} has a separate missing branch {m}"
                    )));
                }
            };
            let (left, right) = (nodes.len(), nodes.len() + 1);
            nodes.extend([None, None]);
            queue.extend([(node.left_child, left), (node.right_child, right)]);
            let threshold = f32_threshold(node.split_value)
                .ok_or_else(|| invalid(format!("node {num} splits at {}", node.split_value)))?;
            Node::Branch {
                feature: node.split_feature,
                threshold,
                left,
                right,
                missing_goes_left,
            }
        });
    }
    Ok(Tree {
        nodes: nodes
            .into_iter()
            .map(|n| n.expect("every slot is filled"))
            .collect(),
    })
}

/// The smallest `f32` `t >= split`, so that `x < t ⇔ f64(x) < split` for every finite `f32`
/// `x`; `None` when no finite `f32` works (NaN or beyond the `f32` range).
pub(crate) fn f32_threshold(split: f64) -> Option<f32> {
    let nearest = split as f32;
    let t = if f64::from(nearest) < split {
        nearest.next_up()
    } else {
        nearest
    };
    t.is_finite().then_some(t)
}

/// `data` (row-major `f32`) as the column-major `f64` buffer forust reads.
fn column_major(data: &[f32], n_rows: usize, n_cols: usize) -> Vec<f64> {
    let mut out = vec![0.0f64; n_rows * n_cols];
    for (i, row) in data.chunks_exact(n_cols).enumerate() {
        for (j, &x) in row.iter().enumerate() {
            out[j * n_rows + i] = f64::from(x);
        }
    }
    out
}
