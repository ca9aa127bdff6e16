//! Per-(member, category) and per-(member, item) purchase history, for the recommenders.

use rustc_hash::FxHashMap;

use crate::{Day, NO_CATEGORY, PurchaseHistory, PurchaseLine};

/// What a preference is keyed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Product category.
    Category,
    /// Single item.
    Item,
}

impl Kind {
    /// The id of a line under this kind, `None` for a line without a category.
    pub fn key(self, line: &PurchaseLine) -> Option<u32> {
        match self {
            Kind::Item => Some(line.item),
            Kind::Category => (line.category != NO_CATEGORY).then_some(line.category),
        }
    }
}

/// One member's history with one category or item, from purchase lines before `as_of`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Preference {
    /// Category or item id.
    pub id: u32,
    /// Distinct days the member bought it.
    pub days: u32,
    /// Purchase lines with it.
    pub lines: u32,
    /// Units bought.
    pub quantity: f64,
    /// Gross money spent on it.
    pub spend: f64,
    /// First day bought.
    pub first_day: Day,
    /// Last day bought.
    pub last_day: Day,
    /// Mean gap in days between consecutive days it was bought; 0 when bought on one day only.
    pub mean_gap_days: f32,
    /// `days` / the member's distinct purchase days (0..=1).
    pub share: f32,
}

/// Every category (or item) the member bought before `as_of`, ordered by id. Returns are not
/// preferences and are left out.
pub fn preferences(history: &PurchaseHistory<'_>, as_of: Day, kind: Kind) -> Vec<Preference> {
    let mut by_id: FxHashMap<u32, Preference> = FxHashMap::default();
    let mut purchase_days = 0u32;
    let mut last_purchase_day = None;
    for line in history.before(as_of).iter().filter(|l| !l.is_return()) {
        let day = Day::of_ts(line.ts);
        if last_purchase_day != Some(day) {
            purchase_days += 1;
            last_purchase_day = Some(day);
        }
        let Some(id) = kind.key(line) else { continue };
        let p = by_id.entry(id).or_insert(Preference {
            id,
            days: 0,
            lines: 0,
            quantity: 0.0,
            spend: 0.0,
            first_day: day,
            last_day: day,
            mean_gap_days: 0.0,
            share: 0.0,
        });
        if p.days == 0 || p.last_day != day {
            p.days += 1;
            p.last_day = day;
        }
        p.lines += 1;
        p.quantity += line.quantity;
        p.spend += line.amount;
    }
    let mut out: Vec<Preference> = by_id.into_values().collect();
    for p in &mut out {
        if p.days > 1 {
            p.mean_gap_days = (p.last_day.0 - p.first_day.0) as f32 / (p.days - 1) as f32;
        }
        p.share = p.days as f32 / purchase_days.max(1) as f32;
    }
    out.sort_unstable_by_key(|p| p.id);
    out
}
