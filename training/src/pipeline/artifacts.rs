//! The files serving needs besides `churn.onnx`, so that a model version folder is
//! self-contained: `churn.json` (the churn model, BG/NBD at as-of, explainer, horizon, risk bands),
//! `members.state` (every member's lines before as-of and attributes) and `answers.bin`
//! (every member's precomputed answers, so serving starts without recomputing them).

use std::path::Path;

use features::Day;
use features::churn::{
    CHURN_ARTIFACT_FILE, ChurnArtifact, ChurnEvaluator, N_COLS, RiskBands, input_names,
};

use super::churn::ChurnFit;
use super::design::Design;
use crate::{Error, Result};

/// A file to publish with the model: its name in the version folder and its bytes.
pub type Artifact = (String, Vec<u8>);

/// The churn companion parameters of this run.
pub fn churn_artifact(
    as_of: Day,
    horizon_days: u32,
    fit: &ChurnFit,
    at_t: &Design,
) -> ChurnArtifact {
    ChurnArtifact {
        as_of,
        horizon_days,
        bgnbd: at_t.bgnbd.as_ref().map(|m| m.params()),
        model: fit.model.scoring_model(),
        explainer: fit.explainer.clone(),
        risk_bands: RiskBands::default(),
        schema_hash: features::spec::schema_hash(),
        inputs: input_names(),
        context: at_t.snapshot.context.clone(),
    }
}

/// `churn.json`'s bytes, and the companion parameters and the churn model as serving reads
/// them back from those bytes (so that the precomputed answers use the very same numbers).
pub fn churn_json(
    as_of: Day,
    horizon_days: u32,
    fit: &ChurnFit,
    at_t: &Design,
) -> Result<(Artifact, ChurnArtifact, ChurnEvaluator)> {
    let invalid = |e: serde_json::Error| Error::InvalidModel {
        reason: format!("cannot serialise {CHURN_ARTIFACT_FILE}: {e}"),
    };
    let churn = serde_json::to_vec_pretty(&churn_artifact(as_of, horizon_days, fit, at_t))
        .map_err(invalid)?;
    let read_back: ChurnArtifact = serde_json::from_slice(&churn).map_err(invalid)?;
    let model = ChurnEvaluator::new(&read_back.model, N_COLS)
        .map_err(|reason| Error::InvalidModel { reason })?;
    Ok(((CHURN_ARTIFACT_FILE.to_string(), churn), read_back, model))
}

/// A file to publish with the model that is too large to hold in memory: its name in the
/// version folder and the temporary file (in the models folder) it was written to.
pub type FileArtifact = (String, tempfile::NamedTempFile);

/// A large file for the model version (`members.state`, `answers.bin`) written as it is
/// computed to a temporary file in the models folder, renamed into the version's folder when
/// it is published.
pub struct FileSink {
    name: String,
    path: std::path::PathBuf,
    tmp: tempfile::NamedTempFile,
    w: std::io::BufWriter<std::fs::File>,
}

impl FileSink {
    /// Opens a temporary file for `name` in `models_dir` (created if needed).
    pub fn create(models_dir: &Path, name: &str) -> Result<Self> {
        let path = models_dir.join(name);
        let io_err = |source| Error::Io {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(models_dir).map_err(io_err)?;
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .tempfile_in(models_dir)
            .map_err(io_err)?;
        let file = tmp.as_file().try_clone().map_err(io_err)?;
        Ok(FileSink {
            name: name.to_string(),
            path: path.clone(),
            tmp,
            w: std::io::BufWriter::with_capacity(1 << 20, file),
        })
    }

    /// Writes with `write`, naming the file in an error.
    pub fn write(
        &mut self,
        write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
    ) -> Result<()> {
        write(&mut self.w).map_err(|source| Error::Io {
            path: self.path.clone(),
            source,
        })
    }

    /// The written file, flushed.
    pub fn finish(mut self) -> Result<FileArtifact> {
        std::io::Write::flush(&mut self.w).map_err(|source| Error::Io {
            path: self.path.clone(),
            source,
        })?;
        drop(self.w);
        Ok((self.name, self.tmp))
    }
}
