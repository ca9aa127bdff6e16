//! The promotion gate's backtest when the two versions were trained for different as-of dates:
//! both are scored on one validation cutoff `V` with labels from `[V, V + H)`.
//!
//! - The serving version is scored *as built*: its churn model from `churn.json` (with the
//!   store context and BG/NBD parameters it serves with), its rankers from their ONNX files
//!   (through tract) with the tables and candidate settings of its folder. This is exactly what
//!   it would answer on day `V`.
//! - This run's configuration is fitted again on the data before `V` (the same stages as the
//!   run, at as-of `V`) and scored there, so neither version has seen a label of the window.

use std::path::Path;

use features::churn::{ChurnArtifact, ChurnEvaluator, N_COLS, design_row};
use features::contract::layout;
use features::recommend::{
    CandidateParams, MemberContext, PortableTables, RANK_LEN, RecommendManifest, SelectOptions,
    StoreTables, rank_schema_hash, select_by,
};
use features::{Day, Kind, OrderBook, Vocab, Window, compute};

use super::TrainConfig;
use super::evaluate::evaluate_churn;
use super::fallback::churn_or_fallback;
use super::gate::{GatedMetric, churn_metrics, ranker_metrics};
use super::recommend::{
    RecommendEvaluation, RecommendTarget, evaluate_recommendations, kinds, recommend_kind,
    task_name,
};
use super::score::score_population;
use crate::metrics::{BinaryReport, RankingReport};
use crate::onnx::LoadedModel;

/// The latest cutoff `V` both versions can be scored on without having learnt from its
/// labels: the data covers `[V, V + H)` (`V + H - 1 <= last`), `V` is not after this run's
/// as-of (`new_as_of`), and not before the serving version's as-of (its models learnt from
/// labels up to that day). `Err` says why there is none.
pub fn validation_cutoff(serving: (Day, u32), new: (Day, u32), last: Day) -> Result<Day, String> {
    let ((serving_as_of, serving_h), (new_as_of, h)) = (serving, new);
    if serving_h != h {
        return Err(format!(
            "the serving version predicts a {serving_h}-day horizon, this run {h} days"
        ));
    }
    let latest_complete = last.plus(1 - h as i32);
    let v = latest_complete.min(new_as_of);
    if v < serving_as_of {
        return Err(format!(
            "the serving version (as-of {serving_as_of}) learnt from labels up to {serving_as_of}, \
             after {v}, the latest cutoff whose {h}-day window the data covers \
             (data ends {last}): no cutoff is new to both versions"
        ));
    }
    Ok(v)
}

/// The gated metrics of a churn report and ranker reports (see [`super::gated_metrics`]).
pub fn metrics_of(
    churn: Option<&BinaryReport>,
    rankers: &[(&str, RankingReport)],
) -> Vec<GatedMetric> {
    let mut out = Vec::new();
    if let Some(c) = churn {
        out.extend(churn_metrics(c.auc, c.average_precision, c.brier));
    }
    for (task, r) in rankers {
        out.extend(ranker_metrics(task, r.recall_at_10, r.ndcg_at_10));
    }
    out
}

/// The serving version in `dir`, as built, scored at `cutoff` on the members with history
/// before it: churn against `[cutoff, cutoff + H)`, each ranker against what the members
/// bought of its kind there. `Err` names the file that cannot be read or scored.
pub fn serving_metrics(
    dir: &Path,
    book: &OrderBook,
    cutoff: Day,
    k: usize,
) -> Result<Vec<GatedMetric>, String> {
    let churn: ChurnArtifact = read_json(dir, layout::CHURN_ARTIFACT_FILE)?;
    let snap = book.snapshot(cutoff);
    let evaluator = ChurnEvaluator::new(&churn.model, N_COLS)
        .map_err(|e| format!("{}: {e}", layout::CHURN_ARTIFACT_FILE))?;
    if churn.schema_hash != features::spec::schema_hash() {
        return Err(format!(
            "{} was trained on feature schema {}, this build computes {}",
            layout::CHURN_ARTIFACT_FILE,
            churn.schema_hash,
            features::spec::schema_hash()
        ));
    }
    let mut rows = Vec::with_capacity(snap.members.len() * N_COLS);
    for &m in &snap.members {
        let fv = compute(&book.history(m), cutoff, &churn.context).ok_or_else(|| {
            format!(
                "member {} has no history before {cutoff}",
                book.members().name(m)
            )
        })?;
        rows.extend_from_slice(&design_row(&fv.0, churn.bgnbd.as_ref(), churn.horizon_days));
    }
    let labels = book.churn_labels(&snap, churn.horizon_days);
    let report = BinaryReport::compute(&evaluator.predict(&rows), &labels)
        .map_err(|e| format!("the serving churn model at {cutoff}: {e}"))?;
    let rankers = serving_rankers(dir, book, &snap.members, cutoff, churn.horizon_days, k)?;
    let named: Vec<(&str, RankingReport)> = rankers
        .into_iter()
        .map(|(kind, r)| (task_name(kind), r))
        .collect();
    Ok(metrics_of(Some(&report), &named))
}

