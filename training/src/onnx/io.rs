//! Writing exported models to disk atomically, reading their metadata back, and running them
//! through tract exactly the way serving does.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use prost::Message;
use tract_onnx::pb::ModelProto;
use tract_onnx::prelude::*;

use crate::error::{Error, Result};

/// Serialises `model` to `path` atomically: a temporary file in the same directory is
/// written, fsynced and renamed over `path`, then the directory is fsynced. On failure the
/// temporary file is removed and `path` is left untouched. On Unix the file gets mode
/// `0o644` (less the umask), not the `0o600` of a bare temporary file.
pub fn write_model(model: &ModelProto, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let io_err = |p: &Path| {
        let p = p.to_path_buf();
        move |source| Error::Io { path: p, source }
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    let prefix = format!(".{file_name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(io_err(dir))?;
    tmp.write_all(&model.encode_to_vec())
        .map_err(io_err(tmp.path()))?;
    tmp.as_file().sync_all().map_err(io_err(tmp.path()))?;
    tmp.persist(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e.error,
    })?;
    sync_dir(dir).map_err(io_err(dir))
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Reads `metadata_props` of the ONNX file at `path` without building the graph.
pub fn read_metadata(path: impl AsRef<Path>) -> Result<HashMap<String, String>> {
    let path = path.as_ref();
    let proto = tract_onnx::onnx()
        .proto_model_for_path(path)
        .map_err(|source| Error::OnnxLoad {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(proto
        .metadata_props
        .into_iter()
        .map(|e| (e.key, e.value))
        .collect())
}

/// An exported model loaded, typed to `float[N, D]`, optimised and planned by tract.
///
/// `predict` is `&self` and spawns fresh state per call, so a `LoadedModel` can be shared.
#[derive(Debug, Clone)]
pub struct LoadedModel {
    plan: Arc<TypedRunnableModel>,
    n_features: usize,
    name: String,
}

impl LoadedModel {
    /// Loads the model at `path`, pins its input to `float[N, n_features]` with `N`
    /// symbolic, then optimises it and builds a runnable plan.
    pub fn load(path: impl AsRef<Path>, n_features: usize) -> Result<Self> {
        let path = path.as_ref();
        let load_err = |source| Error::OnnxLoad {
            path: path.to_path_buf(),
            source,
        };
        let plan = (|| {
            let model = tract_onnx::onnx().model_for_path(path)?;
            let batch = model.sym("N");
            model
                .with_input_fact(
                    0,
                    f32::fact(tract_onnx::tract_core::dims!(batch, n_features)).into(),
                )?
                .into_optimized()?
                .into_runnable()
        })()
        .map_err(load_err)?;
        Ok(Self {
            plan,
            n_features,
            name: display_name(path),
        })
    }

    /// Number of input features `D` the model was loaded with.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Runs the model on `n_rows` row-major rows of `D` features and returns the first
    /// output flattened (for exported models: P(class 1), one value per row).
    pub fn predict(&self, rows: &[f32], n_rows: usize) -> Result<Vec<f32>> {
        let expected = n_rows * self.n_features;
        if rows.len() != expected {
            return Err(Error::FeatureCountMismatch {
                expected,
                got: rows.len(),
            });
        }
        let infer_err = |source| Error::Inference {
            model: self.name.clone(),
            source,
        };
        let input = Tensor::from_shape(&[n_rows, self.n_features], rows).map_err(infer_err)?;
        let outputs = self.plan.run(tvec!(input.into())).map_err(infer_err)?;
        let view = outputs[0].to_plain_array_view::<f32>().map_err(infer_err)?;
        Ok(view.iter().copied().collect())
    }
}

fn display_name(path: &Path) -> String {
    path.file_name()
        .map(PathBuf::from)
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}
