//! Next-category and next-item recommendations: store tables, per-member candidates, the
//! ranker's input rows, and the final list. Training fits the ranker on these rows; serving
//! computes the same rows from the exported tables and a member's live history.
//!
//! Flow for one member and one kind: [`MemberContext::new`] → [`candidates`] (own ids,
//! co-purchase neighbours of recent baskets, store-wide popular ids; each with a
//! [`RANK_LEN`]-column row) → scores from the ranker → [`select`].

mod candidates;
mod manifest;
mod member;
mod picks;
mod select;
mod spec;
mod tables;

pub use candidates::{Affinity, CandidateParams, CandidateSet, candidates, row};
pub use manifest::{RECOMMEND_FILE, RecommendManifest};
pub use member::{BASKET_DECAY, MemberContext, OwnStats, RECENT_BASKETS, TIME_DECAY_DAYS};
pub use picks::{KEEP, KEPT_COLUMNS, Pick, keep_best, select_picks};
pub use select::{
    EXCLUDE_RECENT_DAYS_RANGE, MAX_PER_CATEGORY_RANGE, REPLENISH_REPEAT_RATE, Ranked,
    SelectOptions, reason, select, select_by,
};
pub use spec::{
    NEVER_DAYS, NEVER_RANK, RANK_FEATURES, RANK_LEN, RANK_SCHEMA_VERSION, col, rank_schema_hash,
};
pub use tables::{CandidateStats, PortableEntry, PortableTables, StoreTables, TableParams};

#[cfg(test)]
mod tests;
