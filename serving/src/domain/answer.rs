//! Computing members' answers in batches (one model call per batch): every member when a
//! model folder has no answer snapshot, and the members an event touched. The answer types
//! and the per-member pieces are `features::answer`'s, shared with training, which writes the
//! snapshot serving starts from.

pub use features::answer::{ChurnAnswer, MemberAnswer, Portrait};
use features::churn::design_row;
use features::{Day, Kind, Vocab, compute};

use super::learned::first_disagreement;
use super::learned::{LearnedRanker, Pick, rank_members};
use super::store::{Member, MemberStore};
use crate::model::Models;
use crate::{Error, Result};

/// The item and category names that break ties between equal scores.
#[derive(Debug, Clone, Copy)]
pub struct Names<'a> {
    /// Category ids.
    pub categories: &'a Vocab,
    /// Item ids.
    pub items: &'a Vocab,
}

impl<'a> Names<'a> {
    /// The store's vocabularies.
    pub fn of(store: &'a MemberStore) -> Names<'a> {
        Names {
            categories: &store.categories,
            items: &store.items,
        }
    }

    /// The vocabulary of `kind`.
    pub fn kind(&self, kind: Kind) -> &'a Vocab {
        match kind {
            Kind::Category => self.categories,
            Kind::Item => self.items,
        }
    }
}

/// Computes the answers of `members` with one batched call per model.
pub fn answers(
    members: &[&Member],
    models: &Models,
    learned: &[LearnedRanker],
    names: Names<'_>,
) -> Result<Vec<MemberAnswer>> {
    let c = &models.churn;
    let mut rows: Vec<f32> = Vec::new();
    let mut prepared = Vec::with_capacity(members.len());
    for m in members {
        let as_of = m.answer_day(c.as_of);
        let history = m.history();
        let row = compute(&history, as_of, &c.context).map(|fv| {
            let row = design_row(fv.as_slice(), c.bgnbd.as_ref(), c.horizon_days);
            rows.extend_from_slice(&row);
            row
        });
        prepared.push((as_of, row));
    }
    let probs = models.churn_model.predict(&rows);
    let mut probs = probs.into_iter();
    let dated: Vec<(&Member, Day)> = members
        .iter()
        .zip(&prepared)
        .filter(|(_, p)| p.1.is_some())
        .map(|(m, p)| (*m, p.0))
        .collect();
    let mut picks: Vec<std::vec::IntoIter<Vec<Pick>>> = Vec::with_capacity(learned.len());
    for ranker in learned {
        let lists = rank_on_every_core(&dated, ranker, names.kind(ranker.kind));
        picks.push(lists.into_iter());
    }
    Ok(members
        .iter()
        .zip(prepared)
        .map(|(m, (as_of, row))| {
            let learned = if row.is_some() {
                picks
                    .iter_mut()
                    .map(|p| p.next().unwrap_or_default())
                    .collect()
            } else {
                vec![Vec::new(); learned.len()]
            };
            let churn = row.map(|row| {
                let p = probs.next().unwrap_or(f32::NAN);
                ChurnAnswer::new(&row, p, &models.churn)
            });
            let history = m.history();
            let mut answer = MemberAnswer::new(&history, as_of, churn, learned);
            answer.segment = models
                .segments
                .as_ref()
                .and_then(|s| s.answer(&history, as_of));
            answer
        })
        .collect())
}

/// Compares the native churn evaluator with tract's plan of `churn.onnx` on the design rows of
/// up to `max_members` of `members` (spread over them); returns the rows compared (none for
/// models assembled in memory, which have no file), or
/// [`Error::ModelFile`] naming the file when a probability differs by more than
/// [`super::learned::TRACT_TOLERANCE`].
pub fn check_churn_against_tract(
    models: &Models,
    members: &[(&Member, Day)],
    max_members: usize,
) -> Result<usize> {
    let Some(reference) = &models.churn_reference else {
        return Ok(0);
    };
    let c = &models.churn;
    let step = members.len().div_ceil(max_members.max(1)).max(1);
    let rows: Vec<f32> = members
        .iter()
        .step_by(step)
        .filter_map(|(m, as_of)| compute(&m.history(), *as_of, &c.context))
        .flat_map(|fv| design_row(fv.as_slice(), c.bgnbd.as_ref(), c.horizon_days))
        .collect();
    let native = models.churn_model.predict(&rows);
    let tract = reference.predict(&rows)?;
    if let Some(i) = first_disagreement(&native, &tract) {
        return Err(Error::ModelFile {
            path: models.churn_path.clone(),
            reason: format!(
                "the native evaluator gives {:?} and tract {:?} for design row {i} of {}: churn.json and churn.onnx hold different models",
                native.get(i),
                tract.get(i),
                native.len()
            ),
        });
    }
    Ok(native.len())
}

/// [`rank_members`] of `dated`, in order: a model load's thousands of members in chunks that
/// every core takes from a shared counter (so a core slowed by other work takes fewer), an
/// event's few members inline.
fn rank_on_every_core(
    dated: &[(&Member, Day)],
    ranker: &LearnedRanker,
    names: &features::Vocab,
) -> Vec<Vec<Pick>> {
    const CHUNK: usize = 256;
    features::parallel::chunks_in_order(dated, CHUNK, |chunk| rank_members(chunk, ranker, names))
        .into_iter()
        .flatten()
        .collect()
}
