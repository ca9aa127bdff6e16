//! Configuration errors of the layer table, the lifecycle thresholds, the tier programme and
//! the offer rules.

/// What `check()` found wrong in a [`GroupTable`](super::GroupTable),
/// [`LifecycleParams`](super::LifecycleParams), [`TierProgram`](super::TierProgram) or
/// [`OfferParams`](crate::offers::OfferParams). Each variant names the group, level or
/// field at fault; offer errors name the TOML table (`offers.replenishment`) and key.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The group table has no group.
    #[error("the layer table has no group")]
    NoGroups,
    /// A group's id or label is empty (`group` is the 1-based position when the id is empty).
    #[error("group `{group}`: `{field}` is empty")]
    EmptyGroupField {
        /// The group's id, or `#n` for the n-th group when the id itself is empty.
        group: String,
        /// `id` or `label`.
        field: &'static str,
    },
    /// A group id has characters other than lowercase ASCII letters, digits and `_` (ids
    /// appear in URLs and file columns).
    #[error("group `{group}`: `id` must be lowercase ASCII letters, digits and `_`")]
    BadGroupId {
        /// The id as written.
        group: String,
    },
    /// Two groups share an id.
    #[error("group `{group}` appears more than once")]
    DuplicateGroup {
        /// The repeated id.
        group: String,
    },
    /// A score range bound is above [`SCORE_MAX`](super::SCORE_MAX).
    #[error("group `{group}`: `{field}` bound {value} is above the highest score {max}")]
    ScoreOutOfRange {
        /// The group's id.
        group: String,
        /// `r`, `f` or `m`.
        field: &'static str,
        /// The bound as written.
        value: u8,
        /// The highest score.
        max: u8,
    },
    /// A score range has its lower bound above its upper bound.
    #[error("group `{group}`: `{field}` = [{min}, {max}] is empty (lower bound above upper)")]
    EmptyScoreRange {
        /// The group's id.
        group: String,
        /// `r`, `f` or `m`.
        field: &'static str,
        /// Lower bound as written.
        min: u8,
        /// Upper bound as written.
        max: u8,
    },
    /// No group matches this score triple: the table needs a final catch-all.
    #[error("no group matches scores r={r} f={f} m={m}; end the table with a catch-all group")]
    Uncovered {
        /// Recency score.
        r: u8,
        /// Frequency score.
        f: u8,
        /// Monetary score.
        m: u8,
    },
    /// Every score triple of a group is taken by earlier groups, so it can never be assigned.
    #[error("group `{group}` can never match: earlier groups take all of its scores")]
    Unreachable {
        /// The group's id.
        group: String,
    },
    /// A number of days must be at least 1.
    #[error("{section}: `{field}` must be at least 1 day")]
    ZeroDays {
        /// `lifecycle` or `tiers`.
        section: &'static str,
        /// The field.
        field: &'static str,
    },
    /// A quantile must lie strictly between 0 and 1.
    #[error("lifecycle: `{field}` = {value} must be strictly between 0 and 1")]
    BadQuantile {
        /// The field.
        field: &'static str,
        /// The value as written.
        value: f64,
    },
    /// Two thresholds (or quantiles) that must increase do not.
    #[error("{section}: `{field}` ({value}) must be greater than `{lower_field}` ({lower})")]
    NotIncreasing {
        /// `lifecycle`, or `tiers.<level id>` for a tier level.
        section: String,
        /// The field that is too small.
        field: &'static str,
        /// Its value.
        value: f64,
        /// The field it must exceed.
        lower_field: &'static str,
        /// That field's value.
        lower: f64,
    },
    /// The tier programme has no level.
    #[error("the tier programme has no level")]
    NoLevels,
    /// A tier level's id or label is empty.
    #[error("tier level `{level}`: `{field}` is empty")]
    EmptyLevelField {
        /// The level's id, or `#n` for the n-th level when the id itself is empty.
        level: String,
        /// `id` or `label`.
        field: &'static str,
    },
    /// Two tier levels share an id or a label.
    #[error("tier level `{level}` appears more than once")]
    DuplicateLevel {
        /// The repeated id or label.
        level: String,
    },
    /// A money threshold is negative, zero where it must be positive, or not finite.
    #[error("tier level `{level}`: `{field}` = {value} must be a finite amount above 0")]
    BadAmount {
        /// The level's id.
        level: String,
        /// `spend`, `single_order` or `renew`.
        field: &'static str,
        /// The value as written.
        value: f64,
    },
    /// The first (base) level has an upgrade or renewal threshold; it is held by everyone.
    #[error("tier level `{level}` is the base level and cannot have `{field}`")]
    BaseWithThreshold {
        /// The base level's id.
        level: String,
        /// The offending field.
        field: &'static str,
    },
    /// A level above the base has neither `spend` nor `single_order`, so nobody can reach it.
    #[error("tier level `{level}` has neither `spend` nor `single_order`")]
    NoUpgradeRule {
        /// The level's id.
        level: String,
    },
    /// A level has `renew` but the programme has no `validity_days`, or it expires but there is
    /// no renewal threshold (no `renew` and no `spend` to default to).
    #[error("tier level `{level}`: {reason}")]
    Renewal {
        /// The level's id.
        level: String,
        /// What is inconsistent.
        reason: &'static str,
    },
    /// A value lies outside its valid range.
    #[error("{section}: `{field}` = {value} must be {range}")]
    OutOfRange {
        /// The TOML table, such as `offers.replenishment`.
        section: &'static str,
        /// The key.
        field: &'static str,
        /// The value as written.
        value: f64,
        /// The valid range in words, such as `in (0, 1]`.
        range: String,
    },
    /// A list that must name at least one value is empty.
    #[error("{section}: `{field}` is empty; list at least one value or set `enabled = false`")]
    EmptyList {
        /// The TOML table, such as `offers.win_back`.
        section: &'static str,
        /// The key.
        field: &'static str,
    },
}
