//! The per-member half of a run: with every model fitted once (on the run's fit book), each
//! range of member ids is scored, ranked, segmented and given its offers, and its rows are
//! appended to the run's files (`features.csv`, `scores`, `recommendations`, `segments`,
//! `offers`) and to the model's `members.state` and `answers.bin` before the next range is
//! computed. What is held at once is one range's lists and rows, whatever the population.
//!
//! When the fit book is the whole book (a store of at most `[churn] fit_members` members), the
//! fit already scored and ranked every member; the ranges are then cut from those results, so
//! the files are the same whatever the range size (a test checks it).

use std::ops::Range;
use std::path::{Path, PathBuf};

use features::churn::{ChurnArtifact, ChurnEvaluator};
use features::contract::layout::ANSWERS_FILE;
use features::offers::ValidOfferParams;
use features::recommend::SelectOptions;
use features::segments::Segments;
use features::spec::LEN;
use features::state::{
    MEMBER_STATE_FILE, state_members_in, write_state_header, write_state_member,
};
use features::{Day, OrderBook, Snapshot, StoreContext};

use super::answers::AnswerWriter;
use super::artifacts::{FileArtifact, FileSink};
use super::churn::ChurnFit;
use super::design::{Design, design_of};
use super::offers::{OfferRow, OfferSummary, offers_at};
use super::outputs::{FeaturesWriter, RecommendationRow, RowsWriter, recommendation_rows};
use super::parquet_out;
use super::recommend::{KindLists, KindOutput};
use super::score::{MemberScore, score_design};
use super::segments::{SegmentRow, SegmentSummary, SegmentTally, segment_rows};
use crate::Result;
use crate::recommend::RecommendValidParams;

/// Member ids per range of a run's per-member half ([`crate::TrainConfig::chunk_members`]'s
/// default): a few tens of MB of lists and rows.
pub const DEFAULT_CHUNK_MEMBERS: u32 = 8_192;

/// Everything the per-member half applies, fitted once.
pub(super) struct Models<'a> {
    /// The as-of date.
    pub as_of: Day,
    /// The horizon in days.
    pub horizon_days: u32,
    /// The churn model.
    pub fit: &'a ChurnFit,
    /// The fit book's design at as-of: its store context (with the attribute effects) and its
    /// BG/NBD model score every member; with `whole`, its rows are every member's.
    pub at_t: &'a Design,
    /// The fit book's scores, in `at_t`'s order.
    pub scores: &'a [MemberScore],
    /// Whether the fit book is the whole book (then `at_t`, `scores` and the lists of `recos`
    /// cover every member and are cut, not computed again).
    pub whole: bool,
    /// Each kind's ranker (or fallback) and store tables.
    pub recos: &'a [KindOutput],
    /// The rankers' parameters (candidates).
    pub recommend: &'a RecommendValidParams,
    /// The storefront options of the written lists.
    pub storefront: &'a SelectOptions,
    /// The checked segment model.
    pub segments: &'a Segments,
    /// The offer rules.
    pub offers: &'a ValidOfferParams,
    /// `churn.json` as serving reads it, and its model: the answers' churn part.
    pub churn: (&'a ChurnArtifact, &'a ChurnEvaluator),
}

/// Where the per-member half writes: the run's nine files, in the order `features.csv`,
/// `scores.csv`, `scores.parquet`, `recommendations.csv`, `.parquet`, `segments.csv`,
/// `.parquet`, `offers.csv`, `.parquet`; and the models folder for the large model files.
pub(super) struct Targets<'a> {
    /// The nine output files.
    pub outputs: &'a [PathBuf],
    /// The models folder (temporary files renamed into the version folder at publication).
    pub models_dir: &'a Path,
}

/// What the per-member half counted and wrote.
pub(super) struct Applied {
    /// Members scored (a line before as-of).
    pub population: usize,
    /// The segments' summary for `run.json`.
    pub segments: SegmentSummary,
    /// The offers' summary for `run.json`.
    pub offers: OfferSummary,
    /// `members.state` and `answers.bin`.
    pub files: Vec<FileArtifact>,
}

/// One range's scored members: their snapshot rows (for `features.csv`) and scores.
struct Scored {
    snapshot: Snapshot,
    scores: Vec<MemberScore>,
}

/// The per-member half's open files and counts: [`add`](Self::add) scores and writes the
/// members of one book (the whole book, or one bucket's) `chunk_members` ids at a time, and
/// [`finish`](Self::finish) closes the files.
pub(super) struct Applier<'a> {
    models: &'a Models<'a>,
    chunk_members: u32,
    answer_writer: AnswerWriter<'a>,
    state: FileSink,
    answers: FileSink,
    features: FeaturesWriter,
    scores: RowsWriter<MemberScore>,
    recommendations: RowsWriter<RecommendationRow>,
    segments: RowsWriter<SegmentRow>,
    offers: RowsWriter<OfferRow>,
    tally: SegmentTally,
    offer_summary: OfferSummary,
    population: usize,
}

