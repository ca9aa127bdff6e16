//! Builds ONNX `ModelProto`s for [`Linear`] and [`TreeEnsemble`]. Both graphs take
//! `features: float[N, D]` and produce `probability: float[N, 1]` = P(class 1).

use tract_onnx::pb::tensor_proto::DataType;
use tract_onnx::pb::{GraphProto, ModelProto, NodeProto, StringStringEntryProto, TensorProto};

use features::gather::names::{
    BASE_LOGIT, NODE_FEATURE, NODE_LEFT, NODE_RIGHT, NODE_THRESHOLD, NODE_VALUE, ONES, ROOTS,
    ZERO_F, ZERO_INDEX,
};
use features::gather::{GATHER_KIND, GatherArrays};

use features::churn::Linear;

use super::model::{LogitSum, Node, TreeEnsemble};
use super::proto::{self, BATCH_DIM, Dim};
use crate::error::{Error, Result};

/// Name of the single graph input, `float[N, D]` (shared with the gather-tree reader).
pub const INPUT_NAME: &str = features::gather::names::INPUT;
/// Name of the single graph output, `float[N, 1]` holding P(class 1).
pub const OUTPUT_NAME: &str = features::gather::names::OUTPUT;
/// `producer_name` written into every exported model.
pub const PRODUCER_NAME: &str = "tiefen";

/// Metadata keys the exporter writes itself; [`ExportMeta::extra`] must not reuse them.
pub const RESERVED_KEYS: [&str; 6] = [
    "model_name",
    "version",
    "schema_hash",
    "feature_names",
    "n_features",
    "model_kind",
];

/// Provenance written to `ModelProto.metadata_props` so serving can check what it loads.
///
/// Keys written: `model_name`, `version`, `schema_hash`, `feature_names` (a JSON array of
/// strings, in input column order), `n_features`, `model_kind` (`logistic`, `tree_ensemble`,
/// `tree_ensemble_gather` or `logit_sum`), then every `extra` pair verbatim.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExportMeta {
    /// Logical model name, e.g. `churn`; also used as the graph name.
    pub model_name: String,
    /// Model version string (free-form; stored as-is).
    pub version: String,
    /// Hash of the feature schema (names and order) the model was trained on.
    pub schema_hash: String,
    /// Feature names in input column order; its length is the input width `D`.
    pub feature_names: Vec<String>,
    /// Additional key/value pairs (metrics, fingerprints…); keys must not be in [`RESERVED_KEYS`].
    pub extra: Vec<(String, String)>,
}

/// Exports a standardised logistic model with standard opset-17 ops only:
/// `Sub(offsets) → Div(scales) → MatMul(w) → Add(intercept) → Sigmoid`.
///
/// The Platt calibration is folded into the weights and intercept (`a·w`, `a·c + b`), which
/// is exact in real arithmetic. `meta.feature_names.len()` must equal the number of weights.
pub fn export_logistic(model: &Linear, meta: &ExportMeta) -> Result<ModelProto> {
    model
        .validate()
        .map_err(|reason| Error::InvalidModel { reason })?;
    let d = model.n_features();
    check_feature_names(meta, d)?;
    let (nodes, initializer) = linear_logit(model, "logit");
    Ok(probability_of_logit(
        meta,
        d,
        nodes,
        initializer,
        "logistic",
    ))
}

/// The model whose output is the `Sigmoid` of the `logit` that `nodes` compute (standard
/// operators only).
fn probability_of_logit(
    meta: &ExportMeta,
    d: usize,
    mut nodes: Vec<NodeProto>,
    initializer: Vec<TensorProto>,
    kind: &str,
) -> ModelProto {
    nodes.push(named(
        proto::node("Sigmoid", &["logit"], &[OUTPUT_NAME]),
        OUTPUT_NAME,
    ));
    model_proto(graph(meta, d, nodes, initializer), meta, kind, false)
}

