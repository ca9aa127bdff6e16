//! The value model at a cutoff: spend summaries, the spend model's fit, and every member's
//! answers.

use features::churn::{BgNbd, rfm_of};
use features::value::{MemberValue, Spend, ValueModel};
use features::{OrderBook, Snapshot};

use super::params::ValueValidParams;
use super::spend::{SpendFit, fit_spend};

/// The value model fitted at a cutoff and how its spend part was chosen.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FittedValue {
    /// BG/NBD and the spend model, as serving predicts with them.
    pub model: ValueModel,
    /// How the spend model was chosen (Gamma-Gamma or the fallback, with the reason).
    pub spend: SpendFit,
    /// Days of the value horizon.
    pub value_horizon_days: u32,
}

/// Every snapshot member's spend summary from the lines before the snapshot's date.
pub fn spends_at(book: &OrderBook, snapshot: &Snapshot) -> Vec<Spend> {
    snapshot
        .members
        .iter()
        .map(|&m| Spend::of(&book.history(m), snapshot.as_of))
        .collect()
}

/// Fits the spend model on `spends` (see [`fit_spend`]) next to the BG/NBD parameters fitted
/// on the same history.
pub fn fit_value(spends: &[Spend], bgnbd: BgNbd, params: &ValueValidParams) -> FittedValue {
    let spend = fit_spend(spends, params);
    FittedValue {
        model: ValueModel {
            bgnbd,
            spend: spend.model,
        },
        spend,
        value_horizon_days: params.value_horizon_days(),
    }
}

impl FittedValue {
    /// Every snapshot member's answers for a horizon of `horizon_days`; `spends` are the
    /// members' summaries in snapshot order (see [`spends_at`]).
    pub fn predict(
        &self,
        snapshot: &Snapshot,
        spends: &[Spend],
        horizon_days: u32,
    ) -> Vec<MemberValue> {
        spends
            .iter()
            .enumerate()
            .map(|(i, spend)| {
                self.model.member_value(
                    rfm_of(snapshot.row(i)),
                    spend,
                    snapshot.as_of,
                    horizon_days,
                    self.value_horizon_days,
                )
            })
            .collect()
    }
}
