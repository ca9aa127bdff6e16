//! The offer rules as configured: the `[offers]` table and one sub-table per offer type.

use super::incentive::{Band, IncentiveLevel, IncentiveTable};
use super::kind::OfferKind;
use crate::Kind;

/// What every offer type's table has: `enabled`, `priority` and an optional fixed `incentive`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Common {
    /// Whether the rule runs (default true).
    pub enabled: bool,
    /// Lower is more important (default [`OfferKind::default_priority`]).
    pub priority: u32,
    /// A fixed incentive level for this offer type; `None` (the default, except for the
    /// birthday) reads the [`IncentiveTable`].
    pub incentive: Option<IncentiveLevel>,
}

/// Declares one offer type's table: `enabled`, `priority`, `incentive` and its own keys, all
/// defaulted, unknown keys rejected.
macro_rules! offer_table {
    ($(#[$doc:meta])* $name:ident, $kind:expr, $incentive:expr,
     { $($(#[$fdoc:meta])* $field:ident: $ty:ty = $default:expr,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct $name {
            /// Whether the rule runs (default true).
            pub enabled: bool,
            /// Lower is more important; the default is the kind's place in [`OfferKind::ALL`].
            pub priority: u32,
            /// A fixed incentive level; `None` reads the incentive table.
            pub incentive: Option<IncentiveLevel>,
            $($(#[$fdoc])* pub $field: $ty,)*
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    enabled: true,
                    priority: $kind.default_priority(),
                    incentive: $incentive,
                    $($field: $default,)*
                }
            }
        }

        impl $name {
            /// The keys every offer type has.
            pub fn common(&self) -> Common {
                Common { enabled: self.enabled, priority: self.priority, incentive: self.incentive }
            }
        }
    };
}

offer_table!(
    /// `[offers.win_back]`: members whose churn band is in `bands` and whose value band is at
    /// least `min_value_band` (a member without a value band passes only when it is `low`).
    WinBackParams, OfferKind::WinBack, None, {
        /// Churn bands that get a win-back offer (default `["high", "medium"]`, as Braze
        /// targets medium and high churn risk).
        bands: Vec<Band> = vec![Band::High, Band::Medium],
        /// Lowest value band that gets one (default `low`: every member; the incentive table
        /// already gives low-value members less).
        min_value_band: Band = Band::Low,
    }
);

offer_table!(
    /// `[offers.tier_at_risk]`: a member holding a tier that expires, with spend still needed
    /// to renew it and a probability of keeping it below `keep_below` (members without a
    /// keep probability, i.e. without a value model, get none).
    TierAtRiskParams, OfferKind::TierAtRisk, None, {
        /// The keep probability below which the tier is at risk, in `(0, 1]` (default 0.5).
        keep_below: f64 = 0.5,
    }
);

/// When the birthday period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BirthdayMode {
    /// The whole birthday month, valid until its last day (SHOPLINE's "1st of the birthday
    /// month"). The default.
    #[default]
    Month,
    /// From `days_before` days before the birthday through the birthday itself.
    DaysBefore,
}

offer_table!(
    /// `[offers.birthday]`: members with a birthday in the members table, within their
    /// birthday period. A 29 February birthday falls on 28 February in other years (and in
    /// February under `month`), as SHOPLINE does. The period comes once a year, so the offer
    /// does too; each offer carries the last day of its period as `valid_until`, which with
    /// the member identifies the year's offer for whoever sends it. The default incentive is
    /// a fixed `small` (a birthday credit), whatever the member's bands.
    BirthdayParams, OfferKind::Birthday, Some(IncentiveLevel::Small), {
        /// `month` (default) or `days_before`.
        mode: BirthdayMode = BirthdayMode::Month,
        /// Days before the birthday the period starts under `days_before`, 0..=180 (default 7).
        days_before: u32 = 7,
    }
);

offer_table!(
    /// `[offers.replenishment]`: a category (or item) the member bought on at least
    /// `min_purchase_days` days is due when the days since they last bought it are at least
    /// `factor` × their own median gap between those days, and not past `max_factor` × it
    /// (beyond that the habit has lapsed and win-back is the better offer).
    ReplenishmentParams, OfferKind::Replenishment, None, {
        /// `category` (default) or `item`.
        by: Kind = Kind::Category,
        /// Due from this multiple of the member's own median gap, above 0 (default 1.0).
        factor: f64 = 1.0,
        /// Lapsed after this multiple, above `factor` (default 3.0).
        max_factor: f64 = 3.0,
        /// Distinct days the member bought it, at least 2 (default 2: one gap).
        min_purchase_days: u32 = 2,
    }
);

offer_table!(
    /// `[offers.second_purchase]`: members with exactly one purchase day, `min_days` to
    /// `max_days` days ago (inclusive); valid until `max_days` after that day.
    SecondPurchaseParams, OfferKind::SecondPurchase, None, {
        /// At least 1 (default 7: give the first order time to arrive).
        min_days: u32 = 7,
        /// At least `min_days` (default 60, where "due reorder" windows end).
        max_days: u32 = 60,
    }
);

offer_table!(
    /// `[offers.cross_sell]`: the best-ranked next category the member has never bought,
    /// when its score (if the ranker gives one) is at least `min_score`.
    CrossSellParams, OfferKind::CrossSell, None, {
        /// Lowest ranker score, in `[0, 1]` (default 0: the rankers' order decides).
        min_score: f64 = 0.0,
    }
);

offer_table!(
    /// `[offers.tier_upgrade]`: the spend still needed for the next tier is at most
    /// `max_share` of that tier's spend threshold.
    TierUpgradeParams, OfferKind::TierUpgrade, None, {
        /// In `(0, 1]` (default 0.2: within 20% of the threshold).
        max_share: f64 = 0.2,
    }
);

/// The offer rules as configured: the `[offers]` table of the training and serving
/// configuration (serde, TOML; unknown keys are an error; every key defaults to the shipped
/// value). Checked by [`OfferParams::check`].
///
/// Default priorities (lower first), from the most to the least urgent for the member and
/// the brand: 1 win-back (the member is slipping away, and a lost member reads nothing else),
/// 2 tier at risk (a loss with a deadline), 3 birthday (valid only within its period),
/// 4 replenishment (the member's own need, due now, converts without much incentive),
/// 5 second purchase (the largest drop-off is between the first and second order),
/// 6 cross-sell (widens the basket, no deadline), 7 tier upgrade (the member is already
/// buying; a nice-to-have).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OfferParams {
    /// Most offers per member, at least 1 (default 5).
    pub max_offers: usize,
    /// Most suggested items per offer, 0..=50 (default 3).
    pub suggested_items: usize,
    /// `[offers.win_back]`.
    pub win_back: WinBackParams,
    /// `[offers.tier_at_risk]`.
    pub tier_at_risk: TierAtRiskParams,
    /// `[offers.birthday]`.
    pub birthday: BirthdayParams,
    /// `[offers.replenishment]`.
    pub replenishment: ReplenishmentParams,
    /// `[offers.second_purchase]`.
    pub second_purchase: SecondPurchaseParams,
    /// `[offers.cross_sell]`.
    pub cross_sell: CrossSellParams,
    /// `[offers.tier_upgrade]`.
    pub tier_upgrade: TierUpgradeParams,
    /// `[offers.incentives]`.
    pub incentives: IncentiveTable,
}

impl Default for OfferParams {
    fn default() -> Self {
        OfferParams {
            max_offers: 5,
            suggested_items: 3,
            win_back: WinBackParams::default(),
            tier_at_risk: TierAtRiskParams::default(),
            birthday: BirthdayParams::default(),
            replenishment: ReplenishmentParams::default(),
            second_purchase: SecondPurchaseParams::default(),
            cross_sell: CrossSellParams::default(),
            tier_upgrade: TierUpgradeParams::default(),
            incentives: IncentiveTable::default(),
        }
    }
}

impl OfferParams {
    /// The keys every offer type has, for `kind`.
    pub fn common(&self, kind: OfferKind) -> Common {
        match kind {
            OfferKind::WinBack => self.win_back.common(),
            OfferKind::TierAtRisk => self.tier_at_risk.common(),
            OfferKind::Birthday => self.birthday.common(),
            OfferKind::Replenishment => self.replenishment.common(),
            OfferKind::SecondPurchase => self.second_purchase.common(),
            OfferKind::CrossSell => self.cross_sell.common(),
            OfferKind::TierUpgrade => self.tier_upgrade.common(),
        }
    }
}
