//! Lifecycle configuration: overrides for each threshold and the knobs of their derivation.

use crate::segments::ConfigError;

/// Lifecycle thresholds as configured (serde, TOML; unknown keys are an error). Every field
/// has a default; a threshold left out is derived from the store's repurchase gaps by
/// [`LifecycleThresholds::derive`](super::LifecycleThresholds::derive).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LifecycleParams {
    /// Days after the only purchase day during which a one-purchase-day member is `new`.
    /// Default: the store's `due_days`.
    pub new_days: Option<u32>,
    /// The store's usual gap: members without enough gaps of their own are `due` after it.
    /// Default: the median of the store's gaps, at least `due_floor_days`.
    pub due_days: Option<u32>,
    /// Days since the last purchase after which a member is `lapsing`. Default: the
    /// `lapsing_quantile` of the store's gaps, at least `lapsing_floor_days` and `due_days + 1`.
    pub lapsing_days: Option<u32>,
    /// Days since the last purchase after which a member is `lost`. Default: the
    /// `lost_quantile` of the store's gaps, at least `lost_floor_days` and `lapsing_days + 1`.
    pub lost_days: Option<u32>,
    /// Quantile of the store's gaps for `lapsing_days` (default 0.8).
    pub lapsing_quantile: f64,
    /// Quantile of the store's gaps for `lost_days` (default 0.95).
    pub lost_quantile: f64,
    /// Gaps a member needs for their own median gap to set when they are `due` (default 2).
    pub min_own_gaps: u32,
    /// Gaps the store needs for thresholds to be derived from them (default 30); with fewer,
    /// the derived values are the fallbacks 30 / 60 / 90 days (due / lapsing / lost).
    pub min_store_gaps: u32,
    /// Smallest derived `due_days`, and smallest own gap used for `due` (default 7).
    pub due_floor_days: u32,
    /// Smallest derived `lapsing_days` (default 30).
    pub lapsing_floor_days: u32,
    /// Smallest derived `lost_days` (default 60).
    pub lost_floor_days: u32,
}

impl Default for LifecycleParams {
    fn default() -> Self {
        LifecycleParams {
            new_days: None,
            due_days: None,
            lapsing_days: None,
            lost_days: None,
            lapsing_quantile: 0.8,
            lost_quantile: 0.95,
            min_own_gaps: 2,
            min_store_gaps: 30,
            due_floor_days: 7,
            lapsing_floor_days: 30,
            lost_floor_days: 60,
        }
    }
}

impl LifecycleParams {
    /// Sets `new_days`.
    pub fn new_days(mut self, days: u32) -> Self {
        self.new_days = Some(days);
        self
    }

    /// Sets `due_days`.
    pub fn due_days(mut self, days: u32) -> Self {
        self.due_days = Some(days);
        self
    }

    /// Sets `lapsing_days`.
    pub fn lapsing_days(mut self, days: u32) -> Self {
        self.lapsing_days = Some(days);
        self
    }

    /// Sets `lost_days`.
    pub fn lost_days(mut self, days: u32) -> Self {
        self.lost_days = Some(days);
        self
    }

    /// Checks the values.
    ///
    /// # Errors
    /// [`ConfigError::ZeroDays`] for a zero threshold, floor or `min_own_gaps`;
    /// [`ConfigError::BadQuantile`] for a quantile outside `(0, 1)`;
    /// [`ConfigError::NotIncreasing`] when `lost_quantile <= lapsing_quantile`, when the floors do
    /// not increase, or when overridden `due_days`, `lapsing_days`, `lost_days` do not increase.
    pub fn check(self) -> Result<LifecycleValidParams, ConfigError> {
        let zero = |field| ConfigError::ZeroDays {
            section: "lifecycle",
            field,
        };
        let days = [
            ("new_days", self.new_days),
            ("due_days", self.due_days),
            ("lapsing_days", self.lapsing_days),
            ("lost_days", self.lost_days),
            ("min_own_gaps", Some(self.min_own_gaps)),
            ("due_floor_days", Some(self.due_floor_days)),
            ("lapsing_floor_days", Some(self.lapsing_floor_days)),
            ("lost_floor_days", Some(self.lost_floor_days)),
        ];
        if let Some((field, _)) = days.iter().find(|(_, v)| *v == Some(0)) {
            return Err(zero(field));
        }
        for (field, q) in [
            ("lapsing_quantile", self.lapsing_quantile),
            ("lost_quantile", self.lost_quantile),
        ] {
            if !(q > 0.0 && q < 1.0) {
                return Err(ConfigError::BadQuantile { field, value: q });
            }
        }
        increasing(
            ("lapsing_quantile", Some(self.lapsing_quantile)),
            ("lost_quantile", Some(self.lost_quantile)),
        )?;
        let f = |d: u32| Some(f64::from(d));
        increasing(
            ("due_floor_days", f(self.due_floor_days)),
            ("lapsing_floor_days", f(self.lapsing_floor_days)),
        )?;
        increasing(
            ("lapsing_floor_days", f(self.lapsing_floor_days)),
            ("lost_floor_days", f(self.lost_floor_days)),
        )?;
        let overrides = [
            ("due_days", self.due_days.and_then(f)),
            ("lapsing_days", self.lapsing_days.and_then(f)),
            ("lost_days", self.lost_days.and_then(f)),
        ];
        let set: Vec<_> = overrides.into_iter().filter(|(_, v)| v.is_some()).collect();
        for pair in set.windows(2) {
            increasing(pair[0], pair[1])?;
        }
        Ok(LifecycleValidParams(self))
    }
}

/// Checked [`LifecycleParams`]: the only form thresholds are derived from. The default is the
/// checked default parameters.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct LifecycleValidParams(LifecycleParams);

impl LifecycleValidParams {
    /// The checked values.
    pub fn as_params(&self) -> &LifecycleParams {
        &self.0
    }
}

fn increasing(
    (lower_field, lower): (&'static str, Option<f64>),
    (field, value): (&'static str, Option<f64>),
) -> Result<(), ConfigError> {
    match (lower, value) {
        (Some(lower), Some(value)) if value <= lower => Err(ConfigError::NotIncreasing {
            section: "lifecycle".into(),
            field,
            value,
            lower_field,
            lower,
        }),
        _ => Ok(()),
    }
}