/// The nodes and initializers computing `model`'s calibrated logit, `float[N, 1]`, into `logit`.
fn linear_logit(model: &Linear, logit: &str) -> (Vec<NodeProto>, Vec<TensorProto>) {
    let d = model.n_features();
    let (a, b) = model.calibration.unwrap_or((1.0, 0.0));
    let weights = model.weights.iter().map(|w| a * w).collect();
    let bias = a * model.intercept + b;
    let mut initializer = vec![
        proto::tensor_f32("offsets", &[d as i64], model.offsets.clone()),
        proto::tensor_f32("scales", &[d as i64], model.scales.clone()),
        proto::tensor_f32("weights", &[d as i64, 1], weights),
        proto::tensor_f32("bias", &[1], vec![bias]),
    ];
    let mut nodes = Vec::new();
    let mut centre_input = INPUT_NAME;
    if model.log1p.iter().any(|&m| m) {
        let keep: Vec<f32> = model
            .log1p
            .iter()
            .map(|&m| if m { 0.0 } else { 1.0 })
            .collect();
        let take: Vec<f32> = model
            .log1p
            .iter()
            .map(|&m| if m { 1.0 } else { 0.0 })
            .collect();
        initializer.push(proto::tensor_f32("one", &[1], vec![1.0]));
        initializer.push(proto::tensor_f32("keep_mask", &[d as i64], keep));
        initializer.push(proto::tensor_f32("log_mask", &[d as i64], take));
        nodes.extend([
            proto::node("Abs", &[INPUT_NAME], &["abs_x"]),
            proto::node("Add", &["abs_x", "one"], &["one_plus_abs"]),
            proto::node("Log", &["one_plus_abs"], &["log1p_abs"]),
            proto::node("Sign", &[INPUT_NAME], &["sign_x"]),
            proto::node("Mul", &["sign_x", "log1p_abs"], &["signed_log1p"]),
            proto::node("Mul", &[INPUT_NAME, "keep_mask"], &["kept"]),
            proto::node("Mul", &["signed_log1p", "log_mask"], &["logged"]),
            proto::node("Add", &["kept", "logged"], &["transformed"]),
        ]);
        centre_input = "transformed";
    }
    nodes.extend([
        proto::node("Sub", &[centre_input, "offsets"], &["centered"]),
        proto::node("Div", &["centered", "scales"], &["standardized"]),
        proto::node("MatMul", &["standardized", "weights"], &["linear"]),
        proto::node("Add", &["linear", "bias"], &[logit]),
    ]);
    (nodes, initializer)
}

/// Exports a binary tree ensemble as an ONNX-ML `TreeEnsembleClassifier` (opset 3,
/// `post_transform = LOGISTIC`, `classlabels_int64s = [0, 1]`, `BRANCH_LT` splits) followed by
/// a `Slice` keeping column 1 of its `probabilities` output.
///
/// The encoding is the one tract 0.23.9 and onnxruntime read the same way, `probabilities =
/// [1 - p, p]`: leaf weights `a·leaf` all on class id 0 (the "binary" layout of both), no
/// `base_values` (tract insists on one per class, and onnxruntime's two-class path reads such
/// a pair differently), and the logit offset `a·base + b` as one extra single-leaf tree,
/// appended after the model's trees. That leaf also carries a
/// `-f32::MIN_POSITIVE` weight, which f32 addition absorbs, because onnxruntime skips the
/// logistic when every class weight is non-negative. The input width is
/// `meta.feature_names.len()`, which must cover every feature index the trees use.
pub fn export_tree_ensemble(model: &TreeEnsemble, meta: &ExportMeta) -> Result<ModelProto> {
    let d = checked_tree_width(model, meta)?;
    let (a, b) = model.calibration.unwrap_or((1.0, 0.0));
    let base = a * model.base_score + b;
    let classifier = tree_classifier_node(model, a, Some(base), "LOGISTIC", "probabilities");
    let slice = proto::node(
        "Slice",
        &["probabilities", "col_start", "col_end", "col_axis"],
        &[OUTPUT_NAME],
    );
    let initializer = vec![
        proto::tensor_i64("col_start", &[1], vec![1]),
        proto::tensor_i64("col_end", &[1], vec![2]),
        proto::tensor_i64("col_axis", &[1], vec![1]),
    ];
    Ok(model_proto(
        graph(meta, d, vec![classifier, slice], initializer),
        meta,
        "tree_ensemble",
        true,
    ))
}

