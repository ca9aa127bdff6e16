//! The tier programme as configured, and its checked form.

use crate::segments::ConfigError;

/// Where a member lands when a tier expires without being renewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Downgrade {
    /// One level down (default): the gentlest and most predictable step, one notice per period.
    #[default]
    OneStep,
    /// The highest lower level whose renewal threshold the same window's spend meets (the base
    /// level when none does).
    ToSupported,
    /// Back to the base level (eshopland's reset to Tier 1).
    ToBase,
}

/// One level of a tier programme.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierLevel {
    /// English id (`silver`).
    pub id: String,
    /// Display name, as the members table writes it (`銀卡`).
    pub label: String,
    /// Net spend within the window that reaches this level. Not allowed on the base level.
    #[serde(default)]
    pub spend: Option<f64>,
    /// Amount of one order (the purchase lines sharing one timestamp) that reaches this level.
    #[serde(default)]
    pub single_order: Option<f64>,
    /// Net spend within the window before expiry that keeps this level; defaults to `spend`.
    #[serde(default)]
    pub renew: Option<f64>,
}

/// A tier programme as configured (serde, TOML; unknown keys are an error): levels from lowest
/// to highest, the first being the base level everyone holds. Checked by
/// [`TierProgram::check`]; the rules are on [`ValidTierProgram::evaluate`].
///
/// ```toml
/// window_days = 365        # rolling window of net spend; leave out for lifetime spend
/// validity_days = 365      # leave out for tiers that never expire
/// downgrade = "one_step"   # or "to_supported", "to_base"
///
/// [[levels]]
/// id = "regular"
/// label = "普卡"
///
/// [[levels]]
/// id = "silver"
/// label = "銀卡"
/// spend = 15000
/// renew = 10000
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierProgram {
    /// Days in the rolling spend window (a window ending on day `d` covers `d - window_days + 1
    /// ..= d`); `None` counts all history (lifetime spend).
    #[serde(default)]
    pub window_days: Option<u32>,
    /// Days a reached or renewed level is held before review; `None` never expires.
    #[serde(default)]
    pub validity_days: Option<u32>,
    /// What happens at expiry without renewal (default [`Downgrade::OneStep`]).
    #[serde(default)]
    pub downgrade: Downgrade,
    /// Levels from lowest (the base) to highest.
    pub levels: Vec<TierLevel>,
}

impl TierProgram {
    /// Checks the programme.
    ///
    /// # Errors
    /// [`ConfigError::NoLevels`]; [`ConfigError::ZeroDays`] for a zero window or validity;
    /// [`ConfigError::EmptyLevelField`] or [`ConfigError::DuplicateLevel`] for ids and labels;
    /// [`ConfigError::BaseWithThreshold`] when the base level has a threshold;
    /// [`ConfigError::BadAmount`] for a threshold that is not a finite amount above 0;
    /// [`ConfigError::NoUpgradeRule`] for an unreachable level; [`ConfigError::NotIncreasing`]
    /// when `spend` or `single_order` do not increase from level to level;
    /// [`ConfigError::Renewal`] for `renew` above `spend`, `renew` without `validity_days`, or
    /// an expiring level without a renewal threshold.
    pub fn check(self) -> Result<ValidTierProgram, ConfigError> {
        let zero = |field| ConfigError::ZeroDays {
            section: "tiers",
            field,
        };
        if self.window_days == Some(0) {
            return Err(zero("window_days"));
        }
        if self.validity_days == Some(0) {
            return Err(zero("validity_days"));
        }
        let Some(base) = self.levels.first() else {
            return Err(ConfigError::NoLevels);
        };
        for (field, v) in [
            ("spend", base.spend),
            ("single_order", base.single_order),
            ("renew", base.renew),
        ] {
            if v.is_some() {
                return Err(ConfigError::BaseWithThreshold {
                    level: base.id.clone(),
                    field,
                });
            }
        }
        for (i, level) in self.levels.iter().enumerate() {
            check_names(&self.levels, i)?;
            if i > 0 {
                self.check_level(level)?;
                increasing(&self.levels[..i], level, "spend", |l| l.spend)?;
                increasing(&self.levels[..i], level, "single_order", |l| l.single_order)?;
            }
        }
        Ok(ValidTierProgram(self))
    }

