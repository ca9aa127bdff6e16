//! Scoring the population at as-of: probability, risk band, expected purchases and reasons.

use features::spec::idx;
use features::{Day, OrderBook};

use super::churn::ChurnFit;
use super::design::{Design, N_COLS, design_with_effects};

pub use features::churn::risk_band;
use features::churn::{Reason, joined_en, reasons};

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
    /// Up to three reasons, largest first; written in English, joined by `"; "`.
    #[serde(serialize_with = "reasons_en")]
    pub reasons: Vec<Reason>,
}

fn reasons_en<S: serde::Serializer>(reasons: &[Reason], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&joined_en(reasons))
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
    let scores = score_design(book, &design, fit)?;
    Ok((design, scores))
}

/// The churn scores of `design`'s members (ids of `book`), in its order.
///
/// # Errors
/// [`crate::Error::InvalidModel`] when the model does not fit the design.
pub fn score_design(
    book: &OrderBook,
    design: &Design,
    fit: &ChurnFit,
) -> crate::Result<Vec<MemberScore>> {
    let probs = fit.model.evaluator()?.predict(&design.x);
    Ok(design
        .snapshot
        .members
        .iter()
        .enumerate()
        .map(|(i, &m)| {
            let row = &design.x[i * N_COLS..(i + 1) * N_COLS];
            let p = probs[i];
            MemberScore {
                member_id: book.members().name(m).to_string(),
                churn_probability: p,
                risk_band: risk_band(p),
                expected_purchases: row[N_COLS - 1],
                days_since_last_purchase: row[idx::RECENCY_DAYS],
                reasons: reasons(&fit.explainer, row),
            }
        })
        .collect())
}
