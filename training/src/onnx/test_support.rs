//! Deterministic model and input generators shared by the ONNX unit tests.

use std::path::Path;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use features::churn::{ChurnEvaluator, ScoringModel};

pub(super) use super::testing::{grid_rows, random_tree};
use super::*;

/// Largest accepted difference between two probabilities.
pub(super) const TOL: f32 = 1e-5;

pub(super) fn meta(name: &str, d: usize) -> ExportMeta {
    ExportMeta {
        model_name: name.into(),
        version: "2024.1".into(),
        schema_hash: "feedbeef".into(),
        feature_names: (0..d).map(|i| format!("f{i}")).collect(),
        extra: vec![("auc".into(), "0.81".into())],
    }
}

pub(super) fn random_linear(rng: &mut ChaCha8Rng, d: usize) -> Linear {
    Linear {
        offsets: (0..d).map(|_| rng.random_range(-2.0..2.0)).collect(),
        scales: (0..d).map(|_| rng.random_range(0.2..3.0)).collect(),
        weights: (0..d).map(|_| rng.random_range(-1.5..1.5)).collect(),
        intercept: rng.random_range(-1.0..1.0),
        calibration: Some((rng.random_range(0.5..1.5), rng.random_range(-0.5..0.5))),
        log1p: Vec::new(),
    }
}

pub(super) fn random_ensemble(rng: &mut ChaCha8Rng, d: usize, n_trees: usize) -> TreeEnsemble {
    TreeEnsemble {
        trees: (0..n_trees).map(|_| random_tree(rng, d, 4)).collect(),
        base_score: rng.random_range(-1.0..1.0),
        calibration: Some((rng.random_range(0.5..1.5), rng.random_range(-0.5..0.5))),
    }
}

/// The shared churn evaluator's probabilities for `model` on `rows` of `d` columns.
pub(super) fn evaluated(model: ScoringModel, d: usize, rows: &[f32]) -> Vec<f32> {
    ChurnEvaluator::new(&model, d)
        .expect("a model over d columns")
        .predict(rows)
}

/// [`evaluated`] for trees alone.
pub(super) fn tree_probs(model: &TreeEnsemble, d: usize, rows: &[f32]) -> Vec<f32> {
    let trees = model.tree_arrays();
    evaluated(ScoringModel::BoostedTrees { trees }, d, rows)
}

/// [`evaluated`] for the sum of a linear model and trees.
pub(super) fn sum_probs(model: &LogitSum, rows: &[f32]) -> Vec<f32> {
    let (linear, trees) = (model.linear.clone(), model.trees.tree_arrays());
    let d = linear.n_features();
    evaluated(ScoringModel::LogisticTreesBlend { linear, trees }, d, rows)
}

/// This test's own walk of the trees, honouring each split's `missing_goes_left` (no
/// evaluator of tiefen sees a `NaN`: design rows are checked to be finite), in `f64`.
pub(super) fn walk_with_missing(model: &TreeEnsemble, row: &[f32]) -> f32 {
    let leaf = |tree: &Tree| {
        let mut ix = 0;
        loop {
            match &tree.nodes[ix] {
                Node::Leaf { value } => return f64::from(*value),
                Node::Branch {
                    feature,
                    threshold,
                    left,
                    right,
                    missing_goes_left,
                } => {
                    let x = row[*feature];
                    let go_left = if x.is_nan() {
                        *missing_goes_left
                    } else {
                        x < *threshold
                    };
                    ix = if go_left { *left } else { *right };
                }
            }
        }
    };
    let (a, b) = model.calibration.unwrap_or((1.0, 0.0));
    let sum: f64 = model.trees.iter().map(leaf).sum();
    let z = f64::from(a) * (f64::from(model.base_score) + sum) + f64::from(b);
    (1.0 / (1.0 + (-z).exp())) as f32
}

pub(super) fn export_and_load(
    proto: &tract_onnx::pb::ModelProto,
    dir: &Path,
    name: &str,
    d: usize,
) -> LoadedModel {
    let path = dir.join(name);
    write_model(proto, &path).expect("write");
    LoadedModel::load(&path, d).expect("load")
}

pub(super) fn assert_close(got: &[f32], want: impl Iterator<Item = f32>, what: &str) {
    let want: Vec<f32> = want.collect();
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!(
            (g - w).abs() <= TOL,
            "{what} row {i}: tract {g} vs reference {w}"
        );
    }
}
