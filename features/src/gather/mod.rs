//! The one evaluator of the recommendation rankers, used by training (lists, evaluation,
//! the answer snapshot) and by serving. A ranker is exported as an ONNX graph in the
//! gather-tree form (`model_kind = tree_ensemble_gather`): the graph walks all trees in
//! parallel, one level per `Gather` → `Gather`/`GatherElements` → `Less` → `Where` round, then
//! computes `sigmoid(Σ node_value[leaf] + base_logit)`. Its initializers are the
//! [`GatherArrays`] (named by the constants below, which the exporter and the reader share);
//! [`GatherTrees`] computes the same function from them without tract: at every level each tree goes
//! to `node_left` when `x[node_feature] < node_threshold` (as ONNX `Less`: a `NaN` on either
//! side compares false and goes right), leaves point to themselves, and the leaf values are
//! summed in tree order.
//!
//! [`GatherTrees::from_arrays`] checks that the arrays are a forest (children in range, leaves
//! and only leaves pointing to themselves, no cycle, every tree reaching its leaves within the
//! graph's levels), so evaluation cannot index out of bounds.

/// `metadata_props["model_kind"]` of a ranker exported in the gather-tree form.
pub const GATHER_KIND: &str = "tree_ensemble_gather";

/// Names of the graph's input, output and initializers.
pub mod names {
    /// The input rows, `float[N, n_cols]`.
    pub const INPUT: &str = "features";
    /// The output probabilities, `float[N, 1]`.
    pub const OUTPUT: &str = "probability";
    /// `int64[T]`: each tree's root.
    pub const ROOTS: &str = "roots";
    /// `int64[M]`: the column each node tests.
    pub const NODE_FEATURE: &str = "node_feature";
    /// `float[M]`: each node's threshold.
    pub const NODE_THRESHOLD: &str = "node_threshold";
    /// `int64[M]`: the node taken when `x < threshold`.
    pub const NODE_LEFT: &str = "node_left";
    /// `int64[M]`: the node taken otherwise.
    pub const NODE_RIGHT: &str = "node_right";
    /// `float[M]`: each leaf's logit contribution.
    pub const NODE_VALUE: &str = "node_value";
    /// `float[1, 1]`: the base logit.
    pub const BASE_LOGIT: &str = "base_logit";
    /// `float[T, 1]` of ones: sums the leaf values by a `MatMul`.
    pub const ONES: &str = "ones";
    /// `int64[1]` = 0: gathers column 0 to build the per-row root indices.
    pub const ZERO_INDEX: &str = "zero_index";
    /// `float[1]` = 0: zeroes that column.
    pub const ZERO_F: &str = "zero_f";
}

/// Rows scored together: each tree's nodes are read once per block, and the block's walks
/// are independent, so the processor overlaps them.
const BLOCK: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq)]
struct TreeNode {
    feature: u32,
    threshold: f32,
    /// `[right, left]`, indexed by `x < threshold`; a leaf has itself on both sides.
    child: [u32; 2],
}

/// A gather-tree ranker, evaluated natively. `predict` is `&self` and allocates nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct GatherTrees {
    nodes: Vec<TreeNode>,
    values: Vec<f32>,
    roots: Vec<u32>,
    levels: usize,
    base_logit: f32,
    n_cols: usize,
}

/// The initializers of a gather-tree graph, as stored in the file (and, for the churn model,
/// in `churn.json`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GatherArrays {
    /// `roots: int64[T]`, the first node of each tree.
    pub roots: Vec<i64>,
    /// `node_feature: int64[M]`, the column a branch tests (0 on leaves).
    pub feature: Vec<i64>,
    /// `node_threshold: float[M]`.
    pub threshold: Vec<f32>,
    /// `node_left: int64[M]`, the node taken when `x < threshold` (the node itself on leaves).
    pub left: Vec<i64>,
    /// `node_right: int64[M]`, the node taken otherwise (the node itself on leaves).
    pub right: Vec<i64>,
    /// `node_value: float[M]`, the logit contribution of a leaf (calibration slope included).
    pub value: Vec<f32>,
    /// `base_logit: float[1, 1]`.
    pub base_logit: f32,
}

