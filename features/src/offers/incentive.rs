//! Bands and the incentive table: churn band × value band → incentive level.

/// A churn or value band: the `high`, `medium` and `low` of
/// [`RiskBands`](crate::churn::RiskBands) and [`ValueSetting`](crate::segments::ValueSetting).
/// Ordered `Low < Medium < High`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Band {
    /// `low`.
    Low,
    /// `medium`.
    Medium,
    /// `high`.
    High,
}

impl Band {
    /// The band written `high`, `medium` or `low` (as churn and segment answers write it).
    pub fn parse(s: &str) -> Option<Band> {
        match s {
            "high" => Some(Band::High),
            "medium" => Some(Band::Medium),
            "low" => Some(Band::Low),
            _ => None,
        }
    }

    /// `high`, `medium` or `low`.
    pub fn as_str(self) -> &'static str {
        match self {
            Band::High => "high",
            Band::Medium => "medium",
            Band::Low => "low",
        }
    }

    /// The zh-TW word: 高, 中, 低.
    pub fn label(self) -> &'static str {
        match self {
            Band::High => "高",
            Band::Medium => "中",
            Band::Low => "低",
        }
    }
}

/// How much an offer gives. What each level means in money (a coupon, free shipping, points)
/// is the brand's to decide where offers are sent; the levels only order them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum IncentiveLevel {
    /// A message without an incentive.
    None,
    /// A small incentive.
    Small,
    /// A medium incentive.
    Medium,
    /// A large incentive.
    Large,
}

impl IncentiveLevel {
    /// `none`, `small`, `medium` or `large`.
    pub fn as_str(self) -> &'static str {
        match self {
            IncentiveLevel::None => "none",
            IncentiveLevel::Small => "small",
            IncentiveLevel::Medium => "medium",
            IncentiveLevel::Large => "large",
        }
    }
}

/// One churn band's row of the incentive table: the level for each value band. Every key is
/// required, so a row cannot leave a combination out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandRow {
    /// Level for a `high` value band.
    pub high: IncentiveLevel,
    /// Level for a `medium` value band.
    pub medium: IncentiveLevel,
    /// Level for a `low` value band.
    pub low: IncentiveLevel,
}

impl BandRow {
    const fn new(high: IncentiveLevel, medium: IncentiveLevel, low: IncentiveLevel) -> BandRow {
        BandRow { high, medium, low }
    }

    /// The level for value band `value`.
    pub fn get(&self, value: Band) -> IncentiveLevel {
        match value {
            Band::High => self.high,
            Band::Medium => self.medium,
            Band::Low => self.low,
        }
    }
}

/// The incentive table `[offers.incentives]`: one row per churn band, one column per value
/// band. A row left out keeps its shipped default; a row written must name all three value
/// bands (a missing one is a parse error), so every combination is always covered.
///
/// The shipped default follows Braze's advice of "higher discounts for highest-risk users",
/// scaled by what the member is worth:
///
/// | churn \ value | high   | medium | low   |
/// |---------------|--------|--------|-------|
/// | high          | large  | medium | small |
/// | medium        | medium | small  | none  |
/// | low           | small  | none   | none  |
///
/// ```toml
/// [offers.incentives]
/// missing_band = "medium"
/// high = { high = "large", medium = "medium", low = "small" }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IncentiveTable {
    /// Row of the `high` churn band.
    pub high: BandRow,
    /// Row of the `medium` churn band.
    pub medium: BandRow,
    /// Row of the `low` churn band.
    pub low: BandRow,
    /// The band assumed when the member has no churn answer or no value band (a store whose
    /// value model could not be fitted, a member without purchases). Default `medium`.
    pub missing_band: Band,
}

impl Default for IncentiveTable {
    fn default() -> Self {
        use IncentiveLevel::{Large, Medium, None, Small};
        IncentiveTable {
            high: BandRow::new(Large, Medium, Small),
            medium: BandRow::new(Medium, Small, None),
            low: BandRow::new(Small, None, None),
            missing_band: Band::Medium,
        }
    }
}

impl IncentiveTable {
    /// The level for a member in churn band `churn` and value band `value`; a missing band is
    /// [`IncentiveTable::missing_band`].
    pub fn level(&self, churn: Option<Band>, value: Option<Band>) -> IncentiveLevel {
        let row = match churn.unwrap_or(self.missing_band) {
            Band::High => &self.high,
            Band::Medium => &self.medium,
            Band::Low => &self.low,
        };
        row.get(value.unwrap_or(self.missing_band))
    }
}
