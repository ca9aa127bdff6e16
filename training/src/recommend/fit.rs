//! Fitting the ranker of one kind on the plan's cutoffs.

use features::gather::GatherTrees;
use features::recommend::{RANK_LEN, StoreTables};
use features::{CutoffPlan, Day, Kind, OrderBook};

use super::{RecommendValidParams, examples_at};
use crate::onnx::TreeEnsemble;
use crate::{Error, Result};

/// A ranker is fitted only when at least this many buyers (member × cutoff windows with a
/// purchase of the kind) give it rows, and its labels hold both classes; otherwise
/// [`fit_ranker`] returns [`Error::NoHistory`] and the run falls back (see
/// `pipeline::fallback`).
pub const MIN_RANKER_BUYERS: usize = 100;

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
    /// The same trees as the evaluator training and serving share (what lists are scored
    /// with).
    pub trees: GatherTrees,
    /// The training record.
    pub training: RankerTraining,
}

/// Fits the ranker of `kind` on every cutoff of `plan` (store tables rebuilt at each).
pub fn fit_ranker(
    book: &OrderBook,
    plan: &CutoffPlan,
    kind: Kind,
    params: &RecommendValidParams,
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
    let name = ranker_name(kind);
    if ex.members < MIN_RANKER_BUYERS {
        return Err(Error::NoHistory(format!(
            "{name}: {} buyer window(s) over {} cutoff(s), fewer than the {MIN_RANKER_BUYERS} a ranker needs",
            ex.members,
            plan.cutoffs.len()
        )));
    }
    if positives == 0 || positives == ex.labels.len() {
        return Err(Error::NoHistory(format!(
            "{name}: all {} candidate rows are {}: the labels hold one class",
            ex.labels.len(),
            if positives == 0 {
                "not bought"
            } else {
                "bought"
            }
        )));
    }
    let weights = params.weight_by_truth.then(|| {
        let mean = ex.weights.iter().sum::<f64>() / ex.weights.len().max(1) as f64;
        ex.weights.iter().map(|w| w / mean).collect::<Vec<f64>>()
    });
    let fitted = params
        .ranker
        .clone()
        .seed(seed)
        .check()?
        .fit_weighted(&ex.rows, RANK_LEN, &ex.labels, weights.as_deref())
        .map_err(|e| named(e, name))?;
    let mut ensemble = fitted.into_tree_ensemble();
    let negative_rate = params.sampling(kind).negative_rate;
    ensemble.base_score += negative_rate.clamp(1e-6, 1.0).ln() as f32;
    let trees = ensemble
        .gather_trees(RANK_LEN)
        .map_err(|e| named(e, name))?;
    Ok(RankerFit {
        kind,
        ensemble,
        trees,
        training: RankerTraining {
            cutoffs: plan.cutoffs.iter().map(|c| c.as_of).collect(),
            members: ex.members,
            rows: ex.labels.len(),
            positives,
            candidate_recall: ex.truth_in_candidates as f64 / ex.truth_total.max(1) as f64,
            negative_rate,
        },
    })
}

/// The name errors of `kind`'s ranker carry: `next_category ranker` or `next_item ranker`.
pub fn ranker_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Category => "next_category ranker",
        Kind::Item => "next_item ranker",
    }
}

/// `e` with the model it names set to `name` (the trees are shared with the churn model,
/// whose name they carry otherwise).
fn named(e: Error, name: &'static str) -> Error {
    match e {
        Error::Degenerate { reason, .. } => Error::Degenerate {
            model: name,
            reason,
        },
        Error::NotConverged {
            evaluations,
            objective,
            grad_norm,
            ..
        } => Error::NotConverged {
            model: name,
            evaluations,
            objective,
            grad_norm,
        },
        Error::Optimiser { source, .. } => Error::Optimiser {
            model: name,
            source,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ranker_fit_error_names_the_ranker_not_the_churn_model() {
        let e = Error::Degenerate {
            model: "churn gradient-boosted trees",
            reason: "the labels hold a single class".into(),
        };
        let e = named(e, ranker_name(Kind::Category));
        assert_eq!(
            e.to_string(),
            "next_category ranker fit is degenerate: the labels hold a single class"
        );
        assert!(e.is_data_shape());
        let part = Error::InvalidModel {
            reason: "bad tree".into(),
        }
        .in_part(ranker_name(Kind::Item));
        assert_eq!(part.to_string(), "next_item ranker failed");
        assert!(!part.is_data_shape());
    }
}
