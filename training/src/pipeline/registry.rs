//! The model registry: `models/<version>/` holds a run's artifacts and `models/current` is a
//! symlink to the version serving should load. A version is written to a temporary folder,
//! loaded back with tract and checked against the in-memory model, and only then renamed into
//! place; `current` is switched last, by renaming a new symlink over it, and only when the
//! promotion gate lets it (see [`super::gate`]). A run that fails or is interrupted at any
//! point leaves the previous `current` untouched.

use std::path::Path;

use features::contract::{ArtifactRecord, Card, layout};
use sha2::{Digest, Sha256};
use tracing::{info, warn};
use tract_onnx::pb::ModelProto;

use crate::onnx::{
    ExportMeta, LoadedModel, export_logistic, export_logit_sum, export_tree_ensemble, write_model,
};
use crate::{Error, Result};

use super::artifacts::{Artifact, FileArtifact};
use super::churn::ChurnModel;
use super::gate::{Promotion, PromotionPolicy, Rescored, ServingVersion, decide};
use super::outputs::{persist, write_json};

/// Largest difference allowed between tract's and the in-memory probabilities.
pub const PARITY_TOLERANCE: f32 = 1e-5;

/// Rows of the population the exported churn model is checked on at publication (spread
/// evenly over it): enough to catch an export that reads the model differently, few enough
/// that tract's per-row tree operator stays a fraction of a second. The exporters are checked
/// against tract on every row by their own tests.
pub(super) const PARITY_SAMPLE_ROWS: usize = 2_000;

/// A published version and whether it was promoted.
#[derive(Debug, Clone)]
pub struct Published {
    /// The version's name (its folder in the models directory).
    pub version: String,
    /// The promotion gate's decision.
    pub promotion: Promotion,
}

/// What [`publish`] writes besides the churn model.
pub struct Publication<'a> {
    /// The card, with an empty version and file list.
    pub card: Card,
    /// Rows the exported churn model is checked on (row-major, `meta.feature_names.len()`
    /// columns); at most `PARITY_SAMPLE_ROWS` (2,000) of them are used.
    pub check_rows: &'a [f32],
    /// Further files (name in the version folder, bytes).
    pub artifacts: Vec<Artifact>,
    /// Further files written already to temporary files in the models folder (name in the
    /// version folder, file), renamed into the version folder; listed after `artifacts`.
    pub files: Vec<FileArtifact>,
    /// Whether `current` may move to the new version.
    pub policy: PromotionPolicy,
    /// The version `current` pointed at before the run ([`serving_version`]).
    pub serving: Option<ServingVersion>,
    /// Both versions scored at a common validation cutoff when their as-of dates differ (see
    /// [`super::gate`]), or why they could not be; `None` when not tried.
    pub rescored: Option<std::result::Result<Rescored, String>>,
}

