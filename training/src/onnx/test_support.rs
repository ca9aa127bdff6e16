//! Deterministic model and input generators shared by the ONNX unit tests.

use std::path::Path;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

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

pub(super) fn random_linear(rng: &mut ChaCha8Rng, d: usize) -> LinearModel {
    LinearModel {
        offsets: (0..d).map(|_| rng.random_range(-2.0..2.0)).collect(),
        scales: (0..d).map(|_| rng.random_range(0.2..3.0)).collect(),
        weights: (0..d).map(|_| rng.random_range(-1.5..1.5)).collect(),
        intercept: rng.random_range(-1.0..1.0),
        calibration: Some((rng.random_range(0.5..1.5), rng.random_range(-0.5..0.5))),
        log1p: Vec::new(),
    }
}

/// Thresholds are multiples of 1/16 so rows can sit on them exactly in every format.
pub(super) fn random_tree(rng: &mut ChaCha8Rng, d: usize, depth: u32) -> Tree {
    fn grow(rng: &mut ChaCha8Rng, nodes: &mut Vec<Node>, d: usize, depth: u32) -> usize {
        let ix = nodes.len();
        if depth == 0 || rng.random_bool(0.2) {
            nodes.push(Node::Leaf {
                value: rng.random_range(-0.5f32..0.5),
            });
            return ix;
        }
        nodes.push(Node::Leaf { value: 0.0 });
        let (feature, threshold) = (
            rng.random_range(0..d),
            rng.random_range(-64i32..64) as f32 / 16.0,
        );
        let missing_goes_left = rng.random_bool(0.5);
        let left = grow(rng, nodes, d, depth - 1);
        let right = grow(rng, nodes, d, depth - 1);
        nodes[ix] = Node::Branch {
            feature,
            threshold,
            left,
            right,
            missing_goes_left,
        };
        ix
    }
    let mut nodes = vec![];
    grow(rng, &mut nodes, d, depth);
    Tree { nodes }
}

pub(super) fn random_ensemble(rng: &mut ChaCha8Rng, d: usize, n_trees: usize) -> TreeEnsemble {
    TreeEnsemble {
        trees: (0..n_trees).map(|_| random_tree(rng, d, 4)).collect(),
        base_score: rng.random_range(-1.0..1.0),
        calibration: Some((rng.random_range(0.5..1.5), rng.random_range(-0.5..0.5))),
    }
}

fn thresholds(model: &TreeEnsemble) -> Vec<(usize, f32)> {
    let nodes = model.trees.iter().flat_map(|t| &t.nodes);
    nodes
        .filter_map(|n| match n {
            Node::Branch {
                feature, threshold, ..
            } => Some((*feature, *threshold)),
            Node::Leaf { .. } => None,
        })
        .collect()
}

/// Rows on the 1/64 grid in [-5, 5]; with `model`, about a third of the cells are set exactly
/// to a threshold the ensemble splits that feature on.
pub(super) fn grid_rows(
    rng: &mut ChaCha8Rng,
    n: usize,
    d: usize,
    model: Option<&TreeEnsemble>,
) -> Vec<f32> {
    let splits = model.map(thresholds).unwrap_or_default();
    let mut rows: Vec<f32> = (0..n * d)
        .map(|_| rng.random_range(-320i32..=320) as f32 / 64.0)
        .collect();
    if !splits.is_empty() {
        for _ in 0..n * d / 3 {
            let (feature, threshold) = splits[rng.random_range(0..splits.len())];
            rows[rng.random_range(0..n) * d + feature] = threshold;
        }
    }
    rows
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
