//! Exporting the recommendation models for serving: per kind, the ranker as ONNX
//! (`next_category.onnx`, `next_item.onnx`), loaded back with tract and compared with the
//! in-memory trees before publishing, and the store tables (`next_*.tables.json`); plus
//! `recommend.json`, which says how candidates are generated.

use features::contract::layout;
use features::recommend::{
    CandidateParams, RANK_FEATURES, RANK_LEN, RECOMMEND_FILE, RecommendManifest, rank_schema_hash,
};
use features::{Day, Kind, OrderBook};

use super::Artifact;
use super::recommend::{KindOutput, task_name};
use crate::onnx::{ExportMeta, LoadedModel, TreeEnsemble, export_tree_ensemble_gather};
use crate::{Error, Result};

/// Largest difference allowed between tract and the in-memory ranker.
pub const RANKER_PARITY_TOLERANCE: f32 = 1e-5;

/// Rows of candidates checked for parity per kind (from evenly spread members).
const PARITY_ROWS: usize = 20_000;

fn meta(kind: Kind, as_of: Day, horizon_days: u32) -> ExportMeta {
    ExportMeta {
        model_name: task_name(kind).into(),
        version: as_of.to_string(),
        schema_hash: rank_schema_hash(),
        feature_names: RANK_FEATURES.iter().map(|s| s.to_string()).collect(),
        extra: vec![
            ("horizon_days".into(), horizon_days.to_string()),
            ("as_of".into(), as_of.to_string()),
        ],
    }
}

/// Builds and checks the recommendation artifacts; kinds that fell back (no ranker) get no
/// files and are left out of `recommend.json`.
pub fn recommend_artifacts(
    book: &OrderBook,
    outputs: &[KindOutput],
    horizon_days: u32,
    candidates: &CandidateParams,
) -> Result<Vec<Artifact>> {
    let mut files = Vec::new();
    let mut models = Vec::new();
    let as_of = outputs.first().map_or(Day(0), |o| o.tables.as_of);
    for out in outputs {
        let Some(fit) = &out.fit else {
            continue;
        };
        let name = task_name(out.kind);
        let proto =
            export_tree_ensemble_gather(&fit.ensemble, &meta(out.kind, as_of, horizon_days))?;
        let bytes = prost::Message::encode_to_vec(&proto);
        let start = std::time::Instant::now();
        let rows = parity_rows(book, out, candidates);
        let built = start.elapsed().as_secs_f64();
        check_ranker_parity(&bytes, &fit.ensemble, &rows, name)?;
        tracing::info!(
            rows = rows.len() / RANK_LEN,
            rows_seconds = built,
            check_seconds = start.elapsed().as_secs_f64() - built,
            "{name}.onnx reloaded by tract and checked"
        );
        let tables = match out.kind {
            Kind::Category => out.tables.to_portable(book.categories(), book.categories()),
            Kind::Item => out.tables.to_portable(book.items(), book.categories()),
        };
        let tables = serde_json::to_vec(&tables).map_err(|e| Error::InvalidModel {
            reason: format!("cannot serialise the {name} tables: {e}"),
        })?;
        let (onnx_file, tables_file) = (
            layout::ranker_model_file(out.kind),
            layout::ranker_tables_file(out.kind),
        );
        models.push((out.kind, onnx_file.clone(), tables_file.clone()));
        files.push((onnx_file, bytes));
        files.push((tables_file, tables));
    }
    let manifest = RecommendManifest {
        as_of,
        horizon_days,
        rank_schema_hash: rank_schema_hash(),
        inputs: RANK_FEATURES.iter().map(|s| s.to_string()).collect(),
        candidates: *candidates,
        models,
    };
    let manifest = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::InvalidModel {
        reason: format!("cannot serialise {RECOMMEND_FILE}: {e}"),
    })?;
    files.push((RECOMMEND_FILE.to_string(), manifest));
    Ok(files)
}

/// Candidate rows of evenly spread members, up to [`PARITY_ROWS`].
fn parity_rows(book: &OrderBook, out: &KindOutput, params: &CandidateParams) -> Vec<f32> {
    let members = &out.recommendations.members;
    let step = members.len().div_ceil(200).max(1);
    let mut rows = Vec::new();
    for &m in members.iter().step_by(step) {
        let ctx =
            features::recommend::MemberContext::new(&book.history(m), out.tables.as_of, out.kind);
        rows.extend(features::recommend::candidates(&ctx, &out.tables, params).rows);
        if rows.len() >= PARITY_ROWS * RANK_LEN {
            break;
        }
    }
    rows
}

/// Loads `bytes` with tract and compares it with `ensemble` on `rows`.
pub fn check_ranker_parity(
    bytes: &[u8],
    ensemble: &TreeEnsemble,
    rows: &[f32],
    name: &str,
) -> Result<()> {
    let dir = tempfile::tempdir().map_err(|source| Error::Io {
        path: std::env::temp_dir(),
        source,
    })?;
    let path = dir.path().join(format!("{name}.onnx"));
    std::fs::write(&path, bytes).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    let loaded = LoadedModel::load(&path, RANK_LEN)?;
    let n = rows.len() / RANK_LEN;
    if n == 0 {
        return Ok(());
    }
    let got = loaded.predict(rows, n)?;
    let want = ensemble.gather_trees(RANK_LEN)?.predict_vec(rows);
    for (i, (&want, &p)) in want.iter().zip(&got).enumerate() {
        if (want - p).abs() > RANKER_PARITY_TOLERANCE {
            return Err(Error::InvalidModel {
                reason: format!(
                    "{name}.onnx loaded by tract gives {p} on row {i}, the trained ranker {want}"
                ),
            });
        }
    }
    Ok(())
}
