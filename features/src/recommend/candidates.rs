//! Candidate generation for one member and the ranker row of each candidate.

use rustc_hash::FxHashMap;

use super::member::MemberContext;
use super::spec::{NEVER_DAYS, NEVER_RANK, RANK_LEN, col};
use super::tables::StoreTables;
use crate::NO_CATEGORY;

/// How many candidates of each source are taken.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CandidateParams {
    /// The member's own ids, best by basket decay first.
    pub own: usize,
    /// Co-purchase neighbours of the recent baskets not bought before, best first.
    pub neighbours: usize,
    /// Store-wide popular ids not already candidates.
    pub popular: usize,
}

impl Default for CandidateParams {
    fn default() -> Self {
        Self {
            own: 100,
            neighbours: 40,
            popular: 40,
        }
    }
}

/// A member's candidates and their ranker rows (row-major, [`RANK_LEN`] columns).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CandidateSet {
    /// Candidate ids, in generation order (own, neighbours, popular).
    pub ids: Vec<u32>,
    /// Ranker rows, one per id.
    pub rows: Vec<f32>,
}

impl CandidateSet {
    /// Number of candidates.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when there is no candidate.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The ranker row of the `i`-th candidate.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.rows[i * RANK_LEN..(i + 1) * RANK_LEN]
    }
}

/// Co-purchase affinity of every id reachable from the member's recent baskets: the sum of
/// `P(id | recent id)` weighted `1, 1/2, 1/4` by basket age, and its largest single term.
///
/// Sums run in `f64` and are rounded to `f32` once, so the result does not depend on the
/// order ids are visited in (that is, on how ids are numbered).
fn copurchase(ctx: &MemberContext, tables: &StoreTables) -> FxHashMap<u32, (f32, f32)> {
    let mut sums: FxHashMap<u32, (f64, f32)> = FxHashMap::default();
    for (age, basket) in ctx.recent.iter().enumerate() {
        let w = 0.5f64.powi(age as i32);
        for &i in basket {
            for &(j, p) in tables.neighbours(i) {
                let e = sums.entry(j).or_default();
                e.0 += w * f64::from(p);
                e.1 = e.1.max(p);
            }
        }
    }
    sums.into_iter()
        .map(|(j, (s, m))| (j, (s as f32, m)))
        .collect()
}

/// Item-to-item affinity over the member's whole history: `Σ basket_decay(o) · P(id | o)`
/// over the ids `o` the member bought.
fn copurchase_history(ctx: &MemberContext, tables: &StoreTables) -> FxHashMap<u32, f32> {
    let mut sums: FxHashMap<u32, f64> = FxHashMap::default();
    for o in &ctx.own {
        for &(j, p) in tables.neighbours(o.id) {
            *sums.entry(j).or_default() += f64::from(o.basket_decay) * f64::from(p);
        }
    }
    sums.into_iter().map(|(j, s)| (j, s as f32)).collect()
}

/// Per own id, its rank by basket decay: 1 + the number of own ids with a larger one (ties
/// share a rank, so ranks do not depend on how ids are numbered).
fn own_ranks(ctx: &MemberContext) -> FxHashMap<u32, u32> {
    let mut decays: Vec<f32> = ctx.own.iter().map(|o| o.basket_decay).collect();
    decays.sort_by(|a, b| b.total_cmp(a));
    ctx.own
        .iter()
        .map(|o| {
            (
                o.id,
                decays.partition_point(|&d| d > o.basket_decay) as u32 + 1,
            )
        })
        .collect()
}

/// The first `n` of `ranked` (best first by `key`) plus every later one tied with the `n`-th,
/// so that which ids are kept does not depend on how ids are numbered.
fn take_with_ties<T: Copy>(ranked: &[T], n: usize, key: impl Fn(&T) -> f32) -> &[T] {
    if ranked.len() <= n || n == 0 {
        return &ranked[..ranked.len().min(n)];
    }
    let last = key(&ranked[n - 1]);
    let end = n + ranked[n..].iter().take_while(|x| key(x) == last).count();
    &ranked[..end]
}

/// The member's candidates with their ranker rows.
pub fn candidates(
    ctx: &MemberContext,
    tables: &StoreTables,
    params: &CandidateParams,
) -> CandidateSet {
    let cooc = copurchase(ctx, tables);
    let history = copurchase_history(ctx, tables);
    let ranks = own_ranks(ctx);
    let mut own: Vec<&super::member::OwnStats> = ctx.own.iter().collect();
    own.sort_by_key(|o| (ranks[&o.id], o.id));
    let mut ids: Vec<u32> = take_with_ties(&own, params.own, |o| o.basket_decay)
        .iter()
        .map(|o| o.id)
        .collect();
    let mut seen: rustc_hash::FxHashSet<u32> = ids.iter().copied().collect();
    let mut nb: Vec<(u32, f32)> = cooc
        .iter()
        .filter(|(id, _)| ctx.own(**id).is_none())
        .map(|(&id, &(s, _))| (id, s))
        .collect();
    nb.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    for &(id, _) in take_with_ties(&nb, params.neighbours, |x| x.1) {
        if seen.insert(id) {
            ids.push(id);
        }
    }
    let mut added = 0;
    for &id in &tables.popular {
        if added == params.popular {
            break;
        }
        if seen.insert(id) {
            ids.push(id);
            added += 1;
        }
    }
    let mut rows = Vec::with_capacity(ids.len() * RANK_LEN);
    for &id in &ids {
        let extra = Affinity {
            recent: cooc.get(&id).copied(),
            history: history.get(&id).copied().unwrap_or(0.0),
            own_rank: ranks.get(&id).copied(),
        };
        rows.extend_from_slice(&row(ctx, tables, id, &extra));
    }
    CandidateSet { ids, rows }
}

