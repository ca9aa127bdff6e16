//! Honest evaluation at as-of: the model and the simple baselines on the window `[T, T + H)`.

use std::collections::BTreeMap;

use features::{Day, OrderBook};

use super::baseline::RFM_BASELINE;
use super::churn::{ChurnFit, log_recency};
use super::design::{Design, N_COLS};
use crate::Result;
use crate::churn::apply_platt;
use crate::metrics::{BinaryReport, ReliabilityBin, reliability_table};
use crate::value::{ValueEvaluation, ValueParams, backtest_value};

/// The churn part of `evaluation.json`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChurnEvaluation {
    /// The model's metrics.
    pub churn: BinaryReport,
    /// The baselines' metrics: `recency` (days since last purchase, Platt-calibrated on the most
    /// recent training cutoff), `bgnbd` (BG/NBD probability of no purchase in the horizon) and
    /// `logistic_rfm_onehot` (see [`RfmOneHotBaseline`](super::RfmOneHotBaseline)).
    pub churn_baselines: BTreeMap<String, BinaryReport>,
    /// Calibration of the model: predicted against observed churn, ten bins.
    pub churn_reliability: Vec<ReliabilityBin>,
    /// False when the data ends before `T + H`, so labels cover only part of the window.
    pub label_window_complete: bool,
}

/// Evaluates when the data has lines on or after `T` (`last_day` is the last day with a line);
/// `None` otherwise (production mode). The recency baseline is calibrated with
/// `fit.recency_calibration`, learnt before `T`.
pub fn evaluate_churn(
    book: &OrderBook,
    at_t: &Design,
    probs: &[f32],
    horizon_days: u32,
    last_day: Day,
    fit: &ChurnFit,
) -> Result<Option<ChurnEvaluation>> {
    let t = at_t.snapshot.as_of;
    if last_day < t {
        return Ok(None);
    }
    let labels = book.churn_labels(&at_t.snapshot, horizon_days);
    let recency_probs: Vec<f32> = log_recency(at_t)
        .iter()
        .map(|&x| apply_platt(fit.recency_calibration, x))
        .collect();
    let mut baselines = BTreeMap::new();
    baselines.insert(
        "recency".to_string(),
        BinaryReport::compute(&recency_probs, &labels)?,
    );
    if let Some(baseline) = &fit.baseline {
        baselines.insert(
            RFM_BASELINE.to_string(),
            BinaryReport::compute(&baseline.predict(book, at_t)?, &labels)?,
        );
    }
    if at_t.bgnbd.is_some() {
        baselines.insert(
            "bgnbd".to_string(),
            BinaryReport::compute(&bgnbd_column(at_t), &labels)?,
        );
    }
    Ok(Some(ChurnEvaluation {
        churn: BinaryReport::compute(probs, &labels)?,
        churn_baselines: baselines,
        churn_reliability: reliability_table(probs, &labels, 10)?,
        label_window_complete: last_day >= t.plus(horizon_days as i32 - 1),
    }))
}

fn bgnbd_column(d: &Design) -> Vec<f32> {
    d.x.chunks_exact(N_COLS).map(|r| r[N_COLS - 2]).collect()
}

/// The value backtest at as-of (see [`crate::value::backtest_value`]) with the default value
/// settings and the BG/NBD model fitted at as-of, when the data has lines on or after `T`;
/// `None` otherwise. Without a BG/NBD model at as-of it fails for the shape of the data.
pub fn evaluate_value(
    book: &OrderBook,
    at_t: &Design,
    horizon_days: u32,
    last_day: Day,
) -> Result<Option<ValueEvaluation>> {
    if last_day < at_t.snapshot.as_of {
        return Ok(None);
    }
    let bgnbd = at_t
        .bgnbd
        .as_ref()
        .ok_or_else(|| crate::Error::Degenerate {
            model: "value",
            reason: "no BG/NBD model at as-of to count purchases with".into(),
        })?;
    let params = ValueParams::default().check()?;
    let value = backtest_value(
        book,
        &at_t.snapshot,
        bgnbd.params(),
        &params,
        horizon_days,
        last_day,
    )?;
    Ok(Some(value))
}
