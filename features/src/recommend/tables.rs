//! Store-wide tables for one kind (categories or items) at one cutoff: how many members buy
//! each id lately, how often they come back for it, and which ids are bought together.
//! Built only from lines strictly before the cutoff.

use rustc_hash::FxHashMap;

use crate::{Day, Kind, NO_CATEGORY, OrderBook, PurchaseLine, Vocab};

/// Store-wide numbers of one category or item, all over lines before the cutoff.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CandidateStats {
    /// Members who bought it in the 28 days before the cutoff.
    pub buyers_28d: u32,
    /// Members who bought it in the 7 days before the cutoff.
    pub buyers_7d: u32,
    /// Members who bought it in the 28 days before those (days 29..56 before the cutoff).
    pub buyers_prev_28d: u32,
    /// Members who ever bought it.
    pub buyers: u32,
    /// Members who bought it on at least two different days.
    pub repeat_buyers: u32,
    /// Mean days between two purchase days of it by the same member (0 when nobody rebought).
    pub gap_days: f32,
    /// Of the members who bought it in days 29..56 before the cutoff, how many bought it
    /// again in the last 28 days.
    pub rebuyers_28d: u32,
    /// Members whose first purchase of it falls in the last 28 days.
    pub new_buyers_28d: u32,
}

/// How the tables are built.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TableParams {
    /// Co-purchase neighbours kept per id.
    pub neighbours: usize,
    /// Ids of a basket (one member, one day) used for co-purchase counts; larger baskets are
    /// cut to their first ids in id order (keeps the pair count linear in practice).
    pub max_basket_ids: usize,
    /// A pair must be seen in at least this many baskets to count as neighbours.
    pub min_pair_baskets: u32,
    /// Additive shrinkage of the co-purchase probability `pairs / (baskets(i) + shrink)`.
    pub shrink: f32,
    /// Length of the store's popular list.
    pub popular: usize,
}

impl Default for TableParams {
    fn default() -> Self {
        Self {
            neighbours: 20,
            max_basket_ids: 40,
            min_pair_baskets: 2,
            shrink: 5.0,
            popular: 50,
        }
    }
}

/// The store tables of one kind at one cutoff, indexed by the kind's vocabulary ids.
/// Ids at or beyond [`StoreTables::len`] (new since the cutoff) have no numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreTables {
    /// Categories or items.
    pub kind: Kind,
    /// The cutoff (first day not used).
    pub as_of: Day,
    /// Members with a purchase in the 28 days before the cutoff.
    pub active_28d: u32,
    /// Members with a purchase in the 7 days before the cutoff.
    pub active_7d: u32,
    /// Numbers per id.
    pub stats: Vec<CandidateStats>,
    /// Co-purchase neighbours per id: `(other id, P(other | id) shrunk)`, best first (ties by
    /// name).
    pub neighbours: Vec<Vec<(u32, f32)>>,
    /// Ids with the most buyers in the last 28 days, best first (ties: more buyers overall,
    /// then name).
    pub popular: Vec<u32>,
    /// For items: each item's usual category ([`NO_CATEGORY`] when it has none); empty for
    /// categories.
    pub parent: Vec<u32>,
    /// Per id: 1 + the number of ids with more buyers in the last 28 days (ties share a rank,
    /// so the rank does not depend on how ids are numbered).
    pub rank_28d: Vec<u32>,
}

/// [`StoreTables::rank_28d`] of `stats`.
fn ranks_28d(stats: &[CandidateStats]) -> Vec<u32> {
    let mut counts: Vec<u32> = stats.iter().map(|s| s.buyers_28d).collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    stats
        .iter()
        .map(|s| counts.partition_point(|&c| c > s.buyers_28d) as u32 + 1)
        .collect()
}

impl StoreTables {
    /// Number of ids with a slot (the vocabulary size when built).
    pub fn len(&self) -> usize {
        self.stats.len()
    }

    /// True when there are no ids.
    pub fn is_empty(&self) -> bool {
        self.stats.is_empty()
    }

    /// The numbers of `id`, zero for an id the tables do not know.
    pub fn stats(&self, id: u32) -> CandidateStats {
        self.stats.get(id as usize).copied().unwrap_or_default()
    }

    /// The neighbours of `id` (empty for an unknown id).
    pub fn neighbours(&self, id: u32) -> &[(u32, f32)] {
        self.neighbours.get(id as usize).map_or(&[], Vec::as_slice)
    }

    /// The popularity rank of `id` ([`StoreTables::rank_28d`]); one past the last id for an
    /// unknown id.
    pub fn rank_28d(&self, id: u32) -> u32 {
        self.rank_28d
            .get(id as usize)
            .copied()
            .unwrap_or(self.rank_28d.len() as u32 + 1)
    }

    /// The usual category of item `id` ([`NO_CATEGORY`] when unknown or for categories).
    pub fn parent(&self, id: u32) -> u32 {
        self.parent.get(id as usize).copied().unwrap_or(NO_CATEGORY)
    }
}

/// Per (member, id) tallies while one member's history is scanned.
#[derive(Debug, Clone, Copy)]
struct Tally {
    days: u32,
    first: Day,
    last: Day,
    prev_28d: bool,
}

