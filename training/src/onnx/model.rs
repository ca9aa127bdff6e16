//! The tree structures the exporters understand (the standardised logistic model is
//! [`features::churn::Linear`]). They are not evaluated here: every score comes from the
//! shared evaluators ([`features::churn::ChurnEvaluator`], [`GatherTrees`]), built from these
//! structures, and the ONNX graphs are checked against those.

use features::churn::{Linear, TreeArrays};
use features::gather::{GatherArrays, GatherTrees};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One node of a binary decision tree. Node `0` of a [`Tree`] is its root.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Node {
    /// Internal split: go to `left` when `x[feature] < threshold`, else to `right`.
    /// A missing value (`NaN`) goes left iff `missing_goes_left`.
    Branch {
        /// Index of the feature tested.
        feature: usize,
        /// Split threshold (strict `<` goes left).
        threshold: f32,
        /// Index (within the tree) of the child taken when the test holds.
        left: usize,
        /// Index (within the tree) of the child taken otherwise.
        right: usize,
        /// Where `NaN` goes.
        missing_goes_left: bool,
    },
    /// Terminal node contributing `value` to the logit.
    Leaf {
        /// Contribution to the logit.
        value: f32,
    },
}

/// One decision tree: `nodes[0]` is the root, children are referenced by index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    /// The nodes; every node must be reachable from the root exactly once.
    pub nodes: Vec<Node>,
}

impl Tree {
    /// Branch levels on the longest root-to-leaf path (0 for a single leaf).
    ///
    /// # Panics
    /// If the tree is malformed (see [`Tree::validate`]).
    pub fn depth(&self) -> usize {
        fn go(tree: &Tree, ix: usize) -> usize {
            match &tree.nodes[ix] {
                Node::Leaf { .. } => 0,
                Node::Branch { left, right, .. } => 1 + go(tree, *left).max(go(tree, *right)),
            }
        }
        go(self, 0)
    }

    fn validate(&self, tree_ix: usize, n_features: usize) -> Result<()> {
        let invalid = |what: String| {
            Err(Error::InvalidModel {
                reason: format!("tree {tree_ix}: {what}"),
            })
        };
        if self.nodes.is_empty() {
            return invalid("has no nodes".into());
        }
        let mut seen = vec![false; self.nodes.len()];
        let mut stack = vec![0usize];
        while let Some(ix) = stack.pop() {
            if std::mem::replace(&mut seen[ix], true) {
                return invalid(format!("node {ix} is reachable more than once"));
            }
            match &self.nodes[ix] {
                Node::Leaf { value } if !value.is_finite() => {
                    return invalid(format!("leaf {ix} is not finite"));
                }
                Node::Leaf { .. } => {}
                Node::Branch {
                    feature,
                    threshold,
                    left,
                    right,
                    ..
                } => {
                    if *feature >= n_features {
                        return invalid(format!(
                            "node {ix} uses feature {feature} >= {n_features}"
                        ));
                    }
                    if !threshold.is_finite() {
                        return invalid(format!("node {ix} has a non-finite threshold"));
                    }
                    for &child in [left, right] {
                        if child >= self.nodes.len() {
                            return invalid(format!("node {ix} points to missing node {child}"));
                        }
                        stack.push(child);
                    }
                }
            }
        }
        if let Some(ix) = seen.iter().position(|s| !s) {
            return invalid(format!("node {ix} is unreachable"));
        }
        Ok(())
    }
}

/// A boosted tree ensemble for binary classification:
/// `p = sigmoid(a * (base_score + Σ_trees leaf) + b)`, with `(a, b)` an optional Platt
/// calibration on the logit (`None` means `a = 1, b = 0`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeEnsemble {
    /// The trees, summed on the logit scale.
    pub trees: Vec<Tree>,
    /// Logit offset added to the sum of leaves.
    pub base_score: f32,
    /// Optional Platt calibration `(a, b)` applied as `a * logit + b`.
    pub calibration: Option<(f32, f32)>,
}

