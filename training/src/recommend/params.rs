//! Hyperparameters of the rankers: [`RecommendParams`] → [`RecommendParams::check`] →
//! [`RecommendValidParams`], the only form the fit accepts.

use std::ops::RangeInclusive;

use features::Kind;
use features::contract::RecommendParamsRecord;
use features::recommend::{CandidateParams, TableParams};

use crate::ParamsError;
use crate::churn::BoostedParams;

/// The configuration table of these hyperparameters (errors name it).
const TABLE: &str = "recommend";

/// Valid [`RecommendParams::cutoff_step_days`].
pub const CUTOFF_STEP_DAYS_RANGE: RangeInclusive<u32> = 1..=365;
/// Valid [`RecommendParams::max_cutoffs`].
pub const MAX_CUTOFFS_RANGE: RangeInclusive<usize> = 1..=24;
/// Valid [`RecommendParams::min_history_days`].
pub const MIN_HISTORY_DAYS_RANGE: RangeInclusive<u32> = 0..=3_650;

/// Everything that shapes the recommendation models; the defaults are the shipped ones. Call
/// [`check`](Self::check) before fitting.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RecommendParams {
    /// How store tables are built (not configurable from the TOML file).
    pub tables: TableParams,
    /// How many candidates of each source are ranked (not configurable from the TOML file).
    pub candidates: CandidateParams,
    /// The ranker's trees (`[recommend.ranker]`): 100 trees of depth 5, learning rate 0.1,
    /// the other settings [`BoostedParams`]' defaults; the seed is the run's.
    pub ranker: BoostedParams,
    /// How the next-category ranker's training rows are sampled: 16,000 members per cutoff,
    /// a fifth of the negatives.
    pub category_sampling: Sampling,
    /// How the next-item ranker's training rows are sampled: 4,000 members per cutoff, three
    /// tenths of the negatives.
    pub item_sampling: Sampling,
    /// Weigh each member's rows by `1 / |truth|` (normalised to mean 1), so the fit optimises
    /// what mean recall rewards rather than favouring members with many purchases. Default
    /// `false`.
    pub weight_by_truth: bool,
    /// Days between the rankers' training cutoffs, counted back from `as_of - horizon`, in
    /// [`CUTOFF_STEP_DAYS_RANGE`]. Default 14.
    pub cutoff_step_days: u32,
    /// Most training cutoffs of the rankers, in [`MAX_CUTOFFS_RANGE`]. Default 4.
    pub max_cutoffs: usize,
    /// A ranker cutoff needs at least this many days of history before it, in
    /// [`MIN_HISTORY_DAYS_RANGE`]. Default 14.
    pub min_history_days: u32,
}

/// How one kind's training rows are sampled.
///
/// The defaults differ by kind because they were chosen per kind on Ta Feng over five seeds
/// (BENCHMARKS.md, "Ranker sampling per kind"): categories gain from every buyer (up to 16,000
/// per cutoff) with a fifth of the negatives, items do best with 4,000 buyers and three tenths.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Sampling {
    /// Members sampled per training cutoff (by a seeded hash of their names) to bound the
    /// fit time; at least 1.
    pub max_members_per_cutoff: usize,
    /// Share of negative candidates kept in training rows (positives are all kept), in
    /// `(0, 1]`; the ranker's base score is shifted by `ln(rate)` so scores stay
    /// probabilities.
    pub negative_rate: f64,
}

impl RecommendParams {
    /// The sampling of `kind`'s training rows.
    pub fn sampling(&self, kind: Kind) -> Sampling {
        match kind {
            Kind::Category => self.category_sampling,
            Kind::Item => self.item_sampling,
        }
    }

    /// Checks every value; an error names the configuration table and key
    /// ([`ParamsError::OutOfRange`]).
    pub fn check(self) -> Result<RecommendValidParams, ParamsError> {
        in_range(
            "cutoff_step_days",
            self.cutoff_step_days,
            &CUTOFF_STEP_DAYS_RANGE,
        )?;
        in_range("max_cutoffs", self.max_cutoffs, &MAX_CUTOFFS_RANGE)?;
        in_range(
            "min_history_days",
            self.min_history_days,
            &MIN_HISTORY_DAYS_RANGE,
        )?;
        for (s, members_key, rate_key) in [
            (
                self.category_sampling,
                "category_members_per_cutoff",
                "category_negative_rate",
            ),
            (
                self.item_sampling,
                "item_members_per_cutoff",
                "item_negative_rate",
            ),
        ] {
            if s.max_members_per_cutoff == 0 {
                return Err(out_of_range(members_key, "must be >= 1, got 0".into()));
            }
            if !(s.negative_rate > 0.0 && s.negative_rate <= 1.0) {
                return Err(out_of_range(
                    rate_key,
                    format!("must lie in (0, 1], got {}", s.negative_rate),
                ));
            }
        }
        self.ranker
            .clone()
            .check()
            .map_err(|e| e.in_table("recommend.ranker"))?;
        Ok(RecommendValidParams(self))
    }
}

fn out_of_range(key: &'static str, reason: String) -> ParamsError {
    ParamsError::OutOfRange {
        table: TABLE,
        key,
        reason,
    }
}

fn in_range<T: PartialOrd + std::fmt::Debug + std::fmt::Display>(
    key: &'static str,
    value: T,
    range: &RangeInclusive<T>,
) -> Result<(), ParamsError> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(out_of_range(
            key,
            format!("must be in {range:?}, got {value}"),
        ))
    }
}

impl Default for RecommendParams {
    fn default() -> Self {
        Self {
            tables: TableParams::default(),
            candidates: CandidateParams::default(),
            ranker: BoostedParams::new()
                .iterations(100)
                .max_depth(5)
                .learning_rate(0.1),
            category_sampling: Sampling {
                max_members_per_cutoff: 16_000,
                negative_rate: 0.2,
            },
            item_sampling: Sampling {
                max_members_per_cutoff: 4_000,
                negative_rate: 0.3,
            },
            weight_by_truth: false,
            cutoff_step_days: 14,
            max_cutoffs: 4,
            min_history_days: 14,
        }
    }
}

/// Checked ranker hyperparameters, the only form the rankers' fit accepts; reads as the
/// [`RecommendParams`] it was checked from.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(transparent)]
pub struct RecommendValidParams(RecommendParams);

impl std::ops::Deref for RecommendValidParams {
    type Target = RecommendParams;

    fn deref(&self) -> &RecommendParams {
        &self.0
    }
}

impl Default for RecommendValidParams {
    /// The shipped defaults, which pass the check.
    fn default() -> Self {
        RecommendValidParams(RecommendParams::default())
    }
}

impl RecommendValidParams {
    /// The card's record of these hyperparameters (the `[recommend]` keys).
    pub fn record(&self) -> RecommendParamsRecord {
        let p = &self.0;
        RecommendParamsRecord {
            cutoff_step_days: p.cutoff_step_days,
            max_cutoffs: p.max_cutoffs,
            min_history_days: p.min_history_days,
            weight_by_truth: p.weight_by_truth,
            category_members_per_cutoff: p.category_sampling.max_members_per_cutoff,
            category_negative_rate: p.category_sampling.negative_rate,
            item_members_per_cutoff: p.item_sampling.max_members_per_cutoff,
            item_negative_rate: p.item_sampling.negative_rate,
            ranker: p.ranker.record(),
        }
    }
}