/// Each ranker of the folder scored through tract at `cutoff`, with the folder's tables and
/// candidate settings; empty without `recommend.json`.
fn serving_rankers(
    dir: &Path,
    book: &OrderBook,
    members: &[u32],
    cutoff: Day,
    horizon_days: u32,
    k: usize,
) -> Result<Vec<(Kind, RankingReport)>, String> {
    if !dir.join(features::recommend::RECOMMEND_FILE).exists() {
        return Ok(Vec::new());
    }
    let manifest: RecommendManifest = read_json(dir, features::recommend::RECOMMEND_FILE)?;
    if manifest.rank_schema_hash != rank_schema_hash() {
        return Err(format!(
            "{} has ranker schema {}, this build computes {}",
            features::recommend::RECOMMEND_FILE,
            manifest.rank_schema_hash,
            rank_schema_hash()
        ));
    }
    let window = Window::new(cutoff, horizon_days);
    manifest
        .models
        .iter()
        .map(|(kind, onnx, tables)| {
            let portable: PortableTables = read_json(dir, tables)?;
            let model =
                LoadedModel::load(dir.join(onnx), RANK_LEN).map_err(|e| format!("{onnx}: {e}"))?;
            let lists = rank_as_built(
                book,
                members,
                cutoff,
                &portable,
                &model,
                &manifest.candidates,
                k,
            )
            .map_err(|e| format!("{onnx}: {e}"))?;
            let truth: Vec<Vec<u32>> = members
                .iter()
                .map(|&m| window.truth(&book.history(m), *kind))
                .collect();
            let report = RankingReport::compute(
                lists
                    .iter()
                    .map(Vec::as_slice)
                    .zip(truth.iter().map(Vec::as_slice)),
            )
            .map_err(|e| format!("{onnx} at {cutoff}: {e}"))?;
            Ok((*kind, report))
        })
        .collect()
}

/// The top `k` ids of each member ranked by the exported ranker `model` with the folder's
/// tables (resolved against the book's vocabularies; ids the book does not know are still
/// ranked, and never bought).
fn rank_as_built(
    book: &OrderBook,
    members: &[u32],
    cutoff: Day,
    portable: &PortableTables,
    model: &LoadedModel,
    candidates: &CandidateParams,
    k: usize,
) -> Result<Vec<Vec<u32>>, String> {
    let mut parents: Vocab = book.categories().clone();
    let mut ids: Vocab = match portable.kind {
        Kind::Category => book.categories().clone(),
        Kind::Item => book.items().clone(),
    };
    let tables: StoreTables = portable.resolve(&mut ids, &mut parents);
    let options = SelectOptions {
        k,
        ..SelectOptions::default()
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |p| p.get())
        .min(8);
    let chunk = members.len().div_ceil(threads).max(1);
    let parts: Vec<Result<Vec<Vec<u32>>, String>> = std::thread::scope(|s| {
        let (tables, ids, options) = (&tables, &ids, &options);
        let handles: Vec<_> = members
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.chunks(TRACT_BATCH_MEMBERS)
                        .map(|batch| {
                            rank_batch(book, batch, cutoff, tables, ids, model, candidates, options)
                        })
                        .collect::<Result<Vec<_>, String>>()
                        .map(|v| v.into_iter().flatten().collect())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("ranking worker panicked"))
            .collect()
    });
    let mut lists = Vec::with_capacity(members.len());
    for part in parts {
        lists.extend(part?);
    }
    Ok(lists)
}

/// Members whose candidates tract scores in one run (one plan run per member is dominated by
/// tract's per-run cost).
const TRACT_BATCH_MEMBERS: usize = 16;

