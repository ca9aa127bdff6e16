//! Configuration errors of holdouts and frequency caps.

/// A holdout share, channel name or frequency-cap rule that is not valid. Each variant names
/// the field or value at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CampaignError {
    /// The holdout share is outside [0, 0.5].
    #[error("`holdout_share` = {0} must be between 0 and 0.5")]
    HoldoutShare(f64),
    /// A channel name is not one of `email`, `line`, `sms`, `push`.
    #[error("unknown channel `{0}`; expected one of email, line, sms, push")]
    UnknownChannel(String),
    /// A frequency-cap rule has a field out of range.
    #[error("frequency cap rule #{rule}: `{field}` = {value} must be {expected}")]
    CapRule {
        /// The rule's 1-based position in the list.
        rule: usize,
        /// `max` or `window_days`.
        field: &'static str,
        /// The value as written.
        value: u32,
        /// The valid range, in words.
        expected: &'static str,
    },
}