impl OrderBook {
    /// Builds the store tables of `kind` from every line strictly before `as_of`.
    pub fn store_tables(&self, as_of: Day, kind: Kind, params: &TableParams) -> StoreTables {
        let n_ids = match kind {
            Kind::Category => self.categories().len(),
            Kind::Item => self.items().len(),
        };
        let (d7, d28, d56) = (as_of.plus(-7), as_of.plus(-28), as_of.plus(-56));
        let mut stats = vec![CandidateStats::default(); n_ids];
        let mut gap_sum = vec![0f64; n_ids];
        let mut gap_n = vec![0u64; n_ids];
        let mut basket_count = vec![0u32; n_ids];
        let mut pairs: FxHashMap<u64, u32> = FxHashMap::default();
        let mut parent_counts: FxHashMap<(u32, u32), u32> = FxHashMap::default();
        let (mut active_28d, mut active_7d) = (0u32, 0u32);
        let mut tallies: FxHashMap<u32, Tally> = FxHashMap::default();
        let mut basket: Vec<u32> = Vec::new();
        for m in 0..self.members().len() as u32 {
            let lines = self.history(m).before(as_of);
            tallies.clear();
            let mut last_day = None;
            for day_lines in purchase_days(lines) {
                let day = Day::of_ts(day_lines[0].ts);
                last_day = Some(day);
                basket.clear();
                for l in day_lines {
                    if kind == Kind::Item {
                        *parent_counts.entry((l.item, l.category)).or_default() += 1;
                    }
                    basket.extend(kind.key(l));
                }
                basket.sort_unstable();
                basket.dedup();
                for &id in &basket {
                    let t = tallies.entry(id).or_insert(Tally {
                        days: 0,
                        first: day,
                        last: day,
                        prev_28d: false,
                    });
                    t.days += 1;
                    t.last = day;
                    t.prev_28d |= day >= d56 && day < d28;
                    basket_count[id as usize] += 1;
                }
                let cut = &basket[..basket.len().min(params.max_basket_ids)];
                for (i, &a) in cut.iter().enumerate() {
                    for &b in &cut[i + 1..] {
                        *pairs
                            .entry((u64::from(a) << 32) | u64::from(b))
                            .or_default() += 1;
                    }
                }
            }
            if let Some(last) = last_day {
                active_28d += u32::from(last >= d28);
                active_7d += u32::from(last >= d7);
            }
            for (&id, t) in &tallies {
                let s = &mut stats[id as usize];
                s.buyers += 1;
                s.buyers_28d += u32::from(t.last >= d28);
                s.buyers_7d += u32::from(t.last >= d7);
                s.buyers_prev_28d += u32::from(t.prev_28d);
                s.rebuyers_28d += u32::from(t.prev_28d && t.last >= d28);
                s.new_buyers_28d += u32::from(t.first >= d28);
                if t.days >= 2 {
                    s.repeat_buyers += 1;
                    gap_sum[id as usize] += f64::from(t.last.0 - t.first.0);
                    gap_n[id as usize] += u64::from(t.days - 1);
                }
            }
        }
        for (s, (&sum, &n)) in stats.iter_mut().zip(gap_sum.iter().zip(&gap_n)) {
            if n > 0 {
                s.gap_days = (sum / n as f64) as f32;
            }
        }
        let names = match kind {
            Kind::Category => self.categories(),
            Kind::Item => self.items(),
        };
        let neighbours = neighbour_lists(&pairs, &basket_count, params, names);
        let popular = popular_list(&stats, params.popular, names);
        let parent = match kind {
            Kind::Category => Vec::new(),
            Kind::Item => usual_parent(&parent_counts, n_ids),
        };
        StoreTables {
            kind,
            as_of,
            active_28d,
            active_7d,
            rank_28d: ranks_28d(&stats),
            stats,
            neighbours,
            popular,
            parent,
        }
    }
}

/// Splits sorted lines into purchase days (returns left out); each slice is one day's lines.
pub(crate) fn purchase_days(lines: &[PurchaseLine]) -> impl Iterator<Item = Vec<&PurchaseLine>> {
    let mut out: Vec<Vec<&PurchaseLine>> = Vec::new();
    let mut current: Option<Day> = None;
    for l in lines.iter().filter(|l| !l.is_return()) {
        let day = Day::of_ts(l.ts);
        if current != Some(day) {
            out.push(Vec::new());
            current = Some(day);
        }
        out.last_mut().expect("pushed above").push(l);
    }
    out.into_iter()
}

fn neighbour_lists(
    pairs: &FxHashMap<u64, u32>,
    basket_count: &[u32],
    params: &TableParams,
    names: &Vocab,
) -> Vec<Vec<(u32, f32)>> {
    let mut lists: Vec<Vec<(u32, f32)>> = vec![Vec::new(); basket_count.len()];
    let p = |co: u32, base: u32| co as f32 / (base as f32 + params.shrink);
    for (&key, &co) in pairs {
        if co < params.min_pair_baskets {
            continue;
        }
        let (a, b) = ((key >> 32) as u32, key as u32);
        lists[a as usize].push((b, p(co, basket_count[a as usize])));
        lists[b as usize].push((a, p(co, basket_count[b as usize])));
    }
    for l in &mut lists {
        // Ties by name, so that the lists do not depend on how ids are numbered.
        l.sort_unstable_by(|x, y| {
            y.1.total_cmp(&x.1)
                .then_with(|| names.name(x.0).cmp(names.name(y.0)))
        });
        l.truncate(params.neighbours);
        l.shrink_to_fit();
    }
    lists
}

