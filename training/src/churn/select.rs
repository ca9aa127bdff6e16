//! Choosing one churn model among candidates by their validation predictions.

use serde::Serialize;

use crate::error::{Error, ParamsError, Result};
use crate::metrics::{average_precision, log_loss, roc_auc};

/// One candidate's churn probabilities on the validation rows.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// Name reported in the [`Selection`] (e.g. `"logistic"`, `"boosted"`).
    pub name: &'a str,
    /// Probability of churn per validation row, in `[0, 1]`.
    pub probs: &'a [f32],
}

/// Validation metrics of one candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateScore {
    /// The candidate's name.
    pub name: String,
    /// Average precision (the selection criterion).
    pub average_precision: f64,
    /// ROC AUC (the tie-breaker).
    pub auc: f64,
    /// Log loss, reported only: Platt calibration fixes it after selection.
    pub log_loss: f64,
}

/// Outcome of [`select_model`]: every candidate's scores and the index of the winner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Selection {
    /// Index of the chosen candidate in the input (and in `candidates`).
    pub chosen: usize,
    /// Scores of all candidates, in input order.
    pub candidates: Vec<CandidateScore>,
}

impl Selection {
    /// Scores of the chosen candidate.
    pub fn winner(&self) -> &CandidateScore {
        &self.candidates[self.chosen]
    }
}

/// Picks the candidate with the best average precision, the metric that matches how churn
/// scores are used (contacting the riskiest members first). Candidates whose average
/// precision is within `ap_tolerance` of the best count as tied, and among them the highest
/// ROC AUC wins; exact ties go to the earlier candidate, so list simpler models first.
/// `ap_tolerance = 0` selects on average precision alone.
///
/// # Errors
/// [`ParamsError::SelectionTolerance`] unless `ap_tolerance` is finite and `>= 0`,
/// [`Error::EmptyData`] with no candidate, and the errors of the metrics for a candidate's
/// probabilities (length, range, one-class labels).
pub fn select_model(
    candidates: &[Candidate<'_>],
    labels: &[bool],
    ap_tolerance: f64,
) -> Result<Selection> {
    if !(ap_tolerance.is_finite() && ap_tolerance >= 0.0) {
        return Err(ParamsError::SelectionTolerance(ap_tolerance).into());
    }
    if candidates.is_empty() {
        return Err(Error::EmptyData);
    }
    let scores = candidates
        .iter()
        .map(|c| {
            Ok(CandidateScore {
                name: c.name.to_string(),
                average_precision: average_precision(c.probs, labels)?,
                auc: roc_auc(c.probs, labels)?,
                log_loss: log_loss(c.probs, labels)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let best_ap = scores
        .iter()
        .map(|s| s.average_precision)
        .fold(f64::NEG_INFINITY, f64::max);
    let mut chosen = None::<usize>;
    for (ix, s) in scores.iter().enumerate() {
        let tied = s.average_precision >= best_ap - ap_tolerance;
        if tied && chosen.is_none_or(|c| s.auc > scores[c].auc) {
            chosen = Some(ix);
        }
    }
    let chosen = chosen.expect("the best candidate is always tied with itself");
    tracing::info!(chosen = %scores[chosen].name, ap = scores[chosen].average_precision, "churn model selected");
    Ok(Selection {
        chosen,
        candidates: scores,
    })
}
