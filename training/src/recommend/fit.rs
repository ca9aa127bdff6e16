//! Fitting the ranker of one kind on the plan's cutoffs.

use features::recommend::{RANK_LEN, StoreTables};
use features::{CutoffPlan, Day, Kind, OrderBook};

use super::{RecommendParams, examples_at};
use crate::Result;
use crate::onnx::TreeEnsemble;

/// How a ranker was trained.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RankerTraining {
    /// The training cutoffs.
    pub cutoffs: Vec<Day>,
    /// Members whose candidates were used, over all cutoffs.
    pub members: usize,
    /// Training rows (after negative sampling) and how many are positive.
    pub rows: usize,
    /// See `rows`.
    pub positives: usize,
    /// Share of the members' window purchases that candidate generation found.
    pub candidate_recall: f64,
    /// Share of negative rows kept.
    pub negative_rate: f64,
}

/// A fitted ranker.
#[derive(Debug, Clone)]
pub struct RankerFit {
    /// Categories or items.
    pub kind: Kind,
    /// The trees; scores are probabilities of buying the candidate in the horizon.
    pub ensemble: TreeEnsemble,
    /// The training record.
    pub training: RankerTraining,
}

/// Fits the ranker of `kind` on every cutoff of `plan` (store tables rebuilt at each).
pub fn fit_ranker(
    book: &OrderBook,
    plan: &CutoffPlan,
    kind: Kind,
    params: &RecommendParams,
    seed: u64,
) -> Result<RankerFit> {
    let mut ex = super::Examples::default();
    for c in &plan.cutoffs {
        let tables: StoreTables = book.store_tables(c.as_of, kind, &params.tables);
        ex.extend(examples_at(
            book,
            &tables,
            c.as_of,
            c.horizon_days,
            params,
            seed,
        ));
    }
    let positives = ex.labels.iter().filter(|&&y| y).count();
    tracing::info!(
        ?kind,
        rows = ex.labels.len(),
        positives,
        members = ex.members,
        "ranker training rows"
    );
    let weights = params.weight_by_truth.then(|| {
        let mean = ex.weights.iter().sum::<f64>() / ex.weights.len().max(1) as f64;
        ex.weights.iter().map(|w| w / mean).collect::<Vec<f64>>()
    });
    let fitted = params.ranker.clone().seed(seed).check()?.fit_weighted(
        &ex.rows,
        RANK_LEN,
        &ex.labels,
        weights.as_deref(),
    )?;
    let mut ensemble = fitted.into_tree_ensemble();
    ensemble.base_score += params.negative_rate.clamp(1e-6, 1.0).ln() as f32;
    Ok(RankerFit {
        kind,
        ensemble,
        training: RankerTraining {
            cutoffs: plan.cutoffs.iter().map(|c| c.as_of).collect(),
            members: ex.members,
            rows: ex.labels.len(),
            positives,
            candidate_recall: ex.truth_in_candidates as f64 / ex.truth_total.max(1) as f64,
            negative_rate: params.negative_rate,
        },
    })
}
