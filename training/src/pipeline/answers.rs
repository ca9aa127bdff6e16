//! The answer snapshot (`answers.bin`): every member of the member state with the answers
//! serving would compute for them at as-of, computed here with the same `features` functions
//! so that serving loads them instead of recomputing them at every start.

use std::io::Write;

use features::answer::{ChurnAnswer, MemberAnswer};
use features::churn::{ChurnArtifact, ChurnEvaluator, design_row};
use features::contract::{AnswerCodec, store_values};
use features::recommend::Pick;
use features::{Day, OrderBook, PurchaseHistory, compute};

use super::recommend::{KindLists, KindOutput};

/// Members per unit of work handed to a thread.
const CHUNK: usize = 512;

/// Chunks computed side by side before they are written, so that the encoded answers held at
/// once are those of `CHUNK * WAVE` members (about 50 MB), whatever the population.
const WAVE: usize = 64;

/// Writes an answer snapshot a range of members at a time: the header for the whole
/// population first, then the members of each range in order ([`write`](Self::write)). A
/// member's answer is the churn answer from `model` on the design row computed with `churn`
/// (the companion parameters exactly as serving reads them), the portrait and own picks, and
/// the kept picks of every kind with a fitted ranker (in `recos` order). Each kind's store
/// values in the header are taken from the picks `recos` holds (the fit book's members; any
/// other value is written in full), so the records can be encoded before every list exists.
pub struct AnswerWriter<'a> {
    as_of: Day,
    churn: &'a ChurnArtifact,
    model: &'a ChurnEvaluator,
    codec: AnswerCodec,
}

impl<'a> AnswerWriter<'a> {
    /// The writer of a run's answers at `as_of`.
    pub fn new(
        as_of: Day,
        churn: &'a ChurnArtifact,
        model: &'a ChurnEvaluator,
        recos: &[KindOutput],
    ) -> Self {
        let learned: Vec<&KindOutput> = recos.iter().filter(|r| r.fit.is_some()).collect();
        let values = learned
            .iter()
            .map(|r| store_values(r.recommendations.picks.iter().flatten()))
            .collect();
        let kinds = learned.iter().map(|r| r.kind).collect();
        AnswerWriter {
            as_of,
            churn,
            model,
            codec: AnswerCodec::new(as_of, kinds, values),
        }
    }

    /// Writes the header of a snapshot of `members` answers.
    pub fn header(&self, members: usize, w: &mut impl Write) -> std::io::Result<()> {
        let mut header = Vec::new();
        self.codec.encode_header(members, &mut header);
        w.write_all(&header)
    }

    /// Writes the answers of `members` (ids of `book`, ascending, in the member state's order),
    /// whose lists of every kind are in `lists`: a wave of chunks at a time on every core, so
    /// neither the decoded answers nor their bytes are held for every member at once.
    pub fn write(
        &self,
        book: &OrderBook,
        members: &[u32],
        lists: &[KindLists],
        w: &mut impl Write,
    ) -> std::io::Result<()> {
        let learned: Vec<&KindLists> = lists.iter().filter(|l| l.learned).collect();
        let answers = Answers {
            book,
            as_of: self.as_of,
            churn: self.churn,
            model: self.model,
            learned,
        };
        for wave in members.chunks(CHUNK * WAVE) {
            for bytes in answers.chunks(wave, |answers| {
                let mut b = Vec::new();
                for a in &answers {
                    self.codec.encode(a, &mut b);
                }
                b
            }) {
                w.write_all(&bytes)?;
            }
        }
        Ok(())
    }
}

/// What a member's answer is computed from: the model, and per learned kind the lists of the
/// members being written.
struct Answers<'a> {
    book: &'a OrderBook,
    as_of: Day,
    churn: &'a ChurnArtifact,
    model: &'a ChurnEvaluator,
    learned: Vec<&'a KindLists>,
}

impl Answers<'_> {
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
                .map(|l| l.recommendations.picks_of(m).to_vec())
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
