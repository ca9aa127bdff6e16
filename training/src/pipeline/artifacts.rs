//! The files serving needs besides `churn.onnx`, so that a model version folder is
//! self-contained: `churn.json` (the churn model, BG/NBD at as-of, explainer, horizon, risk bands),
//! `members.state` (every member's lines before as-of and attributes) and `answers.bin`
//! (every member's precomputed answers, so serving starts without recomputing them).

use std::path::Path;

use features::churn::{
    CHURN_ARTIFACT_FILE, ChurnArtifact, ChurnEvaluator, N_COLS, RiskBands, input_names,
};
use features::contract::layout::ANSWERS_FILE;
use features::state::{MEMBER_STATE_FILE, write_member_state};
use features::{Day, OrderBook};

use super::answers::write_answer_snapshot;
use super::churn::ChurnFit;
use super::design::Design;
use super::recommend::KindOutput;
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

/// `churn.json` in memory, and `members.state` and `answers.bin` written to temporary files in
/// `models_dir` (renamed into the version's folder when it is published), for serving. The
/// answers are computed with `churn.json` as serving reads it back (so that both use the very
/// same numbers). The two large files are written as they are computed, never held whole.
pub fn serving_artifacts(
    models_dir: &Path,
    book: &OrderBook,
    as_of: Day,
    horizon_days: u32,
    fit: &ChurnFit,
    at_t: &Design,
    recos: &[KindOutput],
) -> Result<(Vec<Artifact>, Vec<FileArtifact>)> {
    let invalid = |e: serde_json::Error| Error::InvalidModel {
        reason: format!("cannot serialise {CHURN_ARTIFACT_FILE}: {e}"),
    };
    let churn = serde_json::to_vec_pretty(&churn_artifact(as_of, horizon_days, fit, at_t))
        .map_err(invalid)?;
    let read_back: ChurnArtifact = serde_json::from_slice(&churn).map_err(invalid)?;
    let model = ChurnEvaluator::new(&read_back.model, N_COLS)
        .map_err(|reason| Error::InvalidModel { reason })?;
    let state = file_artifact(models_dir, MEMBER_STATE_FILE, |w| {
        write_member_state(book, as_of, w)
    })?;
    let answers = file_artifact(models_dir, ANSWERS_FILE, |w| {
        write_answer_snapshot(book, as_of, &read_back, &model, recos, w)
    })?;
    Ok((
        vec![(CHURN_ARTIFACT_FILE.to_string(), churn)],
        vec![state, answers],
    ))
}

/// A file to publish with the model that is too large to hold in memory: its name in the
/// version folder and the temporary file (in the models folder) it was written to.
pub type FileArtifact = (String, tempfile::NamedTempFile);

/// Writes `name` with `write` to a temporary file in `models_dir` (created if needed).
fn file_artifact(
    models_dir: &Path,
    name: &str,
    write: impl FnOnce(&mut std::io::BufWriter<&std::fs::File>) -> std::io::Result<()>,
) -> Result<FileArtifact> {
    let io_err = |source| Error::Io {
        path: models_dir.join(name),
        source,
    };
    std::fs::create_dir_all(models_dir).map_err(io_err)?;
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .tempfile_in(models_dir)
        .map_err(io_err)?;
    {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, tmp.as_file());
        write(&mut w).map_err(io_err)?;
        std::io::Write::flush(&mut w).map_err(io_err)?;
    }
    Ok((name.to_string(), tmp))
}
