//! Churn models: an L2-regularised logistic regression (linfa-logistic) and gradient-boosted
//! trees (forust-ml), Platt calibration, and a selection rule between them.
//!
//! Both models fit on a row-major `f32` design matrix with `n_cols` columns and one `bool`
//! label per row (`true` = churned). The logistic fit is a [`features::churn::Linear`], the
//! one definition of that model (scored, exported and explained as is); the boosted fit
//! carries its [`crate::onnx::TreeEnsemble`] for export and is scored by the shared
//! gather-tree evaluator ([`FittedBoosted::logits`]).
//!
//! ```
//! use training::churn::{
//!     BoostedParams, Candidate, Log1pColumns, LogisticParams, fit_platt, select_model,
//! };
//!
//! # fn main() -> training::Result<()> {
//! // Two columns: days since the last purchase and purchases in the last 90 days.
//! let rows: Vec<[f32; 2]> = (0..400).map(|i| [(i % 97) as f32, (i % 7) as f32]).collect();
//! let churned: Vec<bool> = rows.iter().enumerate().map(|(i, r)| r[0] + 13.0 * ((i % 5) as f32) > 60.0).collect();
//! let data: Vec<f32> = rows.concat();
//!
//! let logistic = LogisticParams::new().log1p(Log1pColumns::None).fit(&data, 2, &churned)?;
//! let boosted = BoostedParams::new().iterations(20).fit(&data, 2, &churned)?;
//!
//! let (p_lin, p_gbt) = (logistic.predict(&data), boosted.predict_proba(&data)?);
//! let candidates = [Candidate { name: "logistic", probs: &p_lin }, Candidate { name: "boosted", probs: &p_gbt }];
//! let selection = select_model(&candidates, &churned, 0.0)?;
//!
//! let mut linear = logistic.clone();
//! linear.calibration = Some(fit_platt(&logistic.logits(&data), &churned)?);
//! assert!((0.0..=1.0).contains(&linear.predict_row(&data[..2])));
//! assert!(selection.chosen < 2);
//! # Ok(())
//! # }
//! ```

mod boosted;
mod calibrate;
mod design;
mod effects;
mod logistic;
mod params;
mod select;

pub use boosted::FittedBoosted;
pub use calibrate::{apply_platt, fit_platt, logits_from_probs};
pub use design::signed_log1p;
pub use effects::{MIN_LEVEL_ROWS, OneHotFit, OneHotLevels, fit_one_hot};
pub use logistic::{checked_logits, checked_probs, validated};
pub use params::{
    BoostedParams, BoostedValidParams, LOG1P_UNITS, Log1pColumns, LogisticParams,
    LogisticValidParams,
};
pub use select::{Candidate, CandidateScore, Selection, select_model};

#[cfg(test)]
mod tests;