/// Exports `model` with the same input, output and probabilities as [`export_tree_ensemble`],
/// but in standard ONNX operators only, all trees walked in parallel: the node arrays of every
/// tree are concatenated, leaves point to themselves, and `depth` rounds of
/// `Gather` (node's feature and threshold) → `GatherElements` (the row's value) → `Less` →
/// `Where` (left or right child) move each tree one level down; the leaves' values are then
/// gathered, summed by a `MatMul` with ones, shifted by the base score and passed through a
/// `Sigmoid`.
///
/// `Less` sends a `NaN` right at every split, whatever the tree's `missing_goes_left`: the
/// graph is [`TreeEnsemble::gather_trees`] (the evaluator training and serving share), which
/// follows each split's `missing_goes_left` on rows without `NaN` only, such as every design
/// and ranker row.
///
/// Why not `TreeEnsembleClassifier`: tract 0.23.9 decodes every leaf it reaches through a
/// failing `TryFrom` that builds an `anyhow` error (with a captured backtrace when
/// `RUST_BACKTRACE` is set), and finds a leaf's weights by stepping through every earlier
/// leaf; 100 trees of depth 5 cost 50 µs to over 1 ms per row. Rankers score hundreds of rows
/// per member, so they use this form.
pub fn export_tree_ensemble_gather(model: &TreeEnsemble, meta: &ExportMeta) -> Result<ModelProto> {
    let d = checked_tree_width(model, meta)?;
    let (nodes, initializer) = gather_logit(model, "logit");
    Ok(probability_of_logit(
        meta,
        d,
        nodes,
        initializer,
        GATHER_KIND,
    ))
}

/// Exports a [`LogitSum`]: the linear model's calibrated logit (as in [`export_logistic`]) plus
/// the trees' (walked as in [`export_tree_ensemble_gather`], so `NaN` goes right at every
/// split), then `Sigmoid`. Standard opset-17 operators only.
pub fn export_logit_sum(model: &LogitSum, meta: &ExportMeta) -> Result<ModelProto> {
    model.validate()?;
    let d = model.linear.n_features();
    check_feature_names(meta, d)?;
    checked_tree_width(&model.trees, meta)?;
    let (mut nodes, mut initializer) = linear_logit(&model.linear, "linear_logit");
    let (tree_nodes, tree_initializer) = gather_logit(&model.trees, "trees_logit");
    nodes.extend(tree_nodes);
    initializer.extend(tree_initializer);
    nodes.push(named(
        proto::node("Add", &["linear_logit", "trees_logit"], &["logit"]),
        "logit",
    ));
    Ok(probability_of_logit(
        meta,
        d,
        nodes,
        initializer,
        "logit_sum",
    ))
}

