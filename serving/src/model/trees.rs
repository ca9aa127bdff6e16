//! Reading a ranker's ONNX file (gather-tree form) into the shared evaluator
//! [`features::gather::GatherTrees`]: the graph is checked to be exactly that form (see
//! [`super::gather_graph`]) and its initializers become the evaluator's arrays.

use std::path::Path;

pub use features::gather::{GATHER_KIND, GatherArrays, GatherTrees};
use tract_onnx::pb::ModelProto;
use tract_onnx::prelude::Framework;

use crate::{Error, Result};

/// Reads the ONNX file at `path` and builds the evaluator for rows of `n_cols` columns.
/// Errors are [`Error::ModelFile`] naming `path`.
pub fn load(path: &Path, n_cols: usize) -> Result<GatherTrees> {
    let proto = tract_onnx::onnx()
        .proto_model_for_path(path)
        .map_err(|e| file_error(path, format!("cannot read the ONNX model: {e:#}")))?;
    from_proto(&proto, path, n_cols)
}

/// Builds the evaluator from a parsed model (`path` only names the file in errors).
pub fn from_proto(proto: &ModelProto, path: &Path, n_cols: usize) -> Result<GatherTrees> {
    super::gather_graph::read(proto, n_cols)
        .and_then(|(arrays, levels)| GatherTrees::from_arrays(&arrays, levels, n_cols))
        .map_err(|reason| file_error(path, reason))
}

fn file_error(path: &Path, reason: String) -> Error {
    Error::ModelFile {
        path: path.to_path_buf(),
        reason,
    }
}
