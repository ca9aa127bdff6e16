//! Replenishment: each category or item the member rebuys, with their own median gap.

use rustc_hash::FxHashMap;

use super::kind::OfferKind;
use super::params::ReplenishmentParams;
use super::rules::Draft;
use super::text::Message;
use crate::segments::{gaps_of, median};
use crate::{Day, Kind, NO_CATEGORY, PurchaseHistory};

/// A member's repurchase rhythm of one category or item, from lines before a day.
#[derive(Debug, Clone, PartialEq)]
pub struct Rhythm {
    /// Category or item id.
    pub id: u32,
    /// The category of the last line with it ([`NO_CATEGORY`] for none); the id itself for
    /// a category.
    pub category: u32,
    /// Distinct days the member bought it (returns excluded).
    pub days: u32,
    /// Last day bought.
    pub last_day: Day,
    /// Median of the gaps in days between consecutive days bought; `None` when bought on
    /// one day only.
    pub median_gap: Option<f64>,
}

/// The rhythm of every category (or item) the member bought before `as_of`, by id.
pub fn rhythms(history: &PurchaseHistory<'_>, as_of: Day, kind: Kind) -> Vec<Rhythm> {
    let mut by_id: FxHashMap<u32, (Vec<Day>, u32)> = FxHashMap::default();
    for line in history.before(as_of).iter().filter(|l| !l.is_return()) {
        let Some(id) = kind.key(line) else { continue };
        let (days, category) = by_id.entry(id).or_default();
        let day = Day::of_ts(line.ts);
        if days.last() != Some(&day) {
            days.push(day);
        }
        *category = line.category;
    }
    let mut out: Vec<Rhythm> = by_id
        .into_iter()
        .map(|(id, (days, category))| {
            let mut gaps: Vec<u32> = gaps_of(&days).collect();
            gaps.sort_unstable();
            Rhythm {
                id,
                category,
                days: days.len() as u32,
                last_day: days[days.len() - 1],
                median_gap: median(&gaps),
            }
        })
        .collect();
    out.sort_unstable_by_key(|r| r.id);
    out
}

/// The due replenishment offers, most overdue first (the largest days-since over gap; ties
/// by name). `name` names an id of the rule's kind.
pub(super) fn replenishment<'n>(
    p: &ReplenishmentParams,
    history: &PurchaseHistory<'_>,
    as_of: Day,
    name: impl Fn(u32) -> &'n str,
) -> Vec<Draft> {
    let mut due: Vec<(f64, &str, Draft)> = Vec::new();
    for r in rhythms(history, as_of, p.by) {
        let Some(gap) = r.median_gap.filter(|_| r.days >= p.min_purchase_days) else {
            continue;
        };
        let since = f64::from(as_of.0 - r.last_day.0);
        if gap <= 0.0 || since < p.factor * gap || since > p.max_factor * gap {
            continue;
        }
        let (days, gap_days) = (format!("{since:.0}"), format!("{gap:.0}"));
        let args = [
            ("category", name(r.id)),
            ("gap", gap_days.as_str()),
            ("days", days.as_str()),
        ];
        let draft = Draft {
            kind: OfferKind::Replenishment,
            reason: Message::Replenishment.render(&args, &args),
            category: (r.category != NO_CATEGORY).then_some(r.category),
            item: (p.by == Kind::Item).then_some(r.id),
            valid_until: Some(r.last_day.plus((p.max_factor * gap).floor() as i32)),
        };
        due.push((since / gap, name(r.id), draft));
    }
    due.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    due.into_iter().map(|(_, _, d)| d).collect()
}