fn popular_list(stats: &[CandidateStats], len: usize, names: &Vocab) -> Vec<u32> {
    let mut ids: Vec<u32> = (0..stats.len() as u32)
        .filter(|&i| stats[i as usize].buyers > 0)
        .collect();
    ids.sort_unstable_by(|&a, &b| {
        let (sa, sb) = (&stats[a as usize], &stats[b as usize]);
        sb.buyers_28d
            .cmp(&sa.buyers_28d)
            .then(sb.buyers.cmp(&sa.buyers))
            .then_with(|| names.name(a).cmp(names.name(b)))
    });
    ids.truncate(len);
    ids
}

fn usual_parent(counts: &FxHashMap<(u32, u32), u32>, n_items: usize) -> Vec<u32> {
    let mut best: Vec<(u32, u32)> = vec![(0, NO_CATEGORY); n_items];
    for (&(item, cat), &n) in counts {
        let b = &mut best[item as usize];
        if n > b.0 || (n == b.0 && cat < b.1) {
            *b = (n, cat);
        }
    }
    best.into_iter().map(|(_, c)| c).collect()
}

/// [`StoreTables`] with string ids, for files: only ids with at least one buyer.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PortableTables {
    /// Categories or items.
    pub kind: Kind,
    /// The cutoff.
    pub as_of: Day,
    /// See [`StoreTables::active_28d`].
    pub active_28d: u32,
    /// See [`StoreTables::active_7d`].
    pub active_7d: u32,
    /// One entry per id with buyers, in id order.
    pub entries: Vec<PortableEntry>,
    /// See [`StoreTables::popular`].
    pub popular: Vec<String>,
}

/// One id of [`PortableTables`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PortableEntry {
    /// The category or item id as in the data.
    pub id: String,
    /// Its numbers.
    pub stats: CandidateStats,
    /// Its usual category (items with a category only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Its neighbours, best first.
    pub neighbours: Vec<(String, f32)>,
}

impl StoreTables {
    /// The tables with ids written as names: `ids` is the kind's vocabulary, `parents` the
    /// category vocabulary (used for items).
    pub fn to_portable(&self, ids: &Vocab, parents: &Vocab) -> PortableTables {
        let entries = (0..self.len() as u32)
            .filter(|&i| self.stats(i).buyers > 0)
            .map(|i| PortableEntry {
                id: ids.name(i).to_string(),
                stats: self.stats(i),
                parent: (self.parent(i) != NO_CATEGORY)
                    .then(|| parents.name(self.parent(i)).to_string()),
                neighbours: self
                    .neighbours(i)
                    .iter()
                    .map(|&(j, p)| (ids.name(j).to_string(), p))
                    .collect(),
            })
            .collect();
        PortableTables {
            kind: self.kind,
            as_of: self.as_of,
            active_28d: self.active_28d,
            active_7d: self.active_7d,
            entries,
            popular: self
                .popular
                .iter()
                .map(|&i| ids.name(i).to_string())
                .collect(),
        }
    }
}

impl PortableTables {
    /// Tables over the ids of `ids` (the kind's vocabulary; new names are interned) and, for
    /// items, `parents` (the category vocabulary).
    pub fn resolve(&self, ids: &mut Vocab, parents: &mut Vocab) -> StoreTables {
        let resolved: Vec<u32> = self.entries.iter().map(|e| ids.intern(&e.id)).collect();
        let neighbour_ids: Vec<Vec<(u32, f32)>> = self
            .entries
            .iter()
            .map(|e| {
                e.neighbours
                    .iter()
                    .map(|(n, p)| (ids.intern(n), *p))
                    .collect()
            })
            .collect();
        let popular = self.popular.iter().map(|n| ids.intern(n)).collect();
        let n = ids.len();
        let mut stats = vec![CandidateStats::default(); n];
        let mut neighbours = vec![Vec::new(); n];
        let mut parent = match self.kind {
            Kind::Category => Vec::new(),
            Kind::Item => vec![NO_CATEGORY; n],
        };
        for ((e, &id), nb) in self.entries.iter().zip(&resolved).zip(neighbour_ids) {
            stats[id as usize] = e.stats;
            neighbours[id as usize] = nb;
            if let (Kind::Item, Some(p)) = (self.kind, &e.parent) {
                parent[id as usize] = parents.intern(p);
            }
        }
        StoreTables {
            kind: self.kind,
            as_of: self.as_of,
            active_28d: self.active_28d,
            active_7d: self.active_7d,
            rank_28d: ranks_28d(&stats),
            stats,
            neighbours,
            popular,
            parent,
        }
    }
}
