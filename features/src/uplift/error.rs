//! Why an uplift figure cannot be computed.

use super::Arm;

/// An argument outside its valid range, or input that breaks a documented precondition. Each
/// variant names the field at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum UpliftError {
    /// A number is outside its valid range (`field` is the parameter's name).
    #[error("`{field}` = {value} is out of range: {expected}")]
    OutOfRange {
        /// The parameter, e.g. `confidence`, `alpha`, `baseline_rate`, `k`.
        field: &'static str,
        /// The value given.
        value: f64,
        /// The valid range, in words.
        expected: &'static str,
    },
    /// An arm's counts contradict each other (for example more converters than members).
    #[error("{arm} arm: `{field}` = {value} is inconsistent with {members} members")]
    Inconsistent {
        /// The arm.
        arm: Arm,
        /// `converters`, `orders.count` or `spend.count`.
        field: &'static str,
        /// The value given.
        value: u64,
        /// The arm's member count.
        members: u64,
    },
    /// A per-member value or a score is NaN or infinite.
    #[error("`{field}` is not finite (row {index})")]
    NotFinite {
        /// `spend`, `orders`, `sum_sq` or `score`.
        field: &'static str,
        /// The row (0-based) or, for summaries, 0.
        index: usize,
    },
    /// The data leave the figure undefined.
    #[error(transparent)]
    Degenerate(#[from] Degenerate),
}

/// Why a figure (or only its interval) is undefined for these data. Returned instead of NaN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Degenerate {
    /// The arm has no member.
    #[error("the {0} arm is empty")]
    EmptyArm(Arm),
    /// A variance needs at least two members in the arm.
    #[error("the {arm} arm has {members} member(s); a variance needs at least 2")]
    TooFewMembers {
        /// The arm.
        arm: Arm,
        /// Its member count.
        members: u64,
    },
    /// Every member of both arms has the same value, so the standard error is zero.
    #[error("both arms have zero variance")]
    ZeroVariance,
    /// The control rate or mean is zero, so a ratio to it is undefined.
    #[error("the control {0} is zero, so the relative uplift is undefined")]
    ZeroControl(&'static str),
    /// No treated member converted: the log-ratio interval is undefined (the ratio is 0).
    #[error("no treated member converted, so the log-ratio interval is undefined")]
    NoTreatedConverters,
    /// Among the top-ranked members chosen, the arm has nobody, so its rate is undefined.
    #[error("no {0} member among the top-ranked members selected")]
    EmptySelection(Arm),
    /// The perfect ranking's curve has the same area as the random one (no uplift to rank).
    #[error("the perfect curve has no area above the random baseline")]
    FlatPerfectCurve,
    /// The perfect Qini curve without negative effects runs backwards (overall uplift < 0).
    #[error("the perfect Qini curve is not monotonic (overall uplift is negative)")]
    NonMonotonicCurve,
}
