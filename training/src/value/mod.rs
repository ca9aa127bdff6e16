//! Member value: expected spend in the horizon and over a value horizon (365 days by default),
//! and the expected date of the next order. Purchases come from BG/NBD, spend per purchase
//! from the Gamma-Gamma model (Fader, Hardie & Lee 2005; Hardie's note 025) fitted here by
//! maximum likelihood on repeat customers, as lifetimes' `GammaGammaFitter` does; the
//! prediction side lives in [`features::value`] so serving predicts with the same code.
//!
//! # Fallbacks
//! Gamma-Gamma does not apply everywhere; where it does not, the spend per purchase follows a
//! documented rule and the reason is recorded ([`SpendFit::fallback`]):
//! - **one purchase only** (no repeat purchase, `x = 0`): the model's prior mean spend per
//!   purchase `p·v/(q − 1)`, as lifetimes' `conditional_expected_average_profit` gives.
//! - **the whole store** falls back to [`SpendModel::ShrunkMean`] (rule
//!   [`RULE_SHRUNK_MEAN`]: the member's mean spend per purchase day, first day included, shrunk
//!   towards the store's mean order value with the weight of
//!   [`ValueParams::prior_purchases`] purchases, 1 by default) when any of these holds, checked
//!   in order:
//!   1. fewer than [`ValueParams::min_repeaters`] repeat customers with a positive repeat
//!      spend (100 by default);
//!   2. `|ρ| > ` [`ValueParams::max_abs_correlation`] (0.3 by default), with `ρ` Spearman's
//!      rank correlation between repeat purchases and mean repeat spend among repeat
//!      customers: Gamma-Gamma assumes them independent, and a rank statistic is not swayed
//!      by the few very large baskets that move Pearson's `r` (both are recorded);
//!   3. the fit does not converge or its optimum is not identified;
//!   4. the fitted `q <= 1` (the spend prior has no finite mean).
//!
//! BG/NBD itself is fitted by the caller ([`crate::bgnbd`]); without one there is no value
//! model (the pipeline records the value evaluation as skipped).
//!
//! ```
//! use training::value::GammaGammaParams;
//!
//! # fn main() -> training::Result<()> {
//! let frequency: Vec<u32> = (0..300).map(|i| i % 6).collect();
//! let spend: Vec<f64> = (0..300).map(|i| 20.0 + f64::from(i % 13) * 7.0).collect();
//! let fitted = GammaGammaParams::new().fit(&frequency, &spend)?;
//! let gg = fitted.params;
//! assert_eq!(fitted.report.n_members, 250); // the 50 one-time buyers are left out
//! let shrunk = gg.conditional_expected_average_profit(2, 90.0);
//! assert!(shrunk < 90.0 && shrunk > gg.population_mean());
//! # Ok(())
//! # }
//! ```

mod backtest;
mod fit;
mod likelihood;
mod params;
mod predict;
mod rank;
mod spend;

pub use backtest::{
    BASELINE_BGNBD_MEAN_SPEND, BASELINE_PAST_RATE, NextOrderReport, SpendReport, TOP_FRACTION,
    ValueEvaluation, actual_spend, backtest_value,
};
pub use features::value::{GammaGamma, MemberValue, Spend, SpendModel, ValueModel};
pub use fit::{FittedGammaGamma, GammaGammaReport};
pub use params::{
    DEFAULT_MAX_ABS_CORRELATION, DEFAULT_MIN_REPEATERS, DEFAULT_PRIOR_PURCHASES,
    DEFAULT_VALUE_HORIZON_DAYS, GammaGammaParams, GammaGammaValidParams, ValueParams,
    ValueValidParams,
};
pub use predict::{FittedValue, fit_value, spends_at};
pub use rank::{average_ranks, mean_absolute_error, pearson, spearman, top_share};
pub use spend::{RULE_SHRUNK_MEAN, SpendDiagnostics, SpendFallback, SpendFit, fit_spend};

#[cfg(test)]
mod reference_tests;
#[cfg(test)]
mod tests;
