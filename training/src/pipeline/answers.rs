//! The answer snapshot (`answers.bin`): every member of the member state with the answers
//! serving would compute for them at as-of, computed here with the same `features` functions
//! so that serving loads them instead of recomputing them at every start.

use std::io::Write;

use features::answer::{ChurnAnswer, MemberAnswer};
use features::churn::{ChurnArtifact, ChurnEvaluator, design_row};
use features::contract::{AnswerCodec, store_values};
use features::recommend::Pick;
use features::state::state_members;
use features::{Day, Kind, OrderBook, PurchaseHistory, compute};

use super::recommend::KindOutput;

/// Members per unit of work handed to a thread.
const CHUNK: usize = 512;

/// Chunks computed side by side before they are written, so that the encoded answers held at
/// once are those of `CHUNK * WAVE` members (about 50 MB), whatever the population.
const WAVE: usize = 64;

/// Writes the answer snapshot of every member [`state_members`] lists, in that order, to `w`
/// (the bytes `encode_answers` gives): the churn answer from `model` on the design row computed
/// with `churn` (the companion parameters exactly as serving reads them), the portrait and own
/// picks, and the kept picks of every kind with a fitted ranker (in `recos` order), with each
/// kind's store values taken from its picks. A wave of chunks at a time: neither the decoded
/// answers of all members nor their bytes are held at once.
pub fn write_answer_snapshot(
    book: &OrderBook,
    as_of: Day,
    churn: &ChurnArtifact,
    model: &ChurnEvaluator,
    recos: &[KindOutput],
    w: &mut impl Write,
) -> std::io::Result<()> {
    let maker = Answers::new(book, as_of, churn, model, recos);
    let members = state_members(book, as_of);
    let values = maker
        .learned
        .iter()
        .map(|r| store_values(r.recommendations.picks.iter().flatten()))
        .collect();
    let codec = AnswerCodec::new(as_of, maker.kinds(), values);
    let mut header = Vec::new();
    codec.encode_header(members.len(), &mut header);
    w.write_all(&header)?;
    for wave in members.chunks(CHUNK * WAVE) {
        for bytes in maker.chunks(wave, |answers| {
            let mut b = Vec::new();
            for a in &answers {
                codec.encode(a, &mut b);
            }
            b
        }) {
            w.write_all(&bytes)?;
        }
    }
    Ok(())
}

/// What a member's answer is computed from: the model, and per learned kind the position of
/// each book member in that kind's recommendations.
struct Answers<'a> {
    book: &'a OrderBook,
    as_of: Day,
    churn: &'a ChurnArtifact,
    model: &'a ChurnEvaluator,
    learned: Vec<&'a KindOutput>,
    slots: Vec<Vec<u32>>,
}

impl<'a> Answers<'a> {
    fn new(
        book: &'a OrderBook,
        as_of: Day,
        churn: &'a ChurnArtifact,
        model: &'a ChurnEvaluator,
        recos: &'a [KindOutput],
    ) -> Self {
        let learned: Vec<&KindOutput> = recos.iter().filter(|r| r.fit.is_some()).collect();
        let slots = learned
            .iter()
            .map(|r| {
                let mut at = vec![u32::MAX; book.members().len()];
                for (i, &m) in r.recommendations.members.iter().enumerate() {
                    at[m as usize] = i as u32;
                }
                at
            })
            .collect();
        Answers {
            book,
            as_of,
            churn,
            model,
            learned,
            slots,
        }
    }

    /// The kinds of each answer's learned lists.
    fn kinds(&self) -> Vec<Kind> {
        self.learned.iter().map(|r| r.kind).collect()
    }

    fn answer(&self, m: u32) -> MemberAnswer {
        let (book, as_of, churn) = (self.book, self.as_of, self.churn);
        let history = PurchaseHistory::new(book.history(m).before(as_of), book.attributes(m));
        let churn_answer = compute(&history, as_of, &churn.context).map(|fv| {
            let row = design_row(fv.as_slice(), churn.bgnbd.as_ref(), churn.horizon_days);
            ChurnAnswer::new(&row, self.model.predict_row(&row), churn)
        });
        let picks: Vec<Vec<Pick>> = if churn_answer.is_some() {
            self.learned
                .iter()
                .zip(&self.slots)
                .map(|(r, at)| {
                    r.recommendations
                        .picks
                        .get(at[m as usize] as usize)
                        .cloned()
                        .unwrap_or_default()
                })
                .collect()
        } else {
            vec![Vec::new(); self.learned.len()]
        };
        MemberAnswer::new(&history, as_of, churn_answer, picks)
    }

    /// The answers of `members`, a chunk of [`CHUNK`] at a time on every core
    /// ([`features::parallel::chunks_in_order`]), each chunk turned into `T` by `finish` on the
    /// thread that computed it; in `members` order.
    fn chunks<T: Send>(
        &self,
        members: &[u32],
        finish: impl Fn(Vec<MemberAnswer>) -> T + Sync,
    ) -> Vec<T> {
        features::parallel::chunks_in_order(members, CHUNK, |chunk| {
            finish(chunk.iter().map(|&m| self.answer(m)).collect())
        })
    }
}
