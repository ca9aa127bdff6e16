//! The ranker's input row for one (member, candidate) pair: names, order and a schema hash,
//! shared by training (fit, export) and serving (score), like [`crate::spec`] for members.

use sha2::{Digest, Sha256};

/// Version of the ranker row layout; bump with any change of names, order or meaning.
pub const RANK_SCHEMA_VERSION: u32 = 1;

/// Column names of the ranker row, in order. "Own" numbers come from the member's history,
/// "store" numbers from [`super::StoreTables`] built at the same cutoff.
pub const RANK_FEATURES: [&str; RANK_LEN] = [
    "own_days",
    "own_share",
    "own_basket_decay",
    "own_time_decay",
    "own_days_since_last",
    "own_gap_mean_days",
    "own_overdue_ratio",
    "own_quantity_log",
    "in_last_basket",
    "copurchase_score",
    "copurchase_max",
    "store_buyer_share_28d",
    "store_buyer_share_7d",
    "store_trend_28d",
    "store_repeat_rate",
    "store_gap_days",
    "store_overdue_ratio",
    "store_buyers_log",
    "member_purchase_days",
    "member_days_since_last",
    "member_explore_ratio",
    "member_tenure_days",
    "parent_share",
    "own_rank",
    "store_rank_28d",
    "copurchase_history",
    "member_overdue_ratio",
    "store_rebuy_rate_28d",
    "store_new_buyer_share_28d",
];

/// Number of ranker columns.
pub const RANK_LEN: usize = 29;

/// Column indexes of [`RANK_FEATURES`].
#[allow(missing_docs)]
pub mod col {
    pub const OWN_DAYS: usize = 0;
    pub const OWN_SHARE: usize = 1;
    pub const OWN_BASKET_DECAY: usize = 2;
    pub const OWN_TIME_DECAY: usize = 3;
    pub const OWN_DAYS_SINCE_LAST: usize = 4;
    pub const OWN_GAP_MEAN: usize = 5;
    pub const OWN_OVERDUE: usize = 6;
    pub const OWN_QUANTITY_LOG: usize = 7;
    pub const IN_LAST_BASKET: usize = 8;
    pub const COPURCHASE_SCORE: usize = 9;
    pub const COPURCHASE_MAX: usize = 10;
    pub const STORE_SHARE_28D: usize = 11;
    pub const STORE_SHARE_7D: usize = 12;
    pub const STORE_TREND: usize = 13;
    pub const STORE_REPEAT_RATE: usize = 14;
    pub const STORE_GAP: usize = 15;
    pub const STORE_OVERDUE: usize = 16;
    pub const STORE_BUYERS_LOG: usize = 17;
    pub const MEMBER_DAYS: usize = 18;
    pub const MEMBER_RECENCY: usize = 19;
    pub const MEMBER_EXPLORE: usize = 20;
    pub const MEMBER_TENURE: usize = 21;
    pub const PARENT_SHARE: usize = 22;
    pub const OWN_RANK: usize = 23;
    pub const STORE_RANK: usize = 24;
    pub const COPURCHASE_HISTORY: usize = 25;
    pub const MEMBER_OVERDUE: usize = 26;
    pub const STORE_REBUY_RATE: usize = 27;
    pub const STORE_NEW_BUYERS: usize = 28;
}

/// Rank written in `own_rank` for a candidate the member never bought.
pub const NEVER_RANK: f32 = 999.0;

/// Days written in `own_days_since_last` for a candidate the member never bought.
pub const NEVER_DAYS: f32 = 999.0;

/// SHA-256 (hex) of the version and the column names in order.
pub fn rank_schema_hash() -> String {
    let mut h = Sha256::new();
    h.update(format!("tiefen-rank-v{RANK_SCHEMA_VERSION}\n"));
    for name in RANK_FEATURES {
        h.update(name);
        h.update("\n");
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_indexes_match() {
        let mut seen = std::collections::HashSet::new();
        assert!(RANK_FEATURES.iter().all(|n| seen.insert(*n)));
        assert_eq!(RANK_FEATURES[col::OWN_OVERDUE], "own_overdue_ratio");
        assert_eq!(RANK_FEATURES[col::STORE_OVERDUE], "store_overdue_ratio");
        assert_eq!(RANK_FEATURES[col::PARENT_SHARE], "parent_share");
        assert_eq!(rank_schema_hash().len(), 64);
    }
}
