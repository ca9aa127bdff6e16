//! Hyperparameters of the synthetic brand, with their defaults and their checks.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Everything that shapes a synthetic dataset. Deserialisable from TOML or JSON, where every
/// missing field takes its default; pass it through [`SynthParams::check`] before use.
///
/// The defaults produce the bundled `notebooks-data/sample/` dataset: 3,000 members over
/// 2023-01-01 ..= 2024-12-31 with seed 20240101.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SynthParams {
    /// Seed of every random draw; equal seeds and params give byte-identical output.
    /// Defaults to 20240101.
    pub seed: u64,
    /// Number of members in the programme, including those who joined before `start`.
    /// At least 1. Defaults to 3,000.
    pub members: usize,
    /// First day of the exported order lines (inclusive). Defaults to 2023-01-01.
    pub start: NaiveDate,
    /// Last day of the exported order lines (inclusive); after `start`, at most 20 years later.
    /// Defaults to 2024-12-31.
    pub end: NaiveDate,
    /// Share of members who joined in the `prior_years` before `start` (their earlier lines are
    /// simulated but not exported). In `[0, 1]`. Defaults to 0.4.
    pub prior_member_share: f64,
    /// How many years before `start` the earliest members joined. At most 10. Defaults to 3.
    pub prior_years: u32,
    /// Share of members who sign up but never buy. In `[0, 1)`. Defaults to 0.04.
    pub never_buy_share: f64,
    /// Probability that a member never comes back after the first purchase day. In `[0, 1]`.
    /// Defaults to 0.35.
    pub one_time_share: f64,
    /// Churn hazard scale: a gap of `r` times a member's usual gap ends in leaving for good with
    /// probability `1 - exp(-gap_hazard * frailty * r^2)`. At least 0. Defaults to 0.035.
    pub gap_hazard: f64,
    /// Probability, after each purchase day, that the member lapses (buys elsewhere for about
    /// `lapse_days`); long lapses usually end in churn, the rest come back. In `[0, 1]`.
    /// Defaults to 0.06.
    pub lapse_rate: f64,
    /// Median length of a lapse in days (log-normal, sigma 0.5). At least 1. Defaults to 100.
    pub lapse_days: f64,
    /// Unplanned (impulse) purchase days per month for a member of average activity, before
    /// seasonality. At least 0. Defaults to 0.35.
    pub impulse_per_month: f64,
    /// Probability that a basket adds one category outside the member's favourites. In `[0, 1]`.
    /// Defaults to 0.2.
    pub explore_rate: f64,
    /// Probability that an explored category becomes a favourite. In `[0, 1]`. Defaults to 0.1.
    pub adopt_rate: f64,
    /// Probability of a gift purchase day in a member's birthday month (birthday coupon).
    /// In `[0, 1]`. Defaults to 0.3.
    pub birthday_trip_rate: f64,
    /// Target share of order lines that are returns (negative quantity and amount).
    /// In `[0, 0.2]`. Defaults to 0.01.
    pub return_rate: f64,
    /// Share of order lines written with an empty category, to exercise missing-category
    /// handling downstream. In `[0, 1]`. Defaults to 0 (every line has its category).
    pub empty_category_share: f64,
    /// Share of members written without birthday and age group. In `[0, 1]`. Defaults to 0.02.
    pub missing_birthday_share: f64,
    /// Mean number of items per category (each category gets between half and 1.5 times this).
    /// In `1..=500`. Defaults to 18.
    pub items_per_category: usize,
}

impl Default for SynthParams {
    fn default() -> Self {
        Self {
            seed: 20240101,
            members: 3000,
            start: NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or_default(),
            end: NaiveDate::from_ymd_opt(2024, 12, 31).unwrap_or_default(),
            prior_member_share: 0.4,
            prior_years: 3,
            never_buy_share: 0.04,
            one_time_share: 0.25,
            gap_hazard: 0.003,
            lapse_rate: 0.02,
            lapse_days: 100.0,
            impulse_per_month: 0.5,
            explore_rate: 0.2,
            adopt_rate: 0.1,
            birthday_trip_rate: 0.3,
            return_rate: 0.01,
            empty_category_share: 0.0,
            missing_birthday_share: 0.02,
            items_per_category: 18,
        }
    }
}

/// A hyperparameter outside its documented range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SynthParamsError {
    /// `members` was 0.
    #[error("members must be at least 1")]
    NoMembers,
    /// `end` is not after `start`, or the span is over 20 years.
    #[error("date range {start} ..= {end} must be non-empty, ordered and at most 20 years")]
    BadDateRange {
        /// The configured start.
        start: NaiveDate,
        /// The configured end.
        end: NaiveDate,
    },
    /// A numeric field outside its range.
    #[error("{name} = {value} is outside {range}")]
    OutOfRange {
        /// Field name.
        name: &'static str,
        /// The rejected value.
        value: f64,
        /// The valid range, as text.
        range: &'static str,
    },
}

/// [`SynthParams`] that passed [`SynthParams::check`]; the only input the generator accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthValidParams(SynthParams);

