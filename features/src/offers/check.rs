//! Checking the offer rules: [`OfferParams::check`] and its result [`ValidOfferParams`].

use super::kind::OfferKind;
use super::params::{Common, OfferParams};
use crate::segments::ConfigError;

/// Highest `suggested_items`.
pub const MAX_SUGGESTED_ITEMS: usize = 50;

/// Highest `days_before` of the birthday rule: the period stays well within one year.
pub const MAX_DAYS_BEFORE_BIRTHDAY: u32 = 180;

impl OfferParams {
    /// Checks the values.
    ///
    /// # Errors
    /// [`ConfigError::OutOfRange`] for `max_offers` of 0, `suggested_items` above
    /// [`MAX_SUGGESTED_ITEMS`], `tier_at_risk.keep_below` or `tier_upgrade.max_share` outside
    /// `(0, 1]`, `birthday.days_before` above [`MAX_DAYS_BEFORE_BIRTHDAY`],
    /// `replenishment.factor` not above 0, `replenishment.min_purchase_days` below 2,
    /// `second_purchase.max_days` below `min_days`, `cross_sell.min_score` outside `[0, 1]`;
    /// [`ConfigError::ZeroDays`] for `second_purchase.min_days` of 0;
    /// [`ConfigError::NotIncreasing`] when `replenishment.max_factor <= factor`;
    /// [`ConfigError::EmptyList`] for an enabled win-back rule without `bands`.
    pub fn check(self) -> Result<ValidOfferParams, ConfigError> {
        let out = |section, field, value: f64, range: &str| ConfigError::OutOfRange {
            section,
            field,
            value,
            range: range.to_string(),
        };
        let unit = |section, field, v: f64| {
            if v > 0.0 && v <= 1.0 {
                Ok(())
            } else {
                Err(out(section, field, v, "in (0, 1]"))
            }
        };
        if self.max_offers == 0 {
            return Err(out("offers", "max_offers", 0.0, "at least 1"));
        }
        if self.suggested_items > MAX_SUGGESTED_ITEMS {
            let range = format!("at most {MAX_SUGGESTED_ITEMS}");
            return Err(out(
                "offers",
                "suggested_items",
                self.suggested_items as f64,
                &range,
            ));
        }
        if self.win_back.enabled && self.win_back.bands.is_empty() {
            return Err(ConfigError::EmptyList {
                section: "offers.win_back",
                field: "bands",
            });
        }
        unit(
            "offers.tier_at_risk",
            "keep_below",
            self.tier_at_risk.keep_below,
        )?;
        if self.birthday.days_before > MAX_DAYS_BEFORE_BIRTHDAY {
            let range = format!("at most {MAX_DAYS_BEFORE_BIRTHDAY}");
            let days = f64::from(self.birthday.days_before);
            return Err(out("offers.birthday", "days_before", days, &range));
        }
        let r = &self.replenishment;
        if !(r.factor.is_finite() && r.factor > 0.0) {
            return Err(out("offers.replenishment", "factor", r.factor, "above 0"));
        }
        if !(r.max_factor.is_finite() && r.max_factor > r.factor) {
            return Err(ConfigError::NotIncreasing {
                section: "offers.replenishment".into(),
                field: "max_factor",
                value: r.max_factor,
                lower_field: "factor",
                lower: r.factor,
            });
        }
        if r.min_purchase_days < 2 {
            let days = f64::from(r.min_purchase_days);
            return Err(out(
                "offers.replenishment",
                "min_purchase_days",
                days,
                "at least 2",
            ));
        }
        let s = &self.second_purchase;
        if s.min_days == 0 {
            return Err(ConfigError::ZeroDays {
                section: "offers.second_purchase",
                field: "min_days",
            });
        }
        if s.max_days < s.min_days {
            let range = format!("at least `min_days` ({})", s.min_days);
            return Err(out(
                "offers.second_purchase",
                "max_days",
                f64::from(s.max_days),
                &range,
            ));
        }
        let min_score = self.cross_sell.min_score;
        if !(0.0..=1.0).contains(&min_score) {
            return Err(out(
                "offers.cross_sell",
                "min_score",
                min_score,
                "in [0, 1]",
            ));
        }
        unit(
            "offers.tier_upgrade",
            "max_share",
            self.tier_upgrade.max_share,
        )?;
        Ok(ValidOfferParams(self))
    }
}

/// Checked [`OfferParams`]: the only form offers are evaluated with. The default is the
/// checked shipped configuration.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ValidOfferParams(OfferParams);

impl ValidOfferParams {
    /// The checked values.
    pub fn as_params(&self) -> &OfferParams {
        &self.0
    }

    /// The keys every offer type has, for `kind`.
    pub fn common(&self, kind: OfferKind) -> Common {
        self.0.common(kind)
    }
}