/// The nodes and initializers computing the trees' calibrated logit, `float[N, 1]`, into
/// `logit` (see [`export_tree_ensemble_gather`]).
fn gather_logit(model: &TreeEnsemble, logit: &str) -> (Vec<NodeProto>, Vec<TensorProto>) {
    let (arrays, depth) = model.gather_arrays();
    let GatherArrays {
        roots,
        feature: feat,
        threshold: thr,
        left,
        right,
        value,
        base_logit,
    } = arrays;
    let n_nodes = feat.len() as i64;
    let n_trees = roots.len() as i64;
    let mut nodes = Vec::new();
    let mut current = ROOTS.to_string();
    for level in 0..depth {
        let name = |s: &str| format!("l{level}_{s}");
        let (f, x, t, go, l, r, next) = (
            name("feature"),
            name("x"),
            name("threshold"),
            name("go_left"),
            name("left"),
            name("right"),
            name("node"),
        );
        nodes.push(named(
            proto::node("Gather", &[NODE_FEATURE, &current], &[&f]),
            &f,
        ));
        if level == 0 {
            let mut g = proto::node("Gather", &[INPUT_NAME, &f], &[&x]);
            g.attribute = vec![proto::attr_int("axis", 1)];
            nodes.push(named(g, &x));
        } else {
            let mut g = proto::node("GatherElements", &[INPUT_NAME, &f], &[&x]);
            g.attribute = vec![proto::attr_int("axis", 1)];
            nodes.push(named(g, &x));
        }
        nodes.push(named(
            proto::node("Gather", &[NODE_THRESHOLD, &current], &[&t]),
            &t,
        ));
        nodes.push(named(proto::node("Less", &[&x, &t], &[&go]), &go));
        nodes.push(named(
            proto::node("Gather", &[NODE_LEFT, &current], &[&l]),
            &l,
        ));
        nodes.push(named(
            proto::node("Gather", &[NODE_RIGHT, &current], &[&r]),
            &r,
        ));
        nodes.push(named(proto::node("Where", &[&go, &l, &r], &[&next]), &next));
        current = next;
    }
    if depth == 0 {
        // Every tree is a single leaf: broadcast the roots to one row per input row.
        let mut g = proto::node("Gather", &[INPUT_NAME, ZERO_INDEX], &["zero_col"]);
        g.attribute = vec![proto::attr_int("axis", 1)];
        nodes.push(named(g, "zero_col"));
        nodes.push(named(
            proto::node("Mul", &["zero_col", ZERO_F], &["zeros"]),
            "zeros",
        ));
        nodes.push(named(
            proto::node("Cast", &["zeros"], &["zeros_i"]),
            "zeros_i",
        ));
        if let Some(n) = nodes.last_mut() {
            n.attribute = vec![proto::attr_int("to", DataType::Int64 as i64)];
        }
        nodes.push(named(
            proto::node("Add", &["zeros_i", ROOTS], &["leaves"]),
            "leaves",
        ));
        current = "leaves".into();
    }
    nodes.push(named(
        proto::node("Gather", &[NODE_VALUE, &current], &["leaf_values"]),
        "leaf_values",
    ));
    nodes.push(named(
        proto::node("MatMul", &["leaf_values", ONES], &["leaf_sum"]),
        "leaf_sum",
    ));
    nodes.push(named(
        proto::node("Add", &["leaf_sum", "base_logit"], &[logit]),
        logit,
    ));
    let initializer = vec![
        proto::tensor_i64(ROOTS, &[n_trees], roots),
        proto::tensor_i64(NODE_FEATURE, &[n_nodes], feat),
        proto::tensor_f32(NODE_THRESHOLD, &[n_nodes], thr),
        proto::tensor_i64(NODE_LEFT, &[n_nodes], left),
        proto::tensor_i64(NODE_RIGHT, &[n_nodes], right),
        proto::tensor_f32(NODE_VALUE, &[n_nodes], value),
        proto::tensor_f32(ONES, &[n_trees, 1], vec![1.0; n_trees as usize]),
        proto::tensor_f32(BASE_LOGIT, &[1, 1], vec![base_logit]),
        proto::tensor_i64(ZERO_INDEX, &[1], vec![0]),
        proto::tensor_f32(ZERO_F, &[1], vec![0.0]),
    ];
    (nodes, initializer)
}

fn named(mut node: NodeProto, name: &str) -> NodeProto {
    node.name = format!("node_{name}");
    node
}

/// A `TreeEnsembleClassifier` node over `model`'s trees (leaf weights times `a`, all on class
/// 0, the binary layout), with an extra single-leaf tree carrying `bias` when given.
fn tree_classifier_node(
    model: &TreeEnsemble,
    a: f32,
    bias: Option<f32>,
    post_transform: &str,
    probabilities: &str,
) -> NodeProto {
    let (mut tree_ids, mut node_ids, mut feature_ids, mut modes) = (vec![], vec![], vec![], vec![]);
    let (mut values, mut true_ids, mut false_ids, mut missing) = (vec![], vec![], vec![], vec![]);
    let (mut c_tree, mut c_node, mut c_weight) = (vec![], vec![], vec![]);
    for (t, tree) in model.trees.iter().enumerate() {
        for (n, node) in tree.nodes.iter().enumerate() {
            tree_ids.push(t as i64);
            node_ids.push(n as i64);
            match node {
                Node::Branch {
                    feature,
                    threshold,
                    left,
                    right,
                    missing_goes_left,
                } => {
                    feature_ids.push(*feature as i64);
                    modes.push("BRANCH_LT");
                    values.push(*threshold);
                    true_ids.push(*left as i64);
                    false_ids.push(*right as i64);
                    missing.push(i64::from(*missing_goes_left));
                }
                Node::Leaf { value } => {
                    feature_ids.push(0);
                    modes.push("LEAF");
                    values.push(0.0);
                    true_ids.push(0);
                    false_ids.push(0);
                    missing.push(0);
                    c_tree.push(t as i64);
                    c_node.push(n as i64);
                    c_weight.push(a * value);
                }
            }
        }
    }
    if let Some(base) = bias {
        let bias_tree = model.trees.len() as i64;
        tree_ids.push(bias_tree);
        node_ids.push(0);
        feature_ids.push(0);
        modes.push("LEAF");
        values.push(0.0);
        true_ids.push(0);
        false_ids.push(0);
        missing.push(0);
        for weight in [base, -f32::MIN_POSITIVE] {
            c_tree.push(bias_tree);
            c_node.push(0);
            c_weight.push(weight);
        }
    }
    let c_class = vec![0i64; c_weight.len()];
    let mut node = proto::node(
        "TreeEnsembleClassifier",
        &[INPUT_NAME],
        &["label", probabilities],
    );
    node.domain = proto::ML_DOMAIN.into();
    node.attribute = vec![
        proto::attr_ints("nodes_treeids", tree_ids),
        proto::attr_ints("nodes_nodeids", node_ids),
        proto::attr_ints("nodes_featureids", feature_ids),
        proto::attr_strings("nodes_modes", modes),
        proto::attr_floats("nodes_values", values),
        proto::attr_ints("nodes_truenodeids", true_ids),
        proto::attr_ints("nodes_falsenodeids", false_ids),
        proto::attr_ints("nodes_missing_value_tracks_true", missing),
        proto::attr_ints("class_treeids", c_tree),
        proto::attr_ints("class_nodeids", c_node),
        proto::attr_ints("class_ids", c_class),
        proto::attr_floats("class_weights", c_weight),
        proto::attr_ints("classlabels_int64s", vec![0, 1]),
        proto::attr_string("post_transform", post_transform),
    ];
    node
}

