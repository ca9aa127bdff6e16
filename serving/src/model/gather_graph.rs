//! Reading a ranker file in the gather-tree form: the metadata, the input, every initializer's
//! type and shape, and the node sequence as `tiefen-train` writes it: per level
//! `Gather(node_feature, cur)`, `Gather(features, ·, axis 1)` (first level) or
//! `GatherElements(features, ·, axis 1)`, `Gather(node_threshold, cur)`, `Less`,
//! `Gather(node_left, cur)`, `Gather(node_right, cur)`, `Where`; then
//! `Gather(node_value, cur)`, `MatMul(·, ones)`, `Add(·, base_logit)`, `Sigmoid` into
//! `probability`. A graph of single-leaf trees (no level) broadcasts `roots` to every row
//! with `Gather(features, zero_index)`, `Mul(·, zero_f)`, `Cast(to int64)`, `Add(·, roots)`.

use std::collections::HashSet;

use tract_onnx::pb::attribute_proto::AttributeType;
use tract_onnx::pb::tensor_proto::DataType;
use tract_onnx::pb::{GraphProto, ModelProto, NodeProto, TensorProto};

use features::gather::names::{
    BASE_LOGIT, INPUT, NODE_FEATURE, NODE_LEFT, NODE_RIGHT, NODE_THRESHOLD, NODE_VALUE, ONES,
    OUTPUT, ROOTS, ZERO_F, ZERO_INDEX,
};
use features::gather::{GATHER_KIND, GatherArrays};

struct Cursor<'g> {
    nodes: &'g [NodeProto],
    at: usize,
}

impl<'g> Cursor<'g> {
    fn peek(&self) -> Option<&'g NodeProto> {
        self.nodes.get(self.at)
    }

    /// Consumes the next node, which must be `op(inputs)` in the default domain with one
    /// output and exactly the integer attribute `attr` (or none); returns its output.
    fn expect(
        &mut self,
        op: &str,
        inputs: &[&str],
        attr: Option<(&str, i64)>,
    ) -> Result<&'g str, String> {
        let at = self.at;
        let want = || format!("{op}({})", inputs.join(", "));
        let node = self
            .nodes
            .get(at)
            .ok_or_else(|| format!("the graph ends where node {at} should be {}", want()))?;
        self.at += 1;
        let attr_ok = match (attr, node.attribute.as_slice()) {
            (None, []) => true,
            (Some((name, v)), [a]) => {
                a.name == name && a.r#type == AttributeType::Int as i32 && a.i == v
            }
            _ => false,
        };
        let domain_ok = node.domain.is_empty() || node.domain == "ai.onnx";
        if node.op_type != op
            || !domain_ok
            || node.input != inputs
            || node.output.len() != 1
            || !attr_ok
        {
            return Err(format!(
                "node {at} ({:?}) is {}({}), the gather-tree form has {} there",
                node.name,
                node.op_type,
                node.input.join(", "),
                want()
            ));
        }
        Ok(&node.output[0])
    }
}

/// The number of levels the graph walks, after checking that it is the gather-tree form.
fn levels(graph: &GraphProto) -> Result<usize, String> {
    let mut c = Cursor {
        nodes: &graph.node,
        at: 0,
    };
    let mut current = ROOTS;
    let mut levels = 0;
    while c.peek().is_some_and(|n| {
        n.op_type == "Gather" && n.input.first().is_some_and(|i| i == NODE_FEATURE)
    }) {
        let f = c.expect("Gather", &[NODE_FEATURE, current], None)?;
        let x = match levels {
            0 => c.expect("Gather", &[INPUT, f], Some(("axis", 1)))?,
            _ => c.expect("GatherElements", &[INPUT, f], Some(("axis", 1)))?,
        };
        let t = c.expect("Gather", &[NODE_THRESHOLD, current], None)?;
        let go_left = c.expect("Less", &[x, t], None)?;
        let l = c.expect("Gather", &[NODE_LEFT, current], None)?;
        let r = c.expect("Gather", &[NODE_RIGHT, current], None)?;
        current = c.expect("Where", &[go_left, l, r], None)?;
        levels += 1;
    }
    if levels == 0 {
        let col = c.expect("Gather", &[INPUT, ZERO_INDEX], Some(("axis", 1)))?;
        let zeros = c.expect("Mul", &[col, ZERO_F], None)?;
        let zeros = c.expect("Cast", &[zeros], Some(("to", DataType::Int64 as i64)))?;
        current = c.expect("Add", &[zeros, ROOTS], None)?;
    }
    let leaf_values = c.expect("Gather", &[NODE_VALUE, current], None)?;
    let sum = c.expect("MatMul", &[leaf_values, ONES], None)?;
    let logit = c.expect("Add", &[sum, BASE_LOGIT], None)?;
    let p = c.expect("Sigmoid", &[logit], None)?;
    if p != OUTPUT || graph.output.len() != 1 || graph.output[0].name != OUTPUT {
        return Err(format!("the graph's only output must be {OUTPUT:?}"));
    }
    if c.at != graph.node.len() {
        return Err(format!(
            "the graph has {} nodes after its output",
            graph.node.len() - c.at
        ));
    }
    check_names(graph)?;
    Ok(levels)
}

