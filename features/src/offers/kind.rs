//! The kinds of offer.

/// The kinds of offer, in their default priority order (see [`OfferParams`](super::OfferParams) for why).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum OfferKind {
    /// Win-back: the member's churn band is one of the configured bands.
    WinBack,
    /// Tier nudge, at risk: the member may lose their tier at its review.
    TierAtRisk,
    /// Birthday: within the member's birthday period, once a year.
    Birthday,
    /// Replenishment: a category or item the member rebuys is due again.
    Replenishment,
    /// Second-purchase nudge for a one-time buyer.
    SecondPurchase,
    /// Cross-sell: a likely next category the member has never bought.
    CrossSell,
    /// Tier nudge, upgrade: the member is close to the next tier.
    TierUpgrade,
}

impl OfferKind {
    /// Every kind, in default priority order.
    pub const ALL: [OfferKind; 7] = [
        OfferKind::WinBack,
        OfferKind::TierAtRisk,
        OfferKind::Birthday,
        OfferKind::Replenishment,
        OfferKind::SecondPurchase,
        OfferKind::CrossSell,
        OfferKind::TierUpgrade,
    ];

    /// The id, also the kind's TOML table name: `win_back`, `tier_at_risk`, `birthday`,
    /// `replenishment`, `second_purchase`, `cross_sell`, `tier_upgrade`.
    pub fn as_str(self) -> &'static str {
        match self {
            OfferKind::WinBack => "win_back",
            OfferKind::TierAtRisk => "tier_at_risk",
            OfferKind::Birthday => "birthday",
            OfferKind::Replenishment => "replenishment",
            OfferKind::SecondPurchase => "second_purchase",
            OfferKind::CrossSell => "cross_sell",
            OfferKind::TierUpgrade => "tier_upgrade",
        }
    }

    /// The shipped default priority: 1 (win-back) to 7 (tier upgrade).
    pub fn default_priority(self) -> u32 {
        self as u32 + 1
    }
}
