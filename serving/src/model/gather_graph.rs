//! The node sequence of a gather-tree graph, as `tiefen-train` writes it: per level
//! `Gather(node_feature, cur)`, `Gather(features, ·, axis 1)` (first level) or
//! `GatherElements(features, ·, axis 1)`, `Gather(node_threshold, cur)`, `Less`,
//! `Gather(node_left, cur)`, `Gather(node_right, cur)`, `Where`; then
//! `Gather(node_value, cur)`, `MatMul(·, ones)`, `Add(·, base_logit)`, `Sigmoid` into
//! `probability`. A graph of single-leaf trees (no level) broadcasts `roots` to every row
//! with `Gather(features, zero_index)`, `Mul(·, zero_f)`, `Cast(to int64)`, `Add(·, roots)`.

use std::collections::HashSet;

use tract_onnx::pb::attribute_proto::AttributeType;
use tract_onnx::pb::tensor_proto::DataType;
use tract_onnx::pb::{GraphProto, NodeProto};

const INPUT: &str = "features";
const OUTPUT: &str = "probability";

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
pub(super) fn levels(graph: &GraphProto) -> Result<usize, String> {
    let mut c = Cursor {
        nodes: &graph.node,
        at: 0,
    };
    let mut current = "roots";
    let mut levels = 0;
    while c.peek().is_some_and(|n| {
        n.op_type == "Gather" && n.input.first().is_some_and(|i| i == "node_feature")
    }) {
        let f = c.expect("Gather", &["node_feature", current], None)?;
        let x = match levels {
            0 => c.expect("Gather", &[INPUT, f], Some(("axis", 1)))?,
            _ => c.expect("GatherElements", &[INPUT, f], Some(("axis", 1)))?,
        };
        let t = c.expect("Gather", &["node_threshold", current], None)?;
        let go_left = c.expect("Less", &[x, t], None)?;
        let l = c.expect("Gather", &["node_left", current], None)?;
        let r = c.expect("Gather", &["node_right", current], None)?;
        current = c.expect("Where", &[go_left, l, r], None)?;
        levels += 1;
    }
    if levels == 0 {
        let col = c.expect("Gather", &[INPUT, "zero_index"], Some(("axis", 1)))?;
        let zeros = c.expect("Mul", &[col, "zero_f"], None)?;
        let zeros = c.expect("Cast", &[zeros], Some(("to", DataType::Int64 as i64)))?;
        current = c.expect("Add", &[zeros, "roots"], None)?;
    }
    let leaf_values = c.expect("Gather", &["node_value", current], None)?;
    let sum = c.expect("MatMul", &[leaf_values, "ones"], None)?;
    let logit = c.expect("Add", &[sum, "base_logit"], None)?;
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