/// Every value has one producer: initializers, the input and node outputs do not share names.
fn check_names(graph: &GraphProto) -> Result<(), String> {
    let mut seen = HashSet::new();
    let names = graph
        .initializer
        .iter()
        .map(|t| t.name.as_str())
        .chain(graph.input.iter().map(|i| i.name.as_str()))
        .chain(
            graph
                .node
                .iter()
                .flat_map(|n| n.output.iter().map(String::as_str)),
        );
    for name in names {
        if !seen.insert(name) {
            return Err(format!("the name {name:?} is defined twice in the graph"));
        }
    }
    Ok(())
}

/// The arrays of a gather-tree model for rows of `n_cols` columns and the levels its graph
/// walks, after checking the metadata, the input, the node sequence and every initializer's
/// type and shape.
pub(super) fn read(proto: &ModelProto, n_cols: usize) -> Result<(GatherArrays, usize), String> {
    let kind = proto
        .metadata_props
        .iter()
        .find(|p| p.key == "model_kind")
        .map(|p| p.value.as_str());
    if kind != Some(GATHER_KIND) {
        return Err(format!(
            "model_kind is {kind:?}, serving evaluates rankers in the {GATHER_KIND:?} form only: retrain with this build"
        ));
    }
    let graph = proto.graph.as_ref().ok_or("the model has no graph")?;
    check_input(graph, n_cols)?;
    let levels = levels(graph)?;
    let n_trees = tensor(graph, ROOTS)?.dims.first().copied().unwrap_or(0);
    let n_nodes = tensor(graph, NODE_FEATURE)?
        .dims
        .first()
        .copied()
        .unwrap_or(0);
    let arrays = GatherArrays {
        roots: i64s(graph, ROOTS, &[n_trees])?,
        feature: i64s(graph, NODE_FEATURE, &[n_nodes])?,
        threshold: f32s(graph, NODE_THRESHOLD, &[n_nodes])?,
        left: i64s(graph, NODE_LEFT, &[n_nodes])?,
        right: i64s(graph, NODE_RIGHT, &[n_nodes])?,
        value: f32s(graph, NODE_VALUE, &[n_nodes])?,
        base_logit: f32s(graph, BASE_LOGIT, &[1, 1])?[0],
    };
    if f32s(graph, ONES, &[n_trees, 1])?.iter().any(|&v| v != 1.0) {
        return Err("ones holds a value other than 1".into());
    }
    if levels == 0 && (i64s(graph, ZERO_INDEX, &[1])? != [0] || f32s(graph, ZERO_F, &[1])? != [0.0])
    {
        return Err("zero_index or zero_f is not zero".into());
    }
    Ok((arrays, levels))
}

fn check_input(graph: &GraphProto, n_cols: usize) -> Result<(), String> {
    use tract_onnx::pb::tensor_shape_proto::dimension::Value;
    use tract_onnx::pb::type_proto::Value as TypeValue;
    let [input] = graph.input.as_slice() else {
        return Err(format!("the graph has {} inputs, not 1", graph.input.len()));
    };
    let width = match input.r#type.as_ref().and_then(|t| t.value.as_ref()) {
        Some(TypeValue::TensorType(t)) if t.elem_type == DataType::Float as i32 => t
            .shape
            .as_ref()
            .filter(|s| s.dim.len() == 2)
            .and_then(|s| s.dim[1].value.as_ref()),
        _ => None,
    };
    match width {
        Some(Value::DimValue(w)) if *w == n_cols as i64 && input.name == INPUT => Ok(()),
        _ => Err(format!(
            "input {:?} is not features: float[N, {n_cols}]",
            input.name
        )),
    }
}

fn tensor<'g>(graph: &'g GraphProto, name: &str) -> Result<&'g TensorProto, String> {
    graph
        .initializer
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| format!("initializer {name:?} is missing"))
}

/// The initializer's values, checked to be of type `ty` and shape `dims`.
fn values<T>(
    graph: &GraphProto,
    name: &str,
    dims: &[i64],
    ty: DataType,
    typed: impl Fn(&TensorProto) -> &[T],
    from_le: impl Fn(&[u8]) -> T,
) -> Result<Vec<T>, String>
where
    T: Copy,
{
    let t = tensor(graph, name)?;
    if t.data_type != ty as i32 {
        return Err(format!(
            "initializer {name:?} has data type {}, expected {ty:?}",
            t.data_type
        ));
    }
    if t.dims != dims {
        return Err(format!(
            "initializer {name:?} has shape {:?}, expected {dims:?}",
            t.dims
        ));
    }
    let len = dims.iter().product::<i64>() as usize;
    let size = std::mem::size_of::<T>();
    let data: Vec<T> = if t.raw_data.is_empty() {
        typed(t).to_vec()
    } else {
        t.raw_data.chunks(size).map(&from_le).collect()
    };
    if data.len() != len || (!t.raw_data.is_empty() && t.raw_data.len() != len * size) {
        return Err(format!(
            "initializer {name:?} of shape {dims:?} holds {} values",
            data.len()
        ));
    }
    Ok(data)
}

fn f32s(graph: &GraphProto, name: &str, dims: &[i64]) -> Result<Vec<f32>, String> {
    values(
        graph,
        name,
        dims,
        DataType::Float,
        |t| &t.float_data,
        |b| f32::from_le_bytes(b.try_into().unwrap_or_default()),
    )
}

fn i64s(graph: &GraphProto, name: &str, dims: &[i64]) -> Result<Vec<i64>, String> {
    values(
        graph,
        name,
        dims,
        DataType::Int64,
        |t| &t.int64_data,
        |b| i64::from_le_bytes(b.try_into().unwrap_or_default()),
    )
}
