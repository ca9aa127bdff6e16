//! Deterministic random tree models and input rows, for the exporter's own tests and for the
//! end-to-end tests that compare other evaluators with tract on exported models.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::{Node, Tree, TreeEnsemble};

/// Thresholds are multiples of 1/16 so rows can sit on them exactly in every format.
pub fn random_tree(rng: &mut ChaCha8Rng, d: usize, depth: u32) -> Tree {
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
pub fn grid_rows(
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
