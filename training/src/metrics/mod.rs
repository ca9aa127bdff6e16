//! Evaluation metrics for the churn classifier and the next-purchase ranker.
//!
//! Binary metrics take scores (or probabilities) as any `Copy + Into<f64>` slice, so `f32`
//! model outputs and `f64` reference values both work, and labels as `&[bool]`
//! (`true` = positive, e.g. churned). They follow scikit-learn's definitions, checked
//! against scikit-learn itself by the fixture in `tests/fixtures/metrics_reference.json`.
//! Ranking metrics take item ids as `u32` and use binary relevance.
//!
//! ```
//! use training::metrics::{BinaryReport, RankingReport, recall_at_k, roc_auc};
//!
//! # fn main() -> training::Result<()> {
//! let probs = [0.9_f32, 0.8, 0.3, 0.2];
//! let churned = [true, false, true, false];
//! assert_eq!(roc_auc(&probs, &churned)?, 0.75);
//! let report = BinaryReport::compute(&probs, &churned)?;
//! assert_eq!(report.base_rate, 0.5);
//!
//! assert_eq!(recall_at_k(&[7, 3, 9], &[3, 4], 2), Some(0.5));
//! let ranking = RankingReport::compute([(&[7, 3, 9][..], &[3, 4][..])])?;
//! assert_eq!(ranking.evaluated_members, 1);
//! # Ok(())
//! # }
//! ```

mod binary;
mod ranking;

pub use binary::{
    BinaryReport, ReliabilityBin, average_precision, brier, lift_top_fraction, log_loss,
    reliability_table, roc_auc,
};
pub use ranking::{RankingReport, hit_at_k, ndcg_at_k, recall_at_k};

#[cfg(test)]
mod tests;
