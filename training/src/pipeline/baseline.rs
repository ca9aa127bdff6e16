//! The strongest simple churn baseline, fitted in every run so that `evaluation.json` measures
//! the model against it: a logistic regression on RFM-style columns plus one-hot member
//! attributes, fitted on the same stacked training cutoffs as the model, uncalibrated.

use features::spec::{FEATURES, idx};
use features::{MemberAttributes, OrderBook};

use super::design::{Design, N_COLS};
use crate::Result;
use features::churn::Linear;

use crate::churn::{LOG1P_UNITS, Log1pColumns, LogisticParams, OneHotLevels, checked_probs};

/// The RFM-style columns of the baseline (feature-spec indexes): recency, frequency, money,
/// tenure, the usual gap, and purchase days and spend in the last 30 and 90 days.
pub const RFM_COLUMNS: [usize; 9] = [
    idx::RECENCY_DAYS,
    idx::FREQUENCY_DAYS,
    idx::MONETARY_NET,
    idx::TENURE_DAYS,
    idx::GAP_MEAN_DAYS,
    idx::DAYS_30D,
    idx::DAYS_90D,
    idx::SPEND_30D,
    idx::SPEND_90D,
];

/// The name of this baseline in `evaluation.json`.
pub const RFM_BASELINE: &str = "logistic_rfm_onehot";

/// The fitted baseline.
#[derive(Debug, Clone)]
pub struct RfmOneHotBaseline {
    levels: OneHotLevels,
    model: Linear,
}

impl RfmOneHotBaseline {
    /// Fits on design rows `x` ([`N_COLS`] columns) with their labels and members' attributes.
    /// Counts and money go through the signed `log1p`, as in the model; the ridge and the 0/1
    /// indicators are scikit-learn's defaults (`C = 1`, one-hot columns left unscaled), as in
    /// the simple baseline of `scripts/baselines/`.
    ///
    /// # Errors
    /// Those of [`LogisticParams::fit`].
    pub fn fit(
        x: &[f32],
        labels: &[bool],
        attributes: &[Option<&MemberAttributes>],
    ) -> Result<RfmOneHotBaseline> {
        let levels = OneHotLevels::frequent(attributes);
        let width = RFM_COLUMNS.len() + levels.width();
        let mut mask: Vec<bool> = RFM_COLUMNS
            .iter()
            .map(|&j| LOG1P_UNITS.contains(&FEATURES[j].unit))
            .collect();
        mask.resize(width, false);
        let wide = levels.widen(&narrow(x), RFM_COLUMNS.len(), attributes);
        // scikit-learn's default `C = 1`: a ridge of 1 on the summed log loss, on 0/1 indicators.
        let model = LogisticParams::new()
            .l2(1.0 / labels.len().max(1) as f64)
            .unscaled_from(Some(RFM_COLUMNS.len()))
            .log1p(Log1pColumns::Mask(mask))
            .fit(&wide, width, labels)?;
        Ok(RfmOneHotBaseline { levels, model })
    }

    /// Churn probabilities of every member of `design`.
    ///
    /// # Errors
    /// Those of [`checked_probs`] (non-finite values).
    pub fn predict(&self, book: &OrderBook, design: &Design) -> Result<Vec<f32>> {
        let attributes: Vec<_> = design
            .snapshot
            .members
            .iter()
            .map(|&m| book.attributes(m))
            .collect();
        let wide = self
            .levels
            .widen(&narrow(&design.x), RFM_COLUMNS.len(), &attributes);
        checked_probs(&self.model, &wide)
    }
}

/// The [`RFM_COLUMNS`] of every row of a design with [`N_COLS`] columns.
fn narrow(x: &[f32]) -> Vec<f32> {
    x.chunks_exact(N_COLS)
        .flat_map(|row| RFM_COLUMNS.iter().map(move |&j| row[j]))
        .collect()
}
