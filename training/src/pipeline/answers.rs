//! The answer snapshot (`answers.bin`): every member of the member state with the answers
//! serving would compute for them at as-of, computed here with the same `features` functions
//! so that serving loads them instead of recomputing them at every start.

use features::answer::{ChurnAnswer, MemberAnswer};
use features::churn::{ChurnArtifact, ChurnEvaluator, design_row};
use features::contract::AnswerSnapshot;
use features::recommend::Pick;
use features::state::state_members;
use features::{Day, OrderBook, PurchaseHistory, compute};

use super::recommend::KindOutput;

/// Members per unit of work handed to a thread.
const CHUNK: usize = 512;

/// The answers of every member [`state_members`] lists, in that order: the churn answer from
/// `model` on the design row computed with `churn` (the companion parameters exactly as
/// serving reads them), the portrait and own picks, and the kept picks of every kind with a
/// fitted ranker (in `recos` order).
pub fn answer_snapshot(
    book: &OrderBook,
    as_of: Day,
    churn: &ChurnArtifact,
    model: &ChurnEvaluator,
    recos: &[KindOutput],
) -> AnswerSnapshot {
    let members = state_members(book, as_of);
    let learned: Vec<&KindOutput> = recos.iter().filter(|r| r.fit.is_some()).collect();
    // Per learned kind, the position of each book member in its recommendations.
    let slots: Vec<Vec<u32>> = learned
        .iter()
        .map(|r| {
            let mut at = vec![u32::MAX; book.members().len()];
            for (i, &m) in r.recommendations.members.iter().enumerate() {
                at[m as usize] = i as u32;
            }
            at
        })
        .collect();
    let answer = |m: u32| {
        let history = PurchaseHistory::new(book.history(m).before(as_of), book.attributes(m));
        let churn_answer = compute(&history, as_of, &churn.context).map(|fv| {
            let row = design_row(fv.as_slice(), churn.bgnbd.as_ref(), churn.horizon_days);
            ChurnAnswer::new(&row, model.predict_row(&row), churn)
        });
        let picks: Vec<Vec<Pick>> = if churn_answer.is_some() {
            learned
                .iter()
                .zip(&slots)
                .map(|(r, at)| {
                    r.recommendations
                        .picks
                        .get(at[m as usize] as usize)
                        .cloned()
                        .unwrap_or_default()
                })
                .collect()
        } else {
            vec![Vec::new(); learned.len()]
        };
        MemberAnswer::new(&history, as_of, churn_answer, picks)
    };
    let chunks: Vec<&[u32]> = members.chunks(CHUNK).collect();
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, Vec<MemberAnswer>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.min(chunks.len()).max(1))
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(chunk) = chunks.get(i) else {
                            return out;
                        };
                        out.push((i, chunk.iter().map(|&m| answer(m)).collect()));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("answer thread panicked"))
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    AnswerSnapshot {
        as_of,
        kinds: learned.iter().map(|r| r.kind).collect(),
        answers: done.into_iter().flat_map(|(_, a)| a).collect(),
    }
}
