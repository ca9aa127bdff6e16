//! Backtest of predicted spend at as-of `T` against the spend actually seen in `[T, T + H)`,
//! next to two baselines computed on the same members.

use std::collections::BTreeMap;

use features::churn::{BgNbd, rfm_of};
use features::value::Spend;
use features::{Day, OrderBook, Snapshot};

use super::params::ValueValidParams;
use super::predict::{FittedValue, fit_value, spends_at};
use super::rank::{mean_absolute_error, spearman, top_share};
use crate::Result;

/// Baseline (a): the member's past spend rate times the horizon,
/// `spend before T / days since the first purchase · H`.
pub const BASELINE_PAST_RATE: &str = "past_spend_rate";
/// Baseline (b): BG/NBD expected purchases in the horizon times the member's mean spend per
/// purchase day (every purchase day, unshrunk).
pub const BASELINE_BGNBD_MEAN_SPEND: &str = "bgnbd_purchases_x_mean_spend";
/// Fraction of members whose capture of actual spend is reported.
pub const TOP_FRACTION: f64 = 0.1;

/// One predictor's figures against actual spend in the window.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SpendReport {
    /// Spearman's rank correlation of predicted and actual spend (average ranks for ties).
    pub spearman: f64,
    /// Mean absolute error per member (money units).
    pub mean_absolute_error: f64,
    /// Share of the window's actual spend made by the top 10% of members by prediction.
    pub top_decile_capture: f64,
    /// Total predicted spend over the members (money units; compare `actual_spend`).
    pub predicted_spend: f64,
}

impl SpendReport {
    /// The figures of `predicted` against `actual` (same members, same order).
    pub fn compute(predicted: &[f64], actual: &[f64]) -> Result<SpendReport> {
        Ok(SpendReport {
            spearman: spearman(predicted, actual)?,
            mean_absolute_error: mean_absolute_error(predicted, actual)?,
            top_decile_capture: top_share(predicted, actual, TOP_FRACTION)?,
            predicted_spend: predicted.iter().sum(),
        })
    }
}

/// How the expected date of the next order held up in the window.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NextOrderReport {
    /// Members with an expected date (the others are gone or not expected in the value horizon).
    pub with_date: usize,
    /// Members whose expected date falls in the window.
    pub due_in_window: usize,
    /// Share of those who bought in the window.
    pub bought_when_due: Option<f64>,
    /// Share of the other members who bought in the window.
    pub bought_when_not_due: Option<f64>,
}

/// The `value` part of `evaluation.json`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ValueEvaluation {
    /// The window `[as_of, as_of + horizon_days)`.
    pub as_of: Day,
    /// Horizon in days.
    pub horizon_days: u32,
    /// Members scored (every member with a line before as-of).
    pub members: usize,
    /// Members with a purchase in the window.
    pub buyers_in_window: usize,
    /// Gross spend of those purchases (money units).
    pub actual_spend: f64,
    /// False when the data ends before the window does.
    pub label_window_complete: bool,
    /// The value model fitted before as-of (BG/NBD, spend model, fallback and diagnostics).
    pub fitted: FittedValue,
    /// BG/NBD expected purchases times the spend model's spend per purchase.
    pub model: SpendReport,
    /// [`BASELINE_PAST_RATE`] and [`BASELINE_BGNBD_MEAN_SPEND`], on the same members.
    pub baselines: BTreeMap<String, SpendReport>,
    /// The expected date of the next order against the window.
    pub next_order: NextOrderReport,
}

/// Gross spend of every snapshot member's purchase lines in `[as_of, as_of + horizon_days)`.
pub fn actual_spend(book: &OrderBook, snapshot: &Snapshot, horizon_days: u32) -> Vec<f64> {
    let (start, end) = (snapshot.as_of, snapshot.as_of.plus(horizon_days as i32));
    snapshot
        .members
        .iter()
        .map(|&m| {
            let lines = book.history(m).between(start, end);
            lines
                .iter()
                .filter(|l| !l.is_return())
                .map(|l| l.amount)
                .sum()
        })
        .collect()
}

/// Fits the value model on the history before the snapshot's date (spend model on `spends`
/// at that date, purchases from `bgnbd` fitted on the same history), predicts spend in
/// `[T, T + H)` and measures it and both baselines against the actual spend there.
/// `last_day` is the last day with a line in the data. Fails for the shape of the data when a
/// metric is undefined (e.g. nobody spends in the window).
pub fn backtest_value(
    book: &OrderBook,
    snapshot: &Snapshot,
    bgnbd: BgNbd,
    params: &ValueValidParams,
    horizon_days: u32,
    last_day: Day,
) -> Result<ValueEvaluation> {
    let spends = spends_at(book, snapshot);
    let fitted = fit_value(&spends, bgnbd, params);
    let values = fitted.predict(snapshot, &spends, horizon_days);
    let actual = actual_spend(book, snapshot, horizon_days);
    let predicted: Vec<f64> = values.iter().map(|v| v.predicted_spend_h).collect();
    let (past_rate, bgnbd_mean) = baselines(snapshot, &spends, &bgnbd, horizon_days);
    let mut reports = BTreeMap::new();
    reports.insert(
        BASELINE_PAST_RATE.to_string(),
        SpendReport::compute(&past_rate, &actual)?,
    );
    reports.insert(
        BASELINE_BGNBD_MEAN_SPEND.to_string(),
        SpendReport::compute(&bgnbd_mean, &actual)?,
    );
    let as_of = snapshot.as_of;
    let window_end = as_of.plus(horizon_days as i32);
    let due: Vec<bool> = values
        .iter()
        .map(|v| v.expected_next_order.is_some_and(|d| d < window_end))
        .collect();
    let bought: Vec<bool> = actual.iter().map(|&a| a > 0.0).collect();
    Ok(ValueEvaluation {
        as_of,
        horizon_days,
        members: snapshot.len(),
        buyers_in_window: bought.iter().filter(|b| **b).count(),
        actual_spend: actual.iter().sum(),
        label_window_complete: last_day >= window_end.plus(-1),
        model: SpendReport::compute(&predicted, &actual)?,
        baselines: reports,
        next_order: NextOrderReport {
            with_date: values
                .iter()
                .filter(|v| v.expected_next_order.is_some())
                .count(),
            due_in_window: due.iter().filter(|d| **d).count(),
            bought_when_due: share_bought(&due, &bought, true),
            bought_when_not_due: share_bought(&due, &bought, false),
        },
        fitted,
    })
}

/// The two baselines' predictions, in snapshot order.
fn baselines(
    snapshot: &Snapshot,
    spends: &[Spend],
    bgnbd: &BgNbd,
    horizon_days: u32,
) -> (Vec<f64>, Vec<f64>) {
    let h = f64::from(horizon_days);
    spends
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let rfm = rfm_of(snapshot.row(i));
            let purchases = bgnbd.expected_purchases(h, rfm.frequency, rfm.recency, rfm.age);
            (s.total / rfm.age.max(1.0) * h, purchases * s.mean())
        })
        .unzip()
}

fn share_bought(due: &[bool], bought: &[bool], group: bool) -> Option<f64> {
    let (n, k) = due
        .iter()
        .zip(bought)
        .filter(|(d, _)| **d == group)
        .fold((0usize, 0usize), |(n, k), (_, b)| {
            (n + 1, k + usize::from(*b))
        });
    (n > 0).then(|| k as f64 / n as f64)
}