impl<'a> Applier<'a> {
    /// Opens every file; `vocab` is a book with the store's item and category ids (written in
    /// the member state's header) and `state_count` the number of members the member state
    /// will hold.
    pub(super) fn create(
        vocab: &OrderBook,
        state_count: usize,
        models: &'a Models<'a>,
        targets: &Targets<'_>,
        chunk_members: u32,
    ) -> Result<Self> {
        let (as_of, out) = (models.as_of, targets.outputs);
        let mut state = FileSink::create(targets.models_dir, MEMBER_STATE_FILE)?;
        state.write(|w| write_state_header(vocab, as_of, state_count, w))?;
        let answer_writer = AnswerWriter::new(as_of, models.churn.0, models.churn.1, models.recos);
        let mut answers = FileSink::create(targets.models_dir, ANSWERS_FILE)?;
        answers.write(|w| answer_writer.header(state_count, w))?;
        Ok(Applier {
            models,
            chunk_members: chunk_members.max(1),
            answer_writer,
            state,
            answers,
            features: FeaturesWriter::create(&out[0])?,
            scores: RowsWriter::create(&out[1], &out[2], parquet_out::scores_batch)?,
            recommendations: RowsWriter::create(
                &out[3],
                &out[4],
                parquet_out::recommendations_batch,
            )?,
            segments: RowsWriter::create(&out[5], &out[6], parquet_out::segments_batch)?,
            offers: RowsWriter::create(&out[7], &out[8], parquet_out::offers_batch)?,
            tally: SegmentTally::new(models.segments),
            offer_summary: OfferSummary::default(),
            population: 0,
        })
    }

    /// Scores, ranks, segments and writes every member of `book`.
    pub(super) fn add(&mut self, book: &OrderBook) -> Result<()> {
        let n = book.members().len() as u32;
        for start in (0..n).step_by(self.chunk_members as usize) {
            self.add_range(book, start..n.min(start.saturating_add(self.chunk_members)))?;
        }
        Ok(())
    }

    fn add_range(&mut self, book: &OrderBook, ids: Range<u32>) -> Result<()> {
        let models = self.models;
        let as_of = models.as_of;
        let scored = score_range(book, models, ids.clone())?;
        let members = &scored.snapshot.members;
        self.population += members.len();
        let lists: Vec<KindLists> = models
            .recos
            .iter()
            .map(|r| {
                if models.whole {
                    r.lists_in(ids.clone())
                } else {
                    r.rank(book, members, models.recommend, models.storefront)
                }
            })
            .collect();
        let (seg_answers, seg_rows) =
            segment_rows(book, members, as_of, models.segments, &scored.scores);
        self.tally.add(
            models.segments,
            (&seg_answers, &seg_rows),
            book,
            members,
            as_of,
        );
        self.tally
            .add_tiers(models.segments, book, ids.clone(), as_of);
        let (offer_rows, summary) = offers_at(
            book,
            as_of,
            members,
            &scored.scores,
            &seg_answers,
            models.segments.tiers(),
            (models.recos, &lists),
            models.offers,
        );
        self.offer_summary.merge(summary);
        self.features.write(book, &scored.snapshot)?;
        self.scores.write(&scored.scores)?;
        self.recommendations
            .write(&recommendation_rows(book, &lists))?;
        self.segments.write(&seg_rows)?;
        self.offers.write(&offer_rows)?;
        let kept = state_members_in(book, ids, as_of);
        self.state.write(|w| {
            kept.iter()
                .try_for_each(|&m| write_state_member(book, m, as_of, w))
        })?;
        let answer_writer = &self.answer_writer;
        self.answers
            .write(|w| answer_writer.write(book, &kept, &lists, w))
    }

    /// Closes the run's files and returns the counts and the two model files.
    pub(super) fn finish(self) -> Result<Applied> {
        self.features.commit()?;
        self.scores.commit()?;
        self.recommendations.commit()?;
        self.segments.commit()?;
        self.offers.commit()?;
        Ok(Applied {
            population: self.population,
            segments: self.tally.finish(None),
            offers: self.offer_summary,
            files: vec![self.state.finish()?, self.answers.finish()?],
        })
    }
}

/// The scored members with ids in `ids`: cut from the fit's when it scored the whole book,
/// computed with the fit's store context, BG/NBD model and churn model otherwise.
fn score_range(book: &OrderBook, models: &Models<'_>, ids: Range<u32>) -> Result<Scored> {
    let at_t = models.at_t;
    if models.whole {
        let all = &at_t.snapshot.members;
        let from = all.partition_point(|&m| m < ids.start);
        let to = all.partition_point(|&m| m < ids.end);
        return Ok(Scored {
            snapshot: Snapshot {
                as_of: at_t.snapshot.as_of,
                members: all[from..to].to_vec(),
                values: at_t.snapshot.values[from * LEN..to * LEN].to_vec(),
                context: StoreContext::default(),
            },
            scores: models.scores[from..to].to_vec(),
        });
    }
    let snapshot = book.snapshot_of(ids, models.as_of, at_t.snapshot.context.clone());
    let design = design_of(snapshot, at_t.bgnbd.as_ref(), models.horizon_days);
    let scores = score_design(book, &design, models.fit)?;
    Ok(Scored {
        snapshot: design.snapshot,
        scores,
    })
}