impl GatherTrees {
    /// Builds the evaluator from the arrays of a graph that walks `levels` levels, checking
    /// that they form a forest over `n_cols` columns; the error says what is wrong.
    pub fn from_arrays(
        a: &GatherArrays,
        levels: usize,
        n_cols: usize,
    ) -> Result<GatherTrees, String> {
        let m = a.feature.len();
        for (name, len) in [
            ("node_threshold", a.threshold.len()),
            ("node_left", a.left.len()),
            ("node_right", a.right.len()),
            ("node_value", a.value.len()),
        ] {
            if len != m {
                return Err(format!("{name} has {len} entries, node_feature {m}"));
            }
        }
        if a.roots.is_empty() {
            return Err("roots is empty: no tree".into());
        }
        if m > u32::MAX as usize {
            return Err(format!("{m} nodes is more than this evaluator indexes"));
        }
        let index = |name: &str, i: usize, v: i64| match usize::try_from(v) {
            Ok(ix) if ix < m => Ok(ix as u32),
            _ => Err(format!("{name}[{i}] = {v} is outside the {m} nodes")),
        };
        let mut nodes = Vec::with_capacity(m);
        for i in 0..m {
            let left = index("node_left", i, a.left[i])?;
            let right = index("node_right", i, a.right[i])?;
            let leaf = left as usize == i || right as usize == i;
            if leaf && left != right {
                return Err(format!(
                    "node {i} points to itself on one side only (left {left}, right {right}): a cycle"
                ));
            }
            if leaf && !a.value[i].is_finite() {
                return Err(format!("leaf {i} has value {}", a.value[i]));
            }
            let feature = match usize::try_from(a.feature[i]) {
                Ok(f) if f < n_cols => f as u32,
                _ if leaf => 0,
                _ => {
                    return Err(format!(
                        "node_feature[{i}] = {} is not one of the {n_cols} input columns",
                        a.feature[i]
                    ));
                }
            };
            nodes.push(TreeNode {
                feature,
                threshold: a.threshold[i],
                child: [right, left],
            });
        }
        let roots = a
            .roots
            .iter()
            .enumerate()
            .map(|(t, &r)| index("roots", t, r))
            .collect::<Result<Vec<u32>, String>>()?;
        let depths = depths(&nodes, &roots)?;
        if let Some((t, d)) = depths.iter().enumerate().find(|(_, d)| **d > levels) {
            return Err(format!(
                "tree {t} is {d} levels deep but the graph walks {levels}"
            ));
        }
        if !a.base_logit.is_finite() {
            return Err(format!("base_logit {} is not finite", a.base_logit));
        }
        Ok(GatherTrees {
            nodes,
            values: a.value.clone(),
            roots,
            levels,
            base_logit: a.base_logit,
            n_cols,
        })
    }

    /// Columns per row.
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// Trees in the ensemble.
    pub fn n_trees(&self) -> usize {
        self.roots.len()
    }

    /// Levels the graph walks (the deepest tree's depth for a file `tiefen-train` wrote).
    pub fn levels(&self) -> usize {
        self.levels
    }

    /// Writes the probability of each row of `rows` (row-major, [`GatherTrees::n_cols`] columns)
    /// into `out`: `sigmoid` of [`GatherTrees::logits`].
    ///
    /// # Panics
    /// If `rows.len() != out.len() * n_cols`.
    pub fn predict(&self, rows: &[f32], out: &mut [f32]) {
        self.logits(rows, out);
        for o in out.iter_mut() {
            *o = 1.0 / (1.0 + (-*o).exp());
        }
    }

    /// Writes the logit `Σ node_value[leaf] + base_logit` (summed in `f32`, in tree order) of
    /// each row of `rows` (row-major, [`GatherTrees::n_cols`] columns) into `out`.
    ///
    /// # Panics
    /// If `rows.len() != out.len() * n_cols`.
    pub fn logits(&self, rows: &[f32], out: &mut [f32]) {
        let w = self.n_cols;
        assert_eq!(
            rows.len(),
            out.len() * w,
            "{} values are not {} rows of {w} columns",
            rows.len(),
            out.len()
        );
        for (block, out) in rows.chunks(BLOCK * w).zip(out.chunks_mut(BLOCK)) {
            let k = out.len();
            let mut sums = [0f32; BLOCK];
            for &root in &self.roots {
                let mut at = [root; BLOCK];
                for _ in 0..self.levels {
                    for (j, node_ix) in at.iter_mut().enumerate().take(k) {
                        let node = self.nodes[*node_ix as usize];
                        let x = block[j * w + node.feature as usize];
                        *node_ix = node.child[usize::from(x < node.threshold)];
                    }
                }
                for (sum, &leaf) in sums.iter_mut().zip(&at).take(k) {
                    *sum += self.values[leaf as usize];
                }
            }
            for (o, sum) in out.iter_mut().zip(sums) {
                *o = sum + self.base_logit;
            }
        }
    }

    /// [`GatherTrees::predict`] into a new vector; `rows.len()` must be a multiple of `n_cols`.
    pub fn predict_vec(&self, rows: &[f32]) -> Vec<f32> {
        let mut out = vec![0f32; rows.len() / self.n_cols];
        self.predict(rows, &mut out);
        out
    }
}

/// Each root's depth (branches on its longest path), or the cycle found.
fn depths(nodes: &[TreeNode], roots: &[u32]) -> Result<Vec<usize>, String> {
    const UNSEEN: usize = usize::MAX;
    const ON_PATH: usize = usize::MAX - 1;
    let mut depth = vec![UNSEEN; nodes.len()];
    let mut stack: Vec<(usize, bool)> = Vec::new();
    for (t, &root) in roots.iter().enumerate() {
        stack.push((root as usize, false));
        while let Some((n, expanded)) = stack.pop() {
            let [r, l] = nodes[n].child.map(|c| c as usize);
            if expanded {
                depth[n] = 1 + depth[l].max(depth[r]);
                continue;
            }
            match depth[n] {
                ON_PATH => return Err(format!("tree {t} has a cycle through node {n}")),
                UNSEEN if l == n => depth[n] = 0,
                UNSEEN => {
                    depth[n] = ON_PATH;
                    stack.extend([(n, true), (l, false), (r, false)]);
                }
                _ => {}
            }
        }
    }
    Ok(roots.iter().map(|&r| depth[r as usize]).collect())
}

#[cfg(test)]
mod tests;