impl SynthValidParams {
    /// The checked values.
    pub fn as_params(&self) -> &SynthParams {
        &self.0
    }
}

macro_rules! setter {
    ($(#[$doc:meta] $name:ident: $field:ident: $ty:ty),* $(,)?) => {
        impl SynthParams {
            $(#[$doc] pub fn $name(mut self, value: $ty) -> Self {
                self.$field = value;
                self
            })*
        }
    };
}

setter! {
    /// Sets [`SynthParams::seed`].
    with_seed: seed: u64,
    /// Sets [`SynthParams::members`].
    with_members: members: usize,
    /// Sets [`SynthParams::start`].
    with_start: start: NaiveDate,
    /// Sets [`SynthParams::end`].
    with_end: end: NaiveDate,
    /// Sets [`SynthParams::prior_member_share`].
    with_prior_member_share: prior_member_share: f64,
    /// Sets [`SynthParams::one_time_share`].
    with_one_time_share: one_time_share: f64,
    /// Sets [`SynthParams::gap_hazard`].
    with_gap_hazard: gap_hazard: f64,
    /// Sets [`SynthParams::lapse_rate`].
    with_lapse_rate: lapse_rate: f64,
    /// Sets [`SynthParams::return_rate`].
    with_return_rate: return_rate: f64,
    /// Sets [`SynthParams::empty_category_share`].
    with_empty_category_share: empty_category_share: f64,
    /// Sets [`SynthParams::missing_birthday_share`].
    with_missing_birthday_share: missing_birthday_share: f64,
    /// Sets [`SynthParams::items_per_category`].
    with_items_per_category: items_per_category: usize,
}

impl SynthParams {
    /// Validates every field against its documented range.
    pub fn check(self) -> Result<SynthValidParams, SynthParamsError> {
        if self.members == 0 {
            return Err(SynthParamsError::NoMembers);
        }
        let span = (self.end - self.start).num_days();
        if !(1..=20 * 366).contains(&span) {
            return Err(SynthParamsError::BadDateRange {
                start: self.start,
                end: self.end,
            });
        }
        let unit = "[0, 1]";
        let ranges: [(&'static str, f64, f64, f64, &'static str); 15] = [
            (
                "prior_member_share",
                self.prior_member_share,
                0.0,
                1.0,
                unit,
            ),
            (
                "prior_years",
                f64::from(self.prior_years),
                0.0,
                10.0,
                "0..=10",
            ),
            (
                "never_buy_share",
                self.never_buy_share,
                0.0,
                0.99,
                "[0, 0.99]",
            ),
            ("one_time_share", self.one_time_share, 0.0, 1.0, unit),
            ("gap_hazard", self.gap_hazard, 0.0, 100.0, "[0, 100]"),
            ("lapse_rate", self.lapse_rate, 0.0, 1.0, unit),
            ("lapse_days", self.lapse_days, 1.0, 3650.0, "[1, 3650]"),
            (
                "impulse_per_month",
                self.impulse_per_month,
                0.0,
                30.0,
                "[0, 30]",
            ),
            ("explore_rate", self.explore_rate, 0.0, 1.0, unit),
            ("adopt_rate", self.adopt_rate, 0.0, 1.0, unit),
            (
                "birthday_trip_rate",
                self.birthday_trip_rate,
                0.0,
                1.0,
                unit,
            ),
            ("return_rate", self.return_rate, 0.0, 0.2, "[0, 0.2]"),
            (
                "empty_category_share",
                self.empty_category_share,
                0.0,
                1.0,
                unit,
            ),
            (
                "missing_birthday_share",
                self.missing_birthday_share,
                0.0,
                1.0,
                unit,
            ),
            (
                "items_per_category",
                self.items_per_category as f64,
                1.0,
                500.0,
                "1..=500",
            ),
        ];
        for (name, value, lo, hi, range) in ranges {
            if !(lo..=hi).contains(&value) {
                return Err(SynthParamsError::OutOfRange { name, value, range });
            }
        }
        Ok(SynthValidParams(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_the_check() {
        assert!(SynthParams::default().check().is_ok());
    }

    #[test]
    fn rejects_zero_members() {
        let err = SynthParams::default().with_members(0).check();
        assert!(matches!(err, Err(SynthParamsError::NoMembers)));
    }

    #[test]
    fn rejects_an_end_before_the_start() {
        let p = SynthParams::default();
        let err = p.clone().with_end(p.start).check();
        assert!(matches!(err, Err(SynthParamsError::BadDateRange { .. })));
    }

    #[test]
    fn rejects_a_return_rate_above_its_range() {
        let err = SynthParams::default().with_return_rate(0.5).check();
        assert!(matches!(
            err,
            Err(SynthParamsError::OutOfRange {
                name: "return_rate",
                ..
            })
        ));
    }

    #[test]
    fn missing_toml_fields_take_their_defaults() {
        let p: SynthParams = serde_json::from_str(r#"{"members": 10}"#).unwrap();
        assert_eq!(p, SynthParams::default().with_members(10));
    }
}