/// Exports the churn model, names the version after `as_of` and the SHA-256 of the ONNX bytes
/// (so identical models get identical versions), writes `churn.onnx` and the card (with
/// `"version"` filled in) to `models_dir/<version>/`, checks the exported model on at most
/// [`PARITY_SAMPLE_ROWS`] of the check rows, and switches `models_dir/current` to it when the
/// promotion gate lets it (the policy against the card of the version `current` pointed at).
///
/// The artifacts are staged and fsynced with `churn.onnx` before the switch; the card lists
/// every file of the folder under `"artifacts"` with its size and SHA-256. A name must be a
/// plain file name.
pub fn publish(
    models_dir: &Path,
    as_of: features::Day,
    model: &ChurnModel,
    meta: &ExportMeta,
    publication: Publication<'_>,
) -> Result<Published> {
    let Publication {
        mut card,
        check_rows,
        artifacts,
        files,
        policy,
        serving,
        rescored,
    } = publication;
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    let proto = match model {
        ChurnModel::Logistic(m) => export_logistic(m, meta)?,
        ChurnModel::Trees(m) => export_tree_ensemble(m, meta)?,
        ChurnModel::Blend(m) => export_logit_sum(m, meta)?,
    };
    // The version names every published file, not only churn.onnx: a run that changes only
    // the rankers or tables must not reuse (and overwrite) the folder serving reads.
    let mut hasher = Sha256::new();
    hasher.update(prost::Message::encode_to_vec(&proto));
    for (name, bytes) in &artifacts {
        hasher.update(name.as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    }
    let mut file_digests = Vec::with_capacity(files.len());
    for (name, file) in &files {
        let (len, sha) = hash_file(file)?;
        hasher.update(name.as_bytes());
        hasher.update(len.to_le_bytes());
        hasher.update(sha);
        file_digests.push((len, sha));
    }
    let digest = hasher.finalize();
    let version = format!(
        "{as_of}-{}",
        digest
            .iter()
            .take(5)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    card.version = version.clone();
    card.artifacts = artifact_list(&proto, &artifacts, &files, &file_digests)?;
    std::fs::create_dir_all(models_dir).map_err(io_err(models_dir))?;
    let promotion = decide(&policy, &card, serving.as_ref(), rescored.as_ref());
    let staging = models_dir.join(format!(".{version}.staging-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io_err(&staging))?;
    }
    std::fs::create_dir(&staging).map_err(io_err(&staging))?;
    let result = stage(
        &staging,
        &proto,
        model,
        meta.feature_names.len(),
        &card,
        check_rows,
        (&artifacts, files),
    )
    .and_then(|()| {
        replace_dir(&staging, &models_dir.join(&version))?;
        if promotion.promoted {
            switch_current(models_dir, &version)?;
        }
        Ok(())
    });
    if staging.exists() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result?;
    log_promotion(&version, &promotion);
    Ok(Published { version, promotion })
}

/// The version `models_dir/current` points at, with its card; `None` without one.
pub fn serving_version(models_dir: &Path) -> Option<ServingVersion> {
    let current = models_dir.join(layout::CURRENT);
    let version = std::fs::read_link(&current).ok()?.display().to_string();
    let card = std::fs::read(current.join(layout::CARD_FILE))
        .map_err(|e| format!("{}: {e}", layout::CARD_FILE))
        .and_then(|bytes| Card::from_json(&bytes).map_err(|e| e.to_string()));
    Some((version, card))
}

fn log_promotion(version: &str, p: &Promotion) {
    let serving = p.serving_version.as_deref().unwrap_or("none");
    if p.promoted {
        info!(version, serving, mode = %p.mode, "promoted to current: {}", p.reason);
    } else {
        warn!(
            version,
            serving,
            mode = %p.mode,
            "written but not promoted, current stays at {serving}: {}",
            p.reason
        );
    }
}

fn stage(
    dir: &Path,
    proto: &ModelProto,
    model: &ChurnModel,
    n_cols: usize,
    card: &Card,
    check_rows: &[f32],
    (artifacts, files): (&[Artifact], Vec<FileArtifact>),
) -> Result<()> {
    let onnx_path = dir.join(layout::CHURN_MODEL_FILE);
    write_model(proto, &onnx_path)?;
    check_parity(
        &onnx_path,
        model,
        n_cols,
        &sample_rows(check_rows, n_cols, PARITY_SAMPLE_ROWS),
    )?;
    for (name, bytes) in artifacts {
        write_synced(&dir.join(name), bytes)?;
    }
    for (name, file) in files {
        persist(file, &dir.join(name))?;
    }
    write_json(&dir.join(layout::CARD_FILE), card)?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })
}

/// The length and SHA-256 of a file written already, read back in 1 MiB blocks.
fn hash_file(file: &tempfile::NamedTempFile) -> Result<(u64, [u8; 32])> {
    let io_err = |source| Error::Io {
        path: file.path().to_path_buf(),
        source,
    };
    let mut f = file.reopen().map_err(io_err)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut len = 0u64;
    loop {
        let n = std::io::Read::read(&mut f, &mut buf).map_err(io_err)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        len += n as u64;
    }
    Ok((len, hasher.finalize().into()))
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let io_err = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut f = std::fs::File::create(path).map_err(io_err)?;
    std::io::Write::write_all(&mut f, bytes).map_err(io_err)?;
    f.sync_all().map_err(io_err)
}

/// The card's list of the folder's files: `churn.onnx`, every extra artifact and `card.json`.
fn artifact_list(
    proto: &ModelProto,
    artifacts: &[Artifact],
    files: &[FileArtifact],
    file_digests: &[(u64, [u8; 32])],
) -> Result<Vec<ArtifactRecord>> {
    let record = |name: &str, len: u64, sha: &[u8]| ArtifactRecord {
        file: name.to_string(),
        bytes: Some(len),
        sha256: Some(sha.iter().map(|b| format!("{b:02x}")).collect()),
    };
    let entry = |name: &str, bytes: &[u8]| record(name, bytes.len() as u64, &Sha256::digest(bytes));
    let mut list = vec![entry(
        layout::CHURN_MODEL_FILE,
        &prost::Message::encode_to_vec(proto),
    )];
    let names = artifacts
        .iter()
        .map(|(name, _)| name)
        .chain(files.iter().map(|(name, _)| name));
    for name in names {
        let plain = Path::new(name)
            .file_name()
            .is_some_and(|f| f == name.as_str());
        if !plain || name == layout::CHURN_MODEL_FILE || name == layout::CARD_FILE {
            return Err(Error::InvalidModel {
                reason: format!("artifact name {name:?} is not a plain, free file name"),
            });
        }
    }
    for (name, bytes) in artifacts {
        list.push(entry(name, bytes));
    }
    for ((name, _), (len, sha)) in files.iter().zip(file_digests) {
        list.push(record(name, *len, sha));
    }
    list.push(ArtifactRecord {
        file: layout::CARD_FILE.to_string(),
        bytes: None,
        sha256: None,
    });
    Ok(list)
}

/// At most `max` rows of `rows` (row-major, `n_cols` columns), evenly spread, first included.
pub(super) fn sample_rows(rows: &[f32], n_cols: usize, max: usize) -> Vec<f32> {
    let n = rows.len() / n_cols;
    let step = n.div_ceil(max.max(1)).max(1);
    rows.chunks_exact(n_cols)
        .step_by(step)
        .flatten()
        .copied()
        .collect()
}

/// Loads the exported model with tract and compares it with the churn evaluator on every row of
/// `rows`.
pub fn check_parity(
    onnx_path: &Path,
    model: &ChurnModel,
    n_cols: usize,
    rows: &[f32],
) -> Result<()> {
    let loaded = LoadedModel::load(onnx_path, n_cols)?;
    let n_rows = rows.len() / n_cols;
    let got = loaded.predict(rows, n_rows)?;
    let want = model.evaluator()?.predict(rows);
    for (i, (&want, &p)) in want.iter().zip(&got).enumerate() {
        if (want - p).abs() > PARITY_TOLERANCE {
            return Err(Error::InvalidModel {
                reason: format!(
                    "exported churn model disagrees with the fitted one on row {i}: tract {p}, in memory {want}"
                ),
            });
        }
    }
    Ok(())
}

fn replace_dir(staging: &Path, final_dir: &Path) -> Result<()> {
    let io_err = |source| Error::Io {
        path: final_dir.to_path_buf(),
        source,
    };
    if final_dir.exists() {
        let old = final_dir.with_extension(format!("old-{}", std::process::id()));
        std::fs::rename(final_dir, &old).map_err(io_err)?;
        std::fs::rename(staging, final_dir).map_err(io_err)?;
        std::fs::remove_dir_all(&old).map_err(io_err)?;
    } else {
        std::fs::rename(staging, final_dir).map_err(io_err)?;
    }
    Ok(())
}

fn switch_current(models_dir: &Path, version: &str) -> Result<()> {
    let tmp = models_dir.join(format!(".current.tmp-{}", std::process::id()));
    let current = models_dir.join(layout::CURRENT);
    let io_err = |source| Error::Io {
        path: current.clone(),
        source,
    };
    if tmp.symlink_metadata().is_ok() {
        std::fs::remove_file(&tmp).map_err(io_err)?;
    }
    std::os::unix::fs::symlink(version, &tmp).map_err(io_err)?;
    std::fs::rename(&tmp, &current).map_err(io_err)?;
    std::fs::File::open(models_dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err)
}
