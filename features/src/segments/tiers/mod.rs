//! Tiers (會員分級): a rules engine over net spend in a rolling window or one order, with a
//! validity period, renewal and downgrade, evaluated as of a day from a member's lines.

mod agreement;
mod engine;
mod ledger;
mod program;

pub use agreement::{TierAgreement, TierDisagreement, tier_agreement, tiers};
pub use engine::{TierChange, TierChangeKind, TierStatus};
pub use program::{Downgrade, TierLevel, TierProgram, ValidTierProgram};

#[cfg(test)]
mod config_tests;
#[cfg(all(test, feature = "arrow"))]
mod sample_tests;
#[cfg(test)]
mod tests;
