//! The known treatment effect: its parameters, and the one extra purchase day it gives.

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::catalog::Catalog;
use super::members::Profile;
use super::output::RawLine;
use super::params::{SynthParams, SynthValidParams};
use super::simulate::{MemberSim, TripKind, day_number};

/// Added to the dataset seed for the treatment draws, so they never touch the baseline's
/// streams; member `M000042` draws from stream 42.
const TREATMENT_SALT: u64 = 0x7472_6561_746d_656e;

/// Probability that a treated member gets one extra purchase day in the window: `default`,
/// or the override of the member's group. Every value must lie in `[0, 1]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TreatmentEffect {
    /// Effect for treated members whose group has no override, or who have no group.
    /// Defaults to 0.
    pub default: f64,
    /// Effect per group name (e.g. `champions`), overriding `default`.
    pub groups: BTreeMap<String, f64>,
}

impl TreatmentEffect {
    /// The same effect `default` for every group.
    pub fn new(default: f64) -> Self {
        Self {
            default,
            groups: BTreeMap::new(),
        }
    }

    /// Sets the effect of `group`, replacing an earlier one.
    pub fn with_group(mut self, group: impl Into<String>, effect: f64) -> Self {
        self.groups.insert(group.into(), effect);
        self
    }

    /// The effect on a treated member of `group`.
    pub fn for_group(&self, group: Option<&str>) -> f64 {
        group
            .and_then(|g| self.groups.get(g))
            .copied()
            .unwrap_or(self.default)
    }
}

/// The outcome window after a dataset and the effect of the campaign in it; pass it through
/// [`OutcomeParams::check`] before use.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeParams {
    /// First day of the window; after the dataset's `end`, and the window ends within 20
    /// years of it. Defaults (`None`) to the day after `end`.
    pub from: Option<NaiveDate>,
    /// Length of the window in days, `1..=3660`. Defaults to 28.
    pub days: u32,
    /// The treatment effect. Defaults to 0 everywhere.
    pub effect: TreatmentEffect,
}

impl Default for OutcomeParams {
    fn default() -> Self {
        Self {
            from: None,
            days: 28,
            effect: TreatmentEffect::default(),
        }
    }
}

/// An outcome parameter outside its documented range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OutcomeParamsError {
    /// An effect outside `[0, 1]` (or NaN); `group` is `None` for the default effect.
    #[error("{} = {value} is outside [0, 1]", effect_name(.group))]
    EffectOutOfRange {
        /// The group whose override is wrong, `None` for the default.
        group: Option<String>,
        /// The rejected value.
        value: f64,
    },
    /// The window would start on or before the dataset's last day.
    #[error("the window must start after the data's end {end}, not on {from}")]
    WindowNotAfterEnd {
        /// The requested first day.
        from: NaiveDate,
        /// The dataset's last day.
        end: NaiveDate,
    },
    /// `days` outside `1..=3660`.
    #[error("days = {0} is outside 1..=3660")]
    BadDays(u32),
    /// The window would end more than 20 years after the dataset's last day.
    #[error("the window from {from} must end within 20 years of the data's end {end}")]
    WindowTooFar {
        /// The requested first day.
        from: NaiveDate,
        /// The dataset's last day.
        end: NaiveDate,
    },
}

/// `effect` or `effect of group `g``, for messages.
fn effect_name(group: &Option<String>) -> String {
    match group {
        Some(g) => format!("effect of group `{g}`"),
        None => "effect".to_owned(),
    }
}

impl OutcomeParams {
    /// Checks the window against the dataset `data` and every effect against `[0, 1]`.
    pub fn check(self, data: &SynthValidParams) -> Result<OutcomeValidParams, OutcomeParamsError> {
        let end = data.as_params().end;
        let from = self.from.unwrap_or(end + chrono::Days::new(1));
        if from <= end {
            return Err(OutcomeParamsError::WindowNotAfterEnd { from, end });
        }
        if !(1..=3660).contains(&self.days) {
            return Err(OutcomeParamsError::BadDays(self.days));
        }
        if (from - end).num_days() + i64::from(self.days) > 20 * 366 {
            return Err(OutcomeParamsError::WindowTooFar { from, end });
        }
        let groups = self.effect.groups.iter().map(|(g, v)| (Some(g), *v));
        for (group, value) in std::iter::once((None, self.effect.default)).chain(groups) {
            if !(0.0..=1.0).contains(&value) {
                let group = group.cloned();
                return Err(OutcomeParamsError::EffectOutOfRange { group, value });
            }
        }
        Ok(OutcomeValidParams {
            from,
            days: self.days,
            effect: self.effect,
        })
    }
}

/// [`OutcomeParams`] that passed [`OutcomeParams::check`]: the window is resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeValidParams {
    /// First day of the window.
    pub(crate) from: NaiveDate,
    /// Days in the window.
    pub(crate) days: u32,
    /// The checked effect.
    pub(crate) effect: TreatmentEffect,
}

impl OutcomeValidParams {
    /// First day of the window.
    pub fn from(&self) -> NaiveDate {
        self.from
    }

    /// Length of the window in days.
    pub fn days(&self) -> u32 {
        self.days
    }

    /// The effect per group.
    pub fn effect(&self) -> &TreatmentEffect {
        &self.effect
    }

    /// The window as day numbers, end exclusive.
    pub(crate) fn window(&self) -> Range<i64> {
        let from = day_number(self.from);
        from..from + i64::from(self.days)
    }
}

/// A treated member as of the dataset's end: who they are and what they have spent.
pub(crate) struct Shopper<'a> {
    pub(crate) profile: Profile,
    pub(crate) spend: f64,
    pub(crate) catalog: &'a Catalog,
    /// The dataset's params with `return_rate` 0: extra purchases are never returned.
    pub(crate) params: &'a SynthParams,
}

impl Shopper<'_> {
    /// The treatment's extra purchase day for member `number`, empty unless the member's
    /// own draw (probability `effect`, the first draw of its treatment stream, so the members
    /// picked at a smaller effect are a subset of those at a larger one) says so. The day is
    /// uniform over the window days on which the member has no baseline line (`busy`), or
    /// over the whole window when there is none; the basket is an impulse trip drawn the way
    /// the generator draws every basket, from the member's tastes at the dataset's end.
    pub(crate) fn extra_order(
        self,
        seed: u64,
        number: usize,
        effect: f64,
        window: Range<i64>,
        busy: &[i64],
    ) -> Vec<RawLine> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(TREATMENT_SALT));
        rng.set_stream(number as u64);
        if !rng.random_bool(effect) {
            return Vec::new();
        }
        let free: Vec<i64> = window.clone().filter(|d| !busy.contains(d)).collect();
        let days = if free.is_empty() {
            window.collect()
        } else {
            free
        };
        let day = days[rng.random_range(0..days.len())];
        let mut sim = MemberSim::new(self.params, self.catalog, rng, self.profile);
        sim.spend = self.spend;
        sim.trip(day, TripKind::Impulse);
        sim.lines
    }
}
