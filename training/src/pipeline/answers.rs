//! The answer snapshot (`answers.bin`): every member of the member state with the answers
//! serving would compute for them at as-of, computed here with the same `features` functions
//! so that serving loads them instead of recomputing them at every start.

use features::answer::{ChurnAnswer, MemberAnswer};
use features::churn::{ChurnArtifact, ChurnEvaluator, design_row};
use features::contract::{AnswerSnapshot, encode_answers_header, encode_member_answer};
use features::recommend::Pick;
use features::state::state_members;
use features::{Day, Kind, OrderBook, PurchaseHistory, compute};

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
    let (kinds, chunks) = answer_chunks(book, as_of, churn, model, recos, |a| a);
    AnswerSnapshot {
        as_of,
        kinds,
        answers: chunks.into_iter().flatten().collect(),
    }
}

/// [`answer_snapshot`] encoded (the bytes of `encode_answers` on it), each chunk of members
/// encoded as soon as it is computed, so that the decoded answers of all members are never
/// held at once.
pub fn encoded_answer_snapshot(
    book: &OrderBook,
    as_of: Day,
    churn: &ChurnArtifact,
    model: &ChurnEvaluator,
    recos: &[KindOutput],
) -> Vec<u8> {
    let members = state_members(book, as_of).len();
    let n_kinds = recos.iter().filter(|r| r.fit.is_some()).count();
    let (kinds, chunks) = answer_chunks(book, as_of, churn, model, recos, |answers| {
        let mut w = Vec::new();
        for a in &answers {
            encode_member_answer(a, n_kinds, &mut w);
        }
        w
    });
    let mut bytes = Vec::with_capacity(64 + chunks.iter().map(Vec::len).sum::<usize>());
    encode_answers_header(as_of, &kinds, members, &mut bytes);
    for c in chunks {
        bytes.extend_from_slice(&c);
    }
    bytes
}

/// The learned kinds, and the answers of every member [`state_members`] lists, a chunk of
/// [`CHUNK`] members at a time (in order), each chunk turned into `T` by `finish` on the
/// thread that computed it.
fn answer_chunks<T: Send>(
    book: &OrderBook,
    as_of: Day,
    churn: &ChurnArtifact,
    model: &ChurnEvaluator,
    recos: &[KindOutput],
    finish: impl Fn(Vec<MemberAnswer>) -> T + Sync,
) -> (Vec<Kind>, Vec<T>) {
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
    let mut done: Vec<(usize, T)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.min(chunks.len()).max(1))
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(chunk) = chunks.get(i) else {
                            return out;
                        };
                        out.push((i, finish(chunk.iter().map(|&m| answer(m)).collect())));
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
    (
        learned.iter().map(|r| r.kind).collect(),
        done.into_iter().map(|(_, t)| t).collect(),
    )
}