    fn check_level(&self, level: &TierLevel) -> Result<(), ConfigError> {
        let renewal = |reason| ConfigError::Renewal {
            level: level.id.clone(),
            reason,
        };
        for (field, v) in [
            ("spend", level.spend),
            ("single_order", level.single_order),
            ("renew", level.renew),
        ] {
            if let Some(value) = v.filter(|v| !(v.is_finite() && *v > 0.0)) {
                return Err(ConfigError::BadAmount {
                    level: level.id.clone(),
                    field,
                    value,
                });
            }
        }
        if level.spend.is_none() && level.single_order.is_none() {
            return Err(ConfigError::NoUpgradeRule {
                level: level.id.clone(),
            });
        }
        if let (Some(renew), Some(spend)) = (level.renew, level.spend)
            && renew > spend
        {
            return Err(renewal("`renew` is above `spend`"));
        }
        match (self.validity_days, level.renew.or(level.spend)) {
            (None, _) if level.renew.is_some() => Err(renewal(
                "`renew` needs `validity_days`: levels never expire without it",
            )),
            (Some(_), None) => Err(renewal(
                "the level expires but has no renewal threshold (`renew` or `spend`)",
            )),
            _ => Ok(()),
        }
    }
}

fn check_names(levels: &[TierLevel], i: usize) -> Result<(), ConfigError> {
    let level = &levels[i];
    let name = if level.id.is_empty() {
        format!("#{}", i + 1)
    } else {
        level.id.clone()
    };
    for (field, value) in [("id", &level.id), ("label", &level.label)] {
        if value.trim().is_empty() {
            return Err(ConfigError::EmptyLevelField { level: name, field });
        }
    }
    let earlier = &levels[..i];
    for value in [&level.id, &level.label] {
        if earlier.iter().any(|l| &l.id == value || &l.label == value) {
            return Err(ConfigError::DuplicateLevel {
                level: value.clone(),
            });
        }
    }
    Ok(())
}

fn increasing(
    earlier: &[TierLevel],
    level: &TierLevel,
    field: &'static str,
    get: impl Fn(&TierLevel) -> Option<f64>,
) -> Result<(), ConfigError> {
    let below = earlier.iter().rev().find_map(|l| get(l).map(|v| (l, v)));
    match (below, get(level)) {
        (Some((lower_level, lower)), Some(value)) if value <= lower => {
            Err(ConfigError::NotIncreasing {
                section: format!("tiers.{} (above {})", level.id, lower_level.id),
                field,
                value,
                lower_field: field,
                lower,
            })
        }
        _ => Ok(()),
    }
}

/// A checked [`TierProgram`]: the only form members are evaluated with.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ValidTierProgram(TierProgram);

impl ValidTierProgram {
    /// The checked programme.
    pub fn as_program(&self) -> &TierProgram {
        &self.0
    }

    /// The levels, lowest first.
    pub fn levels(&self) -> &[TierLevel] {
        &self.0.levels
    }

    /// The index of the level whose id or label is `name` (surrounding whitespace ignored).
    pub fn level_by_name(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.levels()
            .iter()
            .position(|l| l.id == name || l.label == name)
    }

    /// The renewal threshold of level `level`: its `renew`, else its `spend`; `None` for the
    /// base level and for levels that never expire.
    pub fn renew_threshold(&self, level: usize) -> Option<f64> {
        let l = self.levels().get(level)?;
        self.0.validity_days?;
        if level == 0 {
            None
        } else {
            l.renew.or(l.spend)
        }
    }
}
