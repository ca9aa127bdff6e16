//! The learned recommendations: the rankers trained and exported by `tiefen-train`, applied to
//! a member's live history with the exported store tables. A member's best candidates are
//! kept (compactly) with their answer and re-selected per request with the query's options.

use std::sync::Arc;

use features::recommend::{
    CandidateParams, CandidateSet, MemberContext, RANK_LEN, SelectOptions, StoreTables, candidates,
    col, reason, select_by,
};
pub use features::recommend::{KEEP, Pick, keep_best, select_picks};
use features::{Day, Kind, Vocab};

use super::store::{Member, MemberStore};
use crate::model::{GatherTrees, KindRanker};
use crate::{Error, Result};

/// Largest difference between the native ranker and tract's plan of the same file that
/// [`LearnedRanker::check_against_tract`] accepts.
pub const TRACT_TOLERANCE: f32 = 1e-5;

/// Members (spread over the store) whose candidate rows [`LearnedRanker::check_against_tract`]
/// compares.
pub const TRACT_CHECK_MEMBERS: usize = 200;

/// One kind's ranker with its tables resolved against the member store's vocabularies.
#[derive(Debug, Clone)]
pub struct LearnedRanker {
    /// Categories or items.
    pub kind: Kind,
    /// Store tables at the model's as-of.
    pub tables: StoreTables,
    /// The exported ranker, evaluated natively.
    pub ranker: GatherTrees,
    /// Candidate generation settings from `recommend.json`.
    pub params: CandidateParams,
}

impl LearnedRanker {
    /// `loaded`'s ranker with its tables resolved against `store`'s vocabularies (ids only the
    /// tables know are added to them).
    pub fn resolve(
        loaded: &KindRanker,
        store: &mut MemberStore,
        params: CandidateParams,
    ) -> LearnedRanker {
        let (ids, parents) = match loaded.kind {
            Kind::Category => (Arc::make_mut(&mut store.categories), &mut Vocab::new()),
            Kind::Item => (
                Arc::make_mut(&mut store.items),
                Arc::make_mut(&mut store.categories),
            ),
        };
        LearnedRanker {
            kind: loaded.kind,
            tables: loaded.tables.resolve(ids, parents),
            ranker: loaded.ranker.clone(),
            params,
        }
    }

    /// A member's candidates as of `as_of`, with their ranker rows.
    pub fn candidates(&self, member: &Member, as_of: Day) -> CandidateSet {
        let ctx = MemberContext::new(&member.history(), as_of, self.kind);
        candidates(&ctx, &self.tables, &self.params)
    }

    /// Compares the native ranker with tract's plan of the same file (`loaded.reference`) on
    /// the candidate rows of up to [`TRACT_CHECK_MEMBERS`] of `members`, spread over them;
    /// returns the rows compared, or [`Error::ModelFile`] naming the file when a probability
    /// differs by more than [`TRACT_TOLERANCE`].
    pub fn check_against_tract(
        &self,
        loaded: &KindRanker,
        members: &[(&Member, Day)],
    ) -> Result<usize> {
        let step = members.len().div_ceil(TRACT_CHECK_MEMBERS).max(1);
        let rows: Vec<f32> = members
            .iter()
            .step_by(step)
            .flat_map(|(m, as_of)| self.candidates(m, *as_of).rows)
            .collect();
        let native = self.ranker.predict_vec(&rows);
        let tract = loaded.reference.predict(&rows)?;
        if let Some(i) = first_disagreement(&native, &tract) {
            return Err(Error::ModelFile {
                path: loaded.path.clone(),
                reason: format!(
                    "the native evaluator gives {:?} and tract {:?} for candidate row {i} of {}: the two read the ranker differently",
                    native.get(i),
                    tract.get(i),
                    native.len()
                ),
            });
        }
        Ok(native.len())
    }
}

/// The first row where a native evaluator's probabilities and tract's differ by more than
/// [`TRACT_TOLERANCE`] (or are NaN), row 0 when the two have different lengths, `None` when
/// they agree.
pub fn first_disagreement(native: &[f32], tract: &[f32]) -> Option<usize> {
    let differs = native
        .iter()
        .zip(tract)
        .position(|(a, b)| (a - b).abs().is_nan() || (a - b).abs() > TRACT_TOLERANCE);
    differs.or((native.len() != tract.len()).then_some(0))
}

/// Scores each member's candidates (each as of its own day) and keeps their best [`KEEP`]
/// (equal scores by name).
pub fn rank_members(
    members: &[(&Member, Day)],
    ranker: &LearnedRanker,
    names: &Vocab,
) -> Vec<Vec<Pick>> {
    let mut scores = Vec::new();
    members
        .iter()
        .map(|(m, as_of)| {
            let set = ranker.candidates(m, *as_of);
            scores.clear();
            scores.resize(set.len(), 0.0);
            ranker.ranker.predict(&set.rows, &mut scores);
            keep_best(&set, &scores, names)
        })
        .collect()
}

/// The final list from all of a member's candidates ranked now, as of `as_of`: what
/// [`select_picks`] gives when the kept picks are enough, for when they are not.
pub fn select_live(
    ranker: &LearnedRanker,
    member: &Member,
    as_of: Day,
    options: &SelectOptions,
    names: &Vocab,
) -> Vec<(u32, f32, String)> {
    let set = ranker.candidates(member, as_of);
    let scores = ranker.ranker.predict_vec(&set.rows);
    select_by(&set, &scores, &ranker.tables, options, |a, b| {
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
