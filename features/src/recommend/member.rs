//! One member's purchase history summarised per category or item, as of a date: the
//! "own" half of the ranker row.

use rustc_hash::FxHashMap;

use super::tables::purchase_days;
use crate::{Day, Kind, NO_CATEGORY, PurchaseHistory};

/// Weight of a purchase day `k` days back in the member's sequence of purchase days (the
/// latest has weight 1): `BASKET_DECAY^k`, as in TIFU-KNN's within-member decay.
pub const BASKET_DECAY: f32 = 0.85;

/// Time constant of the time decay `exp(-age_days / TIME_DECAY_DAYS)`.
pub const TIME_DECAY_DAYS: f32 = 28.0;

/// Purchase days kept as "recent baskets" for co-purchase neighbours, latest first.
pub const RECENT_BASKETS: usize = 3;

/// The member's numbers for one id they bought.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OwnStats {
    /// The category or item id.
    pub id: u32,
    /// Purchase days with it.
    pub days: u32,
    /// First and last purchase day with it.
    pub first: Day,
    /// Last purchase day with it.
    pub last: Day,
    /// `Σ BASKET_DECAY^k` over its purchase days, `k` days back in the member's sequence,
    /// divided by the same sum over all the member's purchase days (so in `[0, 1]`).
    pub basket_decay: f32,
    /// `Σ exp(-age / TIME_DECAY_DAYS)` over its purchase days.
    pub time_decay: f32,
    /// Total quantity bought.
    pub quantity: f32,
    /// The category of the item on its first purchase day (items only; the lowest id when
    /// several).
    pub parent: u32,
}

/// A member's history summarised for ranking candidates of one kind, as of a date.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberContext {
    /// Categories or items.
    pub kind: Kind,
    /// The date the summary is taken at (lines strictly before it).
    pub as_of: Day,
    /// Purchase days before `as_of`.
    pub purchase_days: u32,
    /// First purchase day (`as_of` when none).
    pub first_day: Day,
    /// Last purchase day (`as_of` when none).
    pub last_day: Day,
    /// `Σ` over purchase days of the distinct ids bought that day.
    pub id_days: u32,
    /// The ids bought, ascending by id.
    pub own: Vec<OwnStats>,
    /// The ids of the latest purchase days, latest first (at most [`RECENT_BASKETS`]).
    pub recent: Vec<Vec<u32>>,
    /// For items: purchase days per category.
    pub parent_days: FxHashMap<u32, u32>,
}

impl MemberContext {
    /// Summarises `history` strictly before `as_of`.
    pub fn new(history: &PurchaseHistory<'_>, as_of: Day, kind: Kind) -> MemberContext {
        let days: Vec<_> = purchase_days(history.before(as_of)).collect();
        let n = days.len();
        let norm: f32 = (0..n)
            .map(|k| BASKET_DECAY.powi(k as i32))
            .sum::<f32>()
            .max(1e-6);
        let mut own: FxHashMap<u32, OwnStats> = FxHashMap::default();
        let mut parent_days: FxHashMap<u32, u32> = FxHashMap::default();
        let mut recent = Vec::new();
        let mut id_days = 0u32;
        let mut basket: Vec<(u32, u32, f32)> = Vec::new();
        let mut parents: Vec<u32> = Vec::new();
        for (i, lines) in days.iter().enumerate() {
            let day = Day::of_ts(lines[0].ts);
            let back = (n - 1 - i) as i32;
            let w_basket = BASKET_DECAY.powi(back);
            let w_time = (-((as_of.0 - day.0) as f32) / TIME_DECAY_DAYS).exp();
            basket.clear();
            parents.clear();
            for l in lines {
                if let Some(id) = kind.key(l) {
                    basket.push((id, l.category, l.quantity as f32));
                }
                if kind == Kind::Item && l.category != NO_CATEGORY {
                    parents.push(l.category);
                }
            }
            basket.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
            basket.dedup_by(|later, first| {
                let same = later.0 == first.0;
                if same {
                    first.2 += later.2;
                }
                same
            });
            parents.sort_unstable();
            parents.dedup();
            for &p in &parents {
                *parent_days.entry(p).or_default() += 1;
            }
            id_days += basket.len() as u32;
            for &(id, parent, q) in &basket {
                let o = own.entry(id).or_insert(OwnStats {
                    id,
                    days: 0,
                    first: day,
                    last: day,
                    basket_decay: 0.0,
                    time_decay: 0.0,
                    quantity: 0.0,
                    parent: if kind == Kind::Item {
                        parent
                    } else {
                        NO_CATEGORY
                    },
                });
                o.days += 1;
                o.last = day;
                o.basket_decay += w_basket / norm;
                o.time_decay += w_time;
                o.quantity += q;
            }
            if back < RECENT_BASKETS as i32 {
                recent.push(basket.iter().map(|b| b.0).collect());
            }
        }
        recent.reverse();
        let mut own: Vec<OwnStats> = own.into_values().collect();
        own.sort_unstable_by_key(|o| o.id);
        let day_of = |i: usize| Day::of_ts(days[i][0].ts);
        MemberContext {
            kind,
            as_of,
            purchase_days: n as u32,
            first_day: if n > 0 { day_of(0) } else { as_of },
            last_day: if n > 0 { day_of(n - 1) } else { as_of },
            id_days,
            own,
            recent,
            parent_days,
        }
    }

    /// The member's numbers for `id`, when they bought it.
    pub fn own(&self, id: u32) -> Option<&OwnStats> {
        self.own
            .binary_search_by_key(&id, |o| o.id)
            .ok()
            .map(|i| &self.own[i])
    }
}
