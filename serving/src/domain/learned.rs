//! The learned recommendations: the rankers trained and exported by `tiefen-train`, applied to
//! a member's live history with the exported store tables. A member's best candidates are
//! kept (compactly) with their answer and re-selected per request with the query's options.

use features::recommend::{
    CandidateParams, CandidateSet, MemberContext, RANK_LEN, SelectOptions, StoreTables, candidates,
    col, reason, select_by,
};
use features::{Day, Kind, Vocab};

use super::store::Member;
use crate::Result;
use crate::model::ChurnScorer;

/// Candidates kept per member and kind after scoring.
pub const KEEP: usize = 30;

/// One kind's ranker with its tables resolved against the member store's vocabularies.
#[derive(Debug, Clone)]
pub struct LearnedRanker {
    /// Categories or items.
    pub kind: Kind,
    /// Store tables at the model's as-of.
    pub tables: StoreTables,
    /// The exported ranker.
    pub scorer: ChurnScorer,
    /// Candidate generation settings from `recommend.json`.
    pub params: CandidateParams,
}

/// A scored candidate, with the few row values the storefront options and the reason read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pick {
    /// Category or item id (store vocabulary).
    pub id: u32,
    /// The ranker's probability of buying it in the horizon.
    pub score: f32,
    /// Row values: own purchase days, own mean gap, days since bought, co-purchase score,
    /// store trend, store repeat rate.
    pub values: [f32; 6],
}

const KEPT_COLUMNS: [usize; 6] = [
    col::OWN_DAYS,
    col::OWN_GAP_MEAN,
    col::OWN_DAYS_SINCE_LAST,
    col::COPURCHASE_SCORE,
    col::STORE_TREND,
    col::STORE_REPEAT_RATE,
];

/// Scores the candidates of `members` (each as of its own day) in one ranker call and keeps
/// each member's best [`KEEP`] (equal scores by name).
pub fn rank_members(
    members: &[(&Member, Day)],
    ranker: &LearnedRanker,
    names: &Vocab,
) -> Result<Vec<Vec<Pick>>> {
    let sets: Vec<CandidateSet> = members
        .iter()
        .map(|(m, as_of)| {
            let ctx = MemberContext::new(&m.history(), *as_of, ranker.kind);
            candidates(&ctx, &ranker.tables, &ranker.params)
        })
        .collect();
    let rows: Vec<f32> = sets.iter().flat_map(|s| s.rows.iter().copied()).collect();
    let scores = ranker.scorer.predict(&rows)?;
    let mut offset = 0;
    Ok(sets
        .iter()
        .map(|set| {
            let s = &scores[offset..offset + set.len()];
            offset += set.len();
            let mut order: Vec<usize> = (0..set.len()).collect();
            order.sort_by(|&a, &b| {
                s[b].total_cmp(&s[a])
                    .then_with(|| names.name(set.ids[a]).cmp(names.name(set.ids[b])))
            });
            order
                .into_iter()
                .take(KEEP)
                .map(|i| {
                    let row = set.row(i);
                    Pick {
                        id: set.ids[i],
                        score: s[i],
                        values: KEPT_COLUMNS.map(|c| row[c]),
                    }
                })
                .collect()
        })
        .collect())
}

/// The final list from a member's kept picks: `(id, score, reason)`, best first, with the
/// storefront options applied.
pub fn select_picks(
    picks: &[Pick],
    tables: &StoreTables,
    options: &SelectOptions,
    names: &Vocab,
) -> Vec<(u32, f32, String)> {
    let mut set = CandidateSet::default();
    for p in picks {
        set.ids.push(p.id);
        let mut row = [0f32; RANK_LEN];
        for (c, v) in KEPT_COLUMNS.iter().zip(p.values) {
            row[*c] = v;
        }
        set.rows.extend_from_slice(&row);
    }
    let scores: Vec<f32> = picks.iter().map(|p| p.score).collect();
    select_by(&set, &scores, tables, options, |a, b| {
        names.name(a).cmp(names.name(b))
    })
    .into_iter()
    .map(|r| (r.id, r.score, r.reason))
    .collect()
}

/// The cold-start list: the store's popular ids, flagged by the caller.
pub fn cold_start(tables: &StoreTables, k: usize) -> Vec<(u32, f32, String)> {
    let mut row = [0f32; RANK_LEN];
    tables
        .popular
        .iter()
        .take(k)
        .map(|&id| {
            let s = tables.stats(id);
            row[col::STORE_TREND] = (s.buyers_28d as f32 + 1.0) / (s.buyers_prev_28d as f32 + 1.0);
            let share = s.buyers_28d as f32 / tables.active_28d.max(1) as f32;
            (id, share, reason(&row))
        })
        .collect()
}
