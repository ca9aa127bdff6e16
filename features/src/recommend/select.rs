//! From scored candidates to the final list: storefront options (leave out what was just
//! bought unless it is replenished, cap per category) and a short reason per entry.

use super::candidates::CandidateSet;
use super::spec::col;
use super::tables::StoreTables;
use crate::{Kind, NO_CATEGORY};

/// A candidate counts as replenishable when at least this share of its buyers bought it
/// on two or more days, or the member did.
pub const REPLENISH_REPEAT_RATE: f32 = 0.25;

/// The accepted values of [`SelectOptions::exclude_recent_days`] wherever a user sets it
/// (training configuration, serving queries).
pub const EXCLUDE_RECENT_DAYS_RANGE: std::ops::RangeInclusive<u32> = 1..=365;

/// The accepted values of [`SelectOptions::max_per_category`] wherever a user sets it.
pub const MAX_PER_CATEGORY_RANGE: std::ops::RangeInclusive<usize> = 1..=20;

/// Options of the final list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SelectOptions {
    /// Length of the list.
    pub k: usize,
    /// Leave out ids the member bought in the last N days, unless replenishable.
    pub exclude_recent_days: Option<u32>,
    /// For items: at most this many items of one category.
    pub max_per_category: Option<usize>,
}

impl Default for SelectOptions {
    fn default() -> Self {
        Self {
            k: 20,
            exclude_recent_days: None,
            max_per_category: None,
        }
    }
}

/// One recommended id.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// Category or item id.
    pub id: u32,
    /// The ranker's score (probability of buying it in the horizon).
    pub score: f32,
    /// Why it is recommended, in a few words.
    pub reason: String,
}

/// Orders the candidates by score (ties: lower id) and keeps the first `options.k` that pass
/// the options. `scores[i]` belongs to `set.ids[i]`.
pub fn select(
    set: &CandidateSet,
    scores: &[f32],
    tables: &StoreTables,
    options: &SelectOptions,
) -> Vec<Ranked> {
    select_by(set, scores, tables, options, |a, b| a.cmp(&b))
}

/// [`select`] with equal scores ordered by `tie(id_a, id_b)`; pass a comparison of the ids'
/// names to get lists that do not depend on how ids are numbered.
pub fn select_by(
    set: &CandidateSet,
    scores: &[f32],
    tables: &StoreTables,
    options: &SelectOptions,
    tie: impl Fn(u32, u32) -> std::cmp::Ordering,
) -> Vec<Ranked> {
    assert_eq!(set.len(), scores.len(), "one score per candidate");
    let mut order: Vec<usize> = (0..set.len()).collect();
    order.sort_by(|&a, &b| {
        scores[b]
            .total_cmp(&scores[a])
            .then_with(|| tie(set.ids[a], set.ids[b]))
    });
    let mut per_parent: rustc_hash::FxHashMap<u32, usize> = Default::default();
    let mut out = Vec::with_capacity(options.k);
    for i in order {
        if out.len() == options.k {
            break;
        }
        let (id, row) = (set.ids[i], set.row(i));
        if let Some(n) = options.exclude_recent_days {
            let recent = row[col::OWN_DAYS_SINCE_LAST] < n as f32;
            let replenished =
                row[col::OWN_DAYS] >= 2.0 || row[col::STORE_REPEAT_RATE] >= REPLENISH_REPEAT_RATE;
            if recent && !replenished {
                continue;
            }
        }
        if let (Kind::Item, Some(cap)) = (tables.kind, options.max_per_category) {
            let p = tables.parent(id);
            if p != NO_CATEGORY {
                let c = per_parent.entry(p).or_default();
                if *c >= cap {
                    continue;
                }
                *c += 1;
            }
        }
        out.push(Ranked {
            id,
            score: scores[i],
            reason: reason(row),
        });
    }
    out
}

/// A short reason for a candidate, from its ranker row.
pub fn reason(r: &[f32]) -> String {
    let own_days = r[col::OWN_DAYS];
    if own_days >= 2.0 && r[col::OWN_GAP_MEAN] > 0.0 {
        let (gap, since) = (r[col::OWN_GAP_MEAN], r[col::OWN_DAYS_SINCE_LAST]);
        if since >= 0.8 * gap {
            return format!(
                "due again: bought about every {:.0} days, last {:.0} days ago",
                gap, since
            );
        }
        return format!("bought on {own_days:.0} different days");
    }
    if own_days >= 1.0 {
        return format!("bought before, {:.0} days ago", r[col::OWN_DAYS_SINCE_LAST]);
    }
    if r[col::COPURCHASE_SCORE] > 0.0 {
        return "often bought with your recent purchases".into();
    }
    if r[col::STORE_TREND] >= 1.5 {
        return "trending in the store".into();
    }
    "popular in the store".into()
}