impl TreeEnsemble {
    /// Checks that there is at least one tree, every tree is a proper tree over features
    /// `< n_features`, and every number is finite.
    pub fn validate(&self, n_features: usize) -> Result<()> {
        if self.trees.is_empty() {
            return Err(Error::InvalidModel {
                reason: "tree ensemble has no trees".into(),
            });
        }
        let (a, b) = self.calibration.unwrap_or((1.0, 0.0));
        if ![self.base_score, a, b].iter().all(|v| v.is_finite()) {
            return Err(Error::InvalidModel {
                reason: "non-finite base score or calibration".into(),
            });
        }
        self.trees
            .iter()
            .enumerate()
            .try_for_each(|(ix, tree)| tree.validate(ix, n_features))
    }

    /// The ensemble as the arrays of the gather-tree form (every tree's nodes concatenated,
    /// leaves pointing to themselves, leaf values scaled by the calibration slope, the base
    /// logit `a · base_score + b`) and the number of levels the graph walks (the deepest
    /// tree's depth). The exported gather graph holds exactly these arrays.
    pub fn gather_arrays(&self) -> (GatherArrays, usize) {
        let (a, b) = self.calibration.unwrap_or((1.0, 0.0));
        let mut g = GatherArrays {
            base_logit: a * self.base_score + b,
            ..GatherArrays::default()
        };
        let mut depth = 0usize;
        for tree in &self.trees {
            let offset = g.feature.len() as i64;
            g.roots.push(offset);
            depth = depth.max(tree.depth());
            for (n, node) in tree.nodes.iter().enumerate() {
                let me = offset + n as i64;
                match node {
                    Node::Branch {
                        feature,
                        threshold,
                        left,
                        right,
                        ..
                    } => {
                        g.feature.push(*feature as i64);
                        g.threshold.push(*threshold);
                        g.left.push(offset + *left as i64);
                        g.right.push(offset + *right as i64);
                        g.value.push(0.0);
                    }
                    Node::Leaf { value } => {
                        g.feature.push(0);
                        g.threshold.push(0.0);
                        g.left.push(me);
                        g.right.push(me);
                        g.value.push(a * value);
                    }
                }
            }
        }
        (g, depth)
    }

    /// [`TreeEnsemble::gather_arrays`] as `churn.json` stores them.
    pub fn tree_arrays(&self) -> TreeArrays {
        let (arrays, levels) = self.gather_arrays();
        TreeArrays { levels, arrays }
    }

    /// The shared evaluator of the gather-tree form over rows of `n_cols` columns: what
    /// serving computes from the exported file, and what training scores recommendation
    /// lists with (so that `recommendations.csv` and the served lists agree to the bit,
    /// near-ties included). A `NaN` goes right at every split.
    pub fn gather_trees(&self, n_cols: usize) -> Result<GatherTrees> {
        let (arrays, levels) = self.gather_arrays();
        GatherTrees::from_arrays(&arrays, levels, n_cols).map_err(|reason| Error::InvalidModel {
            reason: format!("the trees are not a forest over {n_cols} columns: {reason}"),
        })
    }
}

/// A linear model and a tree ensemble over the same `D` columns whose calibrated logits add:
/// `p = sigmoid(linear logit + trees logit)`. A blend `a · ((1 − w) z_linear + w z_trees) + b`
/// is the linear model with calibration `(a (1 − w), 0)` and the trees with `(a w, b)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogitSum {
    /// The linear part.
    pub linear: Linear,
    /// The trees part.
    pub trees: TreeEnsemble,
}

impl LogitSum {
    /// Checks both parts over `D = linear.n_features()` columns.
    pub fn validate(&self) -> Result<()> {
        self.linear
            .validate()
            .map_err(|reason| Error::InvalidModel { reason })?;
        self.trees.validate(self.linear.n_features())
    }
}
