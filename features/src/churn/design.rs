//! The churn model's input row: the feature spec's columns plus two BG/NBD columns.

use super::bgnbd::{BgNbd, Rfm};
use crate::spec::{self, idx};

/// Names of the columns appended after the feature spec.
pub const BGNBD_COLUMNS: [&str; 2] = ["bgnbd_p_no_purchase", "bgnbd_expected_purchases"];

/// Number of model input columns: the spec plus [`BGNBD_COLUMNS`].
pub const N_COLS: usize = spec::LEN + BGNBD_COLUMNS.len();

/// The BG/NBD columns when no BG/NBD model could be fitted: `P(no purchase) = 0.5`, no
/// expected purchases.
pub const BGNBD_FALLBACK: [f32; 2] = [0.5, 0.0];

/// Model input names, in column order.
pub fn input_names() -> Vec<String> {
    spec::names()
        .chain(BGNBD_COLUMNS)
        .map(str::to_string)
        .collect()
}

/// The BG/NBD summary of a feature row: repeat purchase days, days from first to last purchase
/// day, and days from first purchase day to the cutoff.
pub fn rfm_of(row: &[f32]) -> Rfm {
    let frequency = row[idx::FREQUENCY_DAYS] as u32;
    let age = f64::from(row[idx::TENURE_DAYS]).max(1.0);
    let recency = if frequency >= 2 {
        (age - f64::from(row[idx::RECENCY_DAYS])).clamp(0.0, age)
    } else {
        0.0
    };
    Rfm::new(frequency.saturating_sub(1), recency, age)
}

/// The two BG/NBD columns `[P(no purchase in H), E[purchases in H]]` of a feature row, as `f32`
/// (possibly non-finite for degenerate parameters: callers decide the fallback).
pub fn bgnbd_columns(model: &BgNbd, row: &[f32], horizon_days: f64) -> [f32; 2] {
    let r = rfm_of(row);
    [
        model.p_no_purchase(horizon_days, r.frequency, r.recency, r.age) as f32,
        model.expected_purchases(horizon_days, r.frequency, r.recency, r.age) as f32,
    ]
}

/// A full design row for one member: the spec features followed by the BG/NBD columns of
/// `model`, or [`BGNBD_FALLBACK`] when there is no model or its predictions are not finite.
pub fn design_row(features: &[f32], model: Option<&BgNbd>, horizon_days: u32) -> [f32; N_COLS] {
    let mut out = [0.0f32; N_COLS];
    out[..spec::LEN].copy_from_slice(&features[..spec::LEN]);
    let cols = model
        .map(|m| bgnbd_columns(m, features, f64::from(horizon_days)))
        .filter(|c| c.iter().all(|v| v.is_finite()))
        .unwrap_or(BGNBD_FALLBACK);
    out[spec::LEN..].copy_from_slice(&cols);
    out
}
