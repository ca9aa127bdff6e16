//! Honest evaluation at as-of: the model and the simple baselines on the window `[T, T + H)`.

use std::collections::BTreeMap;

use features::spec::idx;
use features::{CutoffPlan, OrderBook};

use super::design::{Design, N_COLS, design_at};
use crate::Result;
use crate::churn::{apply_platt, fit_platt};
use crate::metrics::{BinaryReport, ReliabilityBin, reliability_table};

/// The churn part of `evaluation.json`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChurnEvaluation {
    /// The model's metrics.
    pub churn: BinaryReport,
    /// The baselines' metrics: `recency` (days since last purchase, Platt-calibrated on the most
    /// recent training cutoff) and `bgnbd` (BG/NBD probability of no purchase in the horizon).
    pub churn_baselines: BTreeMap<String, BinaryReport>,
    /// Calibration of the model: predicted against observed churn, ten bins.
    pub churn_reliability: Vec<ReliabilityBin>,
    /// False when the data ends before `T + H`, so labels cover only part of the window.
    pub label_window_complete: bool,
}

/// Evaluates when the data has lines on or after `T`; `None` otherwise (production mode).
pub fn evaluate_churn(
    book: &OrderBook,
    at_t: &Design,
    probs: &[f32],
    horizon_days: u32,
    plan: &CutoffPlan,
) -> Result<Option<ChurnEvaluation>> {
    let Some((_, last)) = book.day_range() else {
        return Ok(None);
    };
    let t = at_t.snapshot.as_of;
    if last < t {
        return Ok(None);
    }
    let labels = book.churn_labels(&at_t.snapshot, horizon_days);
    let column =
        |d: &Design, j: usize| -> Vec<f32> { d.x.chunks_exact(N_COLS).map(|r| r[j]).collect() };
    let log_recency = |d: &Design| -> Vec<f32> {
        column(d, idx::RECENCY_DAYS)
            .iter()
            .map(|r| r.ln_1p())
            .collect()
    };
    let recent = &plan.cutoffs[0];
    let past = design_at(book, recent.as_of, recent.horizon_days);
    let (a, b) = fit_platt(
        &log_recency(&past),
        &book.churn_labels(&past.snapshot, recent.horizon_days),
    )?;
    let recency_probs: Vec<f32> = log_recency(at_t)
        .iter()
        .map(|&x| apply_platt((a, b), x))
        .collect();
    let mut baselines = BTreeMap::new();
    baselines.insert(
        "recency".to_string(),
        BinaryReport::compute(&recency_probs, &labels)?,
    );
    if at_t.bgnbd.is_some() {
        baselines.insert(
            "bgnbd".to_string(),
            BinaryReport::compute(&column(at_t, N_COLS - 2), &labels)?,
        );
    }
    Ok(Some(ChurnEvaluation {
        churn: BinaryReport::compute(probs, &labels)?,
        churn_baselines: baselines,
        churn_reliability: reliability_table(probs, &labels, 10)?,
        label_window_complete: last >= t.plus(horizon_days as i32 - 1),
    }))
}