/// The top lists of `batch`, its candidates scored by one tract run.
#[allow(clippy::too_many_arguments)]
fn rank_batch(
    book: &OrderBook,
    batch: &[u32],
    cutoff: Day,
    tables: &StoreTables,
    ids: &Vocab,
    model: &LoadedModel,
    candidates: &CandidateParams,
    options: &SelectOptions,
) -> Result<Vec<Vec<u32>>, String> {
    let sets: Vec<_> = batch
        .iter()
        .map(|&m| {
            let ctx = MemberContext::new(&book.history(m), cutoff, tables.kind);
            features::recommend::candidates(&ctx, tables, candidates)
        })
        .collect();
    let rows: Vec<f32> = sets.iter().flat_map(|s| s.rows.iter().copied()).collect();
    let scores = model
        .predict(&rows, rows.len() / RANK_LEN)
        .map_err(|e| e.to_string())?;
    let mut at = 0;
    Ok(sets
        .iter()
        .map(|set| {
            let own = &scores[at..at + set.len()];
            at += set.len();
            select_by(set, own, tables, options, |a, b| {
                ids.name(a).cmp(ids.name(b))
            })
            .iter()
            .map(|r| r.id)
            .collect()
        })
        .collect())
}

/// This run's configuration fitted on the data before `cutoff` and scored there: the same
/// stages as the run at as-of `cutoff` (churn cutoffs, churn fit or fallback, scores, each
/// kind's ranker), evaluated on `[cutoff, cutoff + H)` with data up to `last`.
pub fn refit_metrics(
    config: &TrainConfig,
    book: &OrderBook,
    cutoff: Day,
    last: Day,
) -> crate::Result<Vec<GatedMetric>> {
    let h = config.horizon_days;
    let plan = super::plan_cutoffs(book.first_day_before(cutoff), cutoff, config)?;
    let (fit, _) = churn_or_fallback(book, &plan, cutoff, h, &config.churn)?;
    let (at_v, scores) = score_population(book, cutoff, h, &fit)?;
    let probs: Vec<f32> = scores.iter().map(|s| s.churn_probability).collect();
    let churn = evaluate_churn(book, &at_v, &probs, h, last, &fit)?;
    let plain = SelectOptions {
        k: config.storefront.k,
        ..SelectOptions::default()
    };
    let outputs = kinds(book)
        .into_iter()
        .map(|kind| {
            let target = RecommendTarget {
                kind,
                as_of: cutoff,
                members: &at_v.snapshot.members,
                storefront: &plain,
            };
            recommend_kind(book, &plan, target, &config.recommend, config.seed)
        })
        .collect::<crate::Result<Vec<_>>>()?;
    let reco: Option<RecommendEvaluation> = evaluate_recommendations(book, &outputs, h, last)?;
    let rankers: Vec<(&str, RankingReport)> = reco
        .as_ref()
        .map(|r| {
            r.models
                .iter()
                .map(|(t, m)| (t.as_str(), m.clone()))
                .collect()
        })
        .unwrap_or_default();
    Ok(metrics_of(churn.as_ref().map(|c| &c.churn), &rankers))
}

fn read_json<T: serde::de::DeserializeOwned>(dir: &Path, name: &str) -> Result<T, String> {
    let bytes = std::fs::read(dir.join(name)).map_err(|e| format!("{name}: {e}"))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{name}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        Day::from_date(features::time::parse_date(s).unwrap())
    }

    #[test]
    fn the_cutoff_is_the_latest_complete_window_not_after_the_new_as_of() {
        let last = day("2024-12-31");
        // Window [V, V + 28) ends on the last day: V = 2024-12-04.
        assert_eq!(
            validation_cutoff((day("2024-10-01"), 28), (day("2025-01-01"), 28), last),
            Ok(day("2024-12-04"))
        );
        // A run for an earlier as-of holds its own backtest there.
        assert_eq!(
            validation_cutoff((day("2024-10-01"), 28), (day("2024-11-01"), 28), last),
            Ok(day("2024-11-01"))
        );
        // The serving version's as-of itself is allowed: it learnt from labels before it.
        assert_eq!(
            validation_cutoff((day("2024-12-04"), 28), (day("2025-01-01"), 28), last),
            Ok(day("2024-12-04"))
        );
    }

    #[test]
    fn no_cutoff_when_the_serving_version_learnt_from_the_window_or_the_horizon_differs() {
        let last = day("2024-12-31");
        let err =
            validation_cutoff((day("2024-12-05"), 28), (day("2025-01-01"), 28), last).unwrap_err();
        assert!(err.contains("learnt from labels up to 2024-12-05"), "{err}");
        assert!(err.contains("2024-12-04"), "{err}");
        let err =
            validation_cutoff((day("2024-10-01"), 14), (day("2025-01-01"), 28), last).unwrap_err();
        assert!(err.contains("14-day horizon, this run 28 days"), "{err}");
    }
}
