use super::*;

/// A deterministic generator for test forests (xorshift64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A multiple of 1/8 in [-4, 4), so rows can sit exactly on thresholds.
    fn grid(&mut self) -> f32 {
        self.below(64) as f32 / 8.0 - 4.0
    }
}

fn leaf(a: &mut GatherArrays, value: f32) -> i64 {
    let me = a.feature.len() as i64;
    a.feature.push(0);
    a.threshold.push(0.0);
    a.left.push(me);
    a.right.push(me);
    a.value.push(value);
    me
}

fn grow(rng: &mut Rng, a: &mut GatherArrays, n_cols: usize, depth: usize) -> i64 {
    if depth == 0 || rng.below(5) == 0 {
        let v = rng.grid() / 8.0;
        return leaf(a, v);
    }
    let me = leaf(a, 0.0);
    let (f, t) = (rng.below(n_cols) as i64, rng.grid());
    let l = grow(rng, a, n_cols, depth - 1);
    let r = grow(rng, a, n_cols, depth - 1);
    let i = me as usize;
    (a.feature[i], a.threshold[i], a.left[i], a.right[i]) = (f, t, l, r);
    me
}

fn random_forest(rng: &mut Rng, n_trees: usize, n_cols: usize, depth: usize) -> GatherArrays {
    let mut a = GatherArrays {
        base_logit: rng.grid() / 4.0,
        ..Default::default()
    };
    for _ in 0..n_trees {
        let root = grow(rng, &mut a, n_cols, depth);
        a.roots.push(root);
    }
    a
}

/// The plain definition: walk each tree until a leaf, sum in tree order, add the base, sigmoid.
fn reference(a: &GatherArrays, row: &[f32]) -> f32 {
    let mut sum = 0f32;
    for &root in &a.roots {
        let mut n = root as usize;
        while a.left[n] as usize != n {
            let x = row[a.feature[n] as usize];
            n = if x < a.threshold[n] {
                a.left[n]
            } else {
                a.right[n]
            } as usize;
        }
        sum += a.value[n];
    }
    1.0 / (1.0 + (-(sum + a.base_logit)).exp())
}

/// One split on column 0 at 1.0: left leaf +1, right leaf -1.
fn stump() -> GatherArrays {
    GatherArrays {
        roots: vec![0],
        feature: vec![0, 0, 0],
        threshold: vec![1.0, 0.0, 0.0],
        left: vec![1, 1, 2],
        right: vec![2, 1, 2],
        value: vec![0.0, 1.0, -1.0],
        base_logit: 0.0,
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

#[test]
fn goes_left_only_below_the_threshold_and_sends_nan_right() {
    let ranker = GatherTrees::from_arrays(&stump(), 1, 2).unwrap();
    let rows = [
        0.5,
        9.0,
        1.0,
        9.0,
        f32::NAN,
        9.0,
        f32::NEG_INFINITY,
        9.0,
        f32::INFINITY,
        9.0,
    ];
    let got = ranker.predict_vec(&rows);
    let (left, right) = (sigmoid(1.0), sigmoid(-1.0));
    assert_eq!(got, vec![left, right, right, left, right]);
}

#[test]
fn scores_every_row_of_batches_of_any_size_like_the_plain_walk() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for n_trees in [1, 3, 40] {
        let n_cols = 5;
        let a = random_forest(&mut rng, n_trees, n_cols, 5);
        let ranker = GatherTrees::from_arrays(&a, 5, n_cols).unwrap();
        for n_rows in [0, 1, 7, 8, 9, 17, 64] {
            let rows: Vec<f32> = (0..n_rows * n_cols).map(|_| rng.grid()).collect();
            let got = ranker.predict_vec(&rows);
            let want: Vec<f32> = rows.chunks(n_cols).map(|r| reference(&a, r)).collect();
            assert_eq!(got.len(), n_rows);
            for (g, w) in got.iter().zip(&want) {
                assert!(
                    (g - w).abs() <= 1e-6,
                    "{n_trees} trees, {n_rows} rows: {g} vs {w}"
                );
            }
        }
    }
}

#[test]
fn walking_more_levels_than_the_deepest_tree_changes_nothing() {
    let mut rng = Rng(7);
    let a = random_forest(&mut rng, 10, 3, 3);
    let rows: Vec<f32> = (0..30 * 3).map(|_| rng.grid()).collect();
    let exact = GatherTrees::from_arrays(&a, 3, 3)
        .unwrap()
        .predict_vec(&rows);
    let deeper = GatherTrees::from_arrays(&a, 6, 3)
        .unwrap()
        .predict_vec(&rows);
    assert_eq!(exact, deeper);
}

fn rejected(a: &GatherArrays, levels: usize) -> String {
    GatherTrees::from_arrays(a, levels, 2).expect_err("accepted a malformed forest")
}

#[test]
fn rejects_a_child_index_outside_the_nodes() {
    let mut a = stump();
    a.right[0] = 3;
    assert_eq!(rejected(&a, 1), "node_right[0] = 3 is outside the 3 nodes");
    a.right[0] = -1;
    assert_eq!(rejected(&a, 1), "node_right[0] = -1 is outside the 3 nodes");
}

#[test]
fn rejects_a_root_outside_the_nodes() {
    let mut a = stump();
    a.roots = vec![0, 5];
    assert_eq!(rejected(&a, 1), "roots[1] = 5 is outside the 3 nodes");
}

#[test]
fn rejects_a_cycle_between_branches() {
    let mut a = stump();
    a.feature.push(1);
    a.threshold.push(0.0);
    a.left.push(0);
    a.right.push(2);
    a.value.push(0.0);
    a.left[0] = 3;
    assert_eq!(rejected(&a, 5), "tree 0 has a cycle through node 0");
}

#[test]
fn rejects_a_node_pointing_to_itself_on_one_side() {
    let mut a = stump();
    a.left[0] = 0;
    assert_eq!(
        rejected(&a, 1),
        "node 0 points to itself on one side only (left 0, right 2): a cycle"
    );
}

#[test]
fn rejects_a_split_on_a_column_the_input_does_not_have() {
    let mut a = stump();
    a.feature[0] = 2;
    assert_eq!(
        rejected(&a, 1),
        "node_feature[0] = 2 is not one of the 2 input columns"
    );
}

#[test]
fn rejects_a_tree_deeper_than_the_graph_walks() {
    assert_eq!(
        rejected(&stump(), 0),
        "tree 0 is 1 levels deep but the graph walks 0"
    );
}

#[test]
fn rejects_arrays_of_different_lengths_and_an_empty_forest() {
    let mut a = stump();
    a.value.pop();
    assert_eq!(rejected(&a, 1), "node_value has 2 entries, node_feature 3");
    let mut a = stump();
    a.roots.clear();
    assert_eq!(rejected(&a, 1), "roots is empty: no tree");
}

#[test]
fn rejects_a_non_finite_leaf_or_base() {
    let mut a = stump();
    a.value[2] = f32::NAN;
    assert_eq!(rejected(&a, 1), "leaf 2 has value NaN");
    let mut a = stump();
    a.base_logit = f32::INFINITY;
    assert_eq!(rejected(&a, 1), "base_logit inf is not finite");
}

#[test]
#[should_panic(expected = "are not 2 rows of 2 columns")]
fn predict_panics_when_the_output_does_not_fit_the_rows() {
    let ranker = GatherTrees::from_arrays(&stump(), 1, 2).unwrap();
    ranker.predict(&[0.0; 6], &mut [0.0; 2]);
}
