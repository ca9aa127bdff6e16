//! A member's kept candidates: the best [`KEEP`] scored candidates of one kind, with the few
//! row values the storefront options and the reason read. Training keeps them for every
//! member in the answer snapshot; serving keeps them with a member's answer and re-selects
//! per request with the query's options ([`select_picks`]).

use super::candidates::CandidateSet;
use super::select::{SelectOptions, select_by};
use super::spec::{RANK_LEN, col};
use super::tables::StoreTables;
use crate::Vocab;

/// Candidates kept per member and kind after scoring.
pub const KEEP: usize = 30;

/// A scored candidate, with the few row values the storefront options and the reason read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pick {
    /// Category or item id (store vocabulary).
    pub id: u32,
    /// The ranker's probability of buying it in the horizon.
    pub score: f32,
    /// Row values: own purchase days, own mean gap, days since bought, co-purchase score,
    /// store trend, store repeat rate (the columns of [`KEPT_COLUMNS`]).
    pub values: [f32; 6],
}

/// The ranker-row columns a [`Pick`] keeps, in the order of [`Pick::values`].
pub const KEPT_COLUMNS: [usize; 6] = [
    col::OWN_DAYS,
    col::OWN_GAP_MEAN,
    col::OWN_DAYS_SINCE_LAST,
    col::COPURCHASE_SCORE,
    col::STORE_TREND,
    col::STORE_REPEAT_RATE,
];

/// The best [`KEEP`] candidates of a scored set, best first (equal scores by name).
pub fn keep_best(set: &CandidateSet, scores: &[f32], names: &Vocab) -> Vec<Pick> {
    let mut order: Vec<usize> = (0..set.len()).collect();
    order.sort_by(|&a, &b| {
        scores[b]
            .total_cmp(&scores[a])
            .then_with(|| names.name(set.ids[a]).cmp(names.name(set.ids[b])))
    });
    order
        .into_iter()
        .take(KEEP)
        .map(|i| {
            let row = set.row(i);
            Pick {
                id: set.ids[i],
                score: scores[i],
                values: KEPT_COLUMNS.map(|c| row[c]),
            }
        })
        .collect()
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