/// The input width of a tree export (`meta.feature_names.len()`), after checking the names and
/// the trees against it.
fn checked_tree_width(model: &TreeEnsemble, meta: &ExportMeta) -> Result<usize> {
    let d = meta.feature_names.len();
    if d == 0 {
        return Err(Error::InvalidModel {
            reason: "feature_names is empty".into(),
        });
    }
    check_feature_names(meta, d)?;
    model.validate(d)?;
    Ok(d)
}

fn check_feature_names(meta: &ExportMeta, d: usize) -> Result<()> {
    if meta.feature_names.len() != d {
        return Err(Error::FeatureCountMismatch {
            expected: d,
            got: meta.feature_names.len(),
        });
    }
    match meta
        .extra
        .iter()
        .find(|(k, _)| RESERVED_KEYS.contains(&k.as_str()))
    {
        Some((k, _)) => Err(Error::InvalidModel {
            reason: format!("extra metadata key {k:?} is reserved"),
        }),
        None => Ok(()),
    }
}

fn graph(
    meta: &ExportMeta,
    d: usize,
    node: Vec<NodeProto>,
    initializer: Vec<TensorProto>,
) -> GraphProto {
    let batch = Dim::Symbolic(BATCH_DIM);
    GraphProto {
        name: meta.model_name.clone(),
        node,
        initializer,
        input: vec![proto::value_info(
            INPUT_NAME,
            DataType::Float,
            &[batch, Dim::Fixed(d as i64)],
        )],
        output: vec![proto::value_info(
            OUTPUT_NAME,
            DataType::Float,
            &[Dim::Symbolic(BATCH_DIM), Dim::Fixed(1)],
        )],
        ..Default::default()
    }
}

fn model_proto(graph: GraphProto, meta: &ExportMeta, kind: &str, uses_ml: bool) -> ModelProto {
    let mut opset_import = vec![proto::opset("", proto::OPSET)];
    if uses_ml {
        opset_import.push(proto::opset(proto::ML_DOMAIN, proto::ML_OPSET));
    }
    let names =
        serde_json::to_string(&meta.feature_names).expect("a list of strings always serialises");
    let own = [
        ("model_name", meta.model_name.clone()),
        ("version", meta.version.clone()),
        ("schema_hash", meta.schema_hash.clone()),
        ("feature_names", names),
        ("n_features", meta.feature_names.len().to_string()),
        ("model_kind", kind.to_string()),
    ];
    let metadata_props = own
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .chain(meta.extra.iter().cloned())
        .map(|(key, value)| StringStringEntryProto { key, value })
        .collect();
    ModelProto {
        ir_version: proto::IR_VERSION,
        opset_import,
        producer_name: PRODUCER_NAME.into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        doc_string: format!("{} {}", meta.model_name, meta.version),
        graph: Some(graph),
        metadata_props,
        ..Default::default()
    }
}