/// The numbers of a candidate that depend on the member's other ids.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Affinity {
    /// Co-purchase affinity with the recent baskets: weighted sum and largest term.
    pub recent: Option<(f32, f32)>,
    /// Co-purchase affinity with the whole history.
    pub history: f32,
    /// Rank among the member's own ids by basket decay (`None` when not bought).
    pub own_rank: Option<u32>,
}

/// The ranker row of candidate `id` for the member.
pub fn row(
    ctx: &MemberContext,
    tables: &StoreTables,
    id: u32,
    affinity: &Affinity,
) -> [f32; RANK_LEN] {
    let cooc = affinity.recent;
    let mut r = [0f32; RANK_LEN];
    let n_days = ctx.purchase_days.max(1) as f32;
    let s = tables.stats(id);
    let share = |n: u32, of: u32| n as f32 / of.max(1) as f32;
    let since = |d: crate::Day| (ctx.as_of.0 - d.0) as f32;
    let own = ctx.own(id);
    let days_since = own.map_or(NEVER_DAYS, |o| since(o.last));
    if let Some(o) = own {
        r[col::OWN_DAYS] = o.days as f32;
        r[col::OWN_SHARE] = o.days as f32 / n_days;
        r[col::OWN_BASKET_DECAY] = o.basket_decay;
        r[col::OWN_TIME_DECAY] = o.time_decay;
        if o.days >= 2 {
            let gap = (o.last.0 - o.first.0) as f32 / (o.days - 1) as f32;
            r[col::OWN_GAP_MEAN] = gap;
            r[col::OWN_OVERDUE] = if gap > 0.0 { days_since / gap } else { 0.0 };
        }
        r[col::OWN_QUANTITY_LOG] = o.quantity.max(0.0).ln_1p();
    }
    r[col::OWN_DAYS_SINCE_LAST] = days_since;
    r[col::IN_LAST_BASKET] = f32::from(u8::from(
        ctx.recent
            .first()
            .is_some_and(|b| b.binary_search(&id).is_ok()),
    ));
    let (cs, cm) = cooc.unwrap_or_default();
    r[col::COPURCHASE_SCORE] = cs;
    r[col::COPURCHASE_MAX] = cm;
    r[col::STORE_SHARE_28D] = share(s.buyers_28d, tables.active_28d);
    r[col::STORE_SHARE_7D] = share(s.buyers_7d, tables.active_7d);
    r[col::STORE_TREND] = (s.buyers_28d as f32 + 1.0) / (s.buyers_prev_28d as f32 + 1.0);
    r[col::STORE_REPEAT_RATE] = share(s.repeat_buyers, s.buyers);
    r[col::STORE_GAP] = s.gap_days;
    if own.is_some() && s.gap_days > 0.0 {
        r[col::STORE_OVERDUE] = days_since / s.gap_days;
    }
    r[col::STORE_BUYERS_LOG] = (s.buyers as f32).ln_1p();
    r[col::STORE_REBUY_RATE] = (s.rebuyers_28d as f32 + 0.5) / (s.buyers_prev_28d as f32 + 5.0);
    r[col::STORE_NEW_BUYERS] = share(s.new_buyers_28d, tables.active_28d);
    r[col::MEMBER_DAYS] = ctx.purchase_days as f32;
    r[col::MEMBER_RECENCY] = since(ctx.last_day);
    r[col::MEMBER_EXPLORE] = share(ctx.own.len() as u32, ctx.id_days);
    r[col::MEMBER_TENURE] = since(ctx.first_day);
    r[col::OWN_RANK] = affinity.own_rank.map_or(NEVER_RANK, |k| k as f32);
    r[col::STORE_RANK] = tables.rank_28d(id) as f32;
    r[col::COPURCHASE_HISTORY] = affinity.history;
    if ctx.purchase_days >= 2 {
        let gap = (ctx.last_day.0 - ctx.first_day.0) as f32 / (ctx.purchase_days - 1) as f32;
        if gap > 0.0 {
            r[col::MEMBER_OVERDUE] = r[col::MEMBER_RECENCY] / gap;
        }
    }
    r[col::PARENT_SHARE] = match ctx.kind {
        crate::Kind::Category => r[col::OWN_SHARE],
        crate::Kind::Item => {
            let p = own.map_or(tables.parent(id), |o| o.parent);
            if p == NO_CATEGORY {
                0.0
            } else {
                ctx.parent_days.get(&p).copied().unwrap_or(0) as f32 / n_days
            }
        }
    };
    r
}
