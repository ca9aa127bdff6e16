//! Top-k ranking metrics with binary relevance: an item is relevant when it is in the member's
//! truth set (e.g. the categories bought in the label window).
//!
//! `ranked` lists recommended item ids, best first; `truth` lists relevant ids. Both are read
//! as sets: a repeated id in `ranked` counts at its first position only, and repeats in
//! `truth` are ignored. Every function returns `None` when `truth` is empty.

use serde::Serialize;

use crate::error::{Error, Result};

/// Ranking quality averaged over the members that have a non-empty truth set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankingReport {
    /// Members with a non-empty truth set (the others are skipped).
    pub evaluated_members: usize,
    /// Mean [`recall_at_k`] at `k = 10`.
    pub recall_at_10: f64,
    /// Mean [`ndcg_at_k`] at `k = 10`.
    pub ndcg_at_10: f64,
    /// Mean [`hit_at_k`] at `k = 10`: share of members with at least one relevant item in
    /// their top 10.
    pub hit_rate_at_10: f64,
    /// Mean [`recall_at_k`] at `k = 20`.
    pub recall_at_20: f64,
}

impl RankingReport {
    /// Averages the metrics over `(ranked, truth)` pairs, one per member.
    ///
    /// # Errors
    /// [`Error::UndefinedMetric`] when no member has a non-empty truth set.
    pub fn compute<'a>(members: impl IntoIterator<Item = (&'a [u32], &'a [u32])>) -> Result<Self> {
        let mut n = 0usize;
        let mut sums = [0.0f64; 4];
        for (ranked, truth) in members {
            let Some(recall_10) = recall_at_k(ranked, truth, 10) else {
                continue;
            };
            let ndcg_10 = ndcg_at_k(ranked, truth, 10).unwrap_or_default();
            let hit_10 = hit_at_k(ranked, truth, 10).unwrap_or_default();
            let recall_20 = recall_at_k(ranked, truth, 20).unwrap_or_default();
            for (sum, v) in sums.iter_mut().zip([recall_10, ndcg_10, hit_10, recall_20]) {
                *sum += v;
            }
            n += 1;
        }
        if n == 0 {
            return Err(Error::UndefinedMetric {
                metric: "ranking report",
                reason: "no member has a non-empty truth set",
            });
        }
        let [recall_at_10, ndcg_at_10, hit_rate_at_10, recall_at_20] = sums.map(|s| s / n as f64);
        Ok(Self {
            evaluated_members: n,
            recall_at_10,
            ndcg_at_10,
            hit_rate_at_10,
            recall_at_20,
        })
    }
}

/// `|top-k ∩ truth| / |truth|`, in `[0, 1]`; not capped by `k`, so a member with more than
/// `k` relevant items cannot reach 1.
pub fn recall_at_k(ranked: &[u32], truth: &[u32], k: usize) -> Option<f64> {
    let truth = TruthSet::new(truth)?;
    let hits = truth.hit_positions(ranked, k).count();
    Some(hits as f64 / truth.len() as f64)
}

/// Normalised discounted cumulative gain with binary relevance: `DCG@k / IDCG@k` where
/// `DCG@k = Σ_{relevant i < k} 1 / log2(i + 2)` (0-based positions) and the ideal places
/// `min(|truth|, k)` relevant items first. In `[0, 1]`; `Some(0.0)` when `k == 0`.
pub fn ndcg_at_k(ranked: &[u32], truth: &[u32], k: usize) -> Option<f64> {
    let truth = TruthSet::new(truth)?;
    let discount = |i: usize| 1.0 / ((i + 2) as f64).log2();
    let dcg: f64 = truth.hit_positions(ranked, k).map(discount).sum();
    let ideal: f64 = (0..truth.len().min(k)).map(discount).sum();
    Some(if ideal > 0.0 { dcg / ideal } else { 0.0 })
}

/// `1.0` when at least one of the top `k` items is relevant, else `0.0`.
pub fn hit_at_k(ranked: &[u32], truth: &[u32], k: usize) -> Option<f64> {
    let truth = TruthSet::new(truth)?;
    Some(if truth.hit_positions(ranked, k).next().is_some() {
        1.0
    } else {
        0.0
    })
}

/// The distinct relevant ids, sorted for binary search.
struct TruthSet(Vec<u32>);

impl TruthSet {
    fn new(truth: &[u32]) -> Option<Self> {
        let mut ids = truth.to_vec();
        ids.sort_unstable();
        ids.dedup();
        (!ids.is_empty()).then_some(Self(ids))
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    /// Positions (0-based, `< k`) in `ranked` where a relevant id appears for the first time.
    fn hit_positions<'a>(
        &'a self,
        ranked: &'a [u32],
        k: usize,
    ) -> impl Iterator<Item = usize> + 'a {
        let mut seen = vec![false; self.0.len()];
        ranked
            .iter()
            .take(k)
            .enumerate()
            .filter_map(move |(pos, id)| {
                let slot = self.0.binary_search(id).ok()?;
                (!std::mem::replace(&mut seen[slot], true)).then_some(pos)
            })
    }
}
