//! Scoring the population at as-of: probability, risk band, expected purchases and reasons.

use features::spec::idx;
use features::{Day, OrderBook};

use super::churn::ChurnFit;
use super::design::{Design, N_COLS, design_with_effects};

pub use features::churn::risk_band;
use features::churn::{joined_en, reasons};

/// One member's churn score, as written to `scores.csv`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MemberScore {
    /// Member id as in the input.
    pub member_id: String,
    /// Calibrated probability of no purchase in the horizon.
    pub churn_probability: f32,
    /// `high`, `medium` or `low` (see [`risk_band`]).
    pub risk_band: &'static str,
    /// BG/NBD expected purchases in the horizon.
    pub expected_purchases: f32,
    /// Days since the last purchase day.
    pub days_since_last_purchase: f32,
    /// Up to three readable reasons in English, joined by `"; "`.
    pub reasons: String,
    /// The same reasons, typed (for the offers' churn answers).
    #[serde(skip)]
    pub reason_list: Vec<features::churn::Reason>,
}

/// Scores every member with history before `as_of` with the churn model's one evaluator
/// ([`super::churn::ChurnModel::evaluator`]); also returns the design it scored.
///
/// # Errors
/// [`crate::Error::InvalidModel`] when the model does not fit the design.
pub fn score_population(
    book: &OrderBook,
    as_of: Day,
    horizon_days: u32,
    fit: &ChurnFit,
) -> crate::Result<(Design, Vec<MemberScore>)> {
    let design = design_with_effects(book, as_of, horizon_days, &fit.attribute_effects);
    let probs = fit.model.evaluator()?.predict(&design.x);
    let scores = design
        .snapshot
        .members
        .iter()
        .enumerate()
        .map(|(i, &m)| {
            let row = &design.x[i * N_COLS..(i + 1) * N_COLS];
            let p = probs[i];
            let reasons = reasons(&fit.explainer, row);
            MemberScore {
                member_id: book.members().name(m).to_string(),
                churn_probability: p,
                risk_band: risk_band(p),
                expected_purchases: row[N_COLS - 1],
                days_since_last_purchase: row[idx::RECENCY_DAYS],
                reasons: joined_en(&reasons),
                reason_list: reasons,
            }
        })
        .collect();
    Ok((design, scores))
}
