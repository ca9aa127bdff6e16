//! Next-category and next-item recommendations: a gradient-boosted ranker over the
//! member × candidate rows of [`features::recommend`], trained on earlier cutoffs exactly like
//! the churn model (rows before each cutoff, labels from its own window, which ends at or
//! before as-of), then used to rank every member's candidates at as-of.

mod baselines;
mod examples;
mod fit;
mod score;

pub use baselines::{global_top, personal_top};
pub use examples::{Examples, examples_at};
pub use fit::{MIN_RANKER_BUYERS, RankerFit, RankerTraining, fit_ranker, ranker_name};
pub use score::{Recommendations, recommend_all};

use features::recommend::{CandidateParams, TableParams};
use features::{Cutoff, CutoffPlan, Day, Kind};

use crate::churn::BoostedParams;

/// Everything that shapes the recommendation models; the defaults are the shipped ones.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RecommendParams {
    /// How store tables are built.
    pub tables: TableParams,
    /// How many candidates of each source are ranked.
    pub candidates: CandidateParams,
    /// The ranker's trees.
    pub ranker: BoostedParams,
    /// How the next-category ranker's training rows are sampled.
    pub category_sampling: Sampling,
    /// How the next-item ranker's training rows are sampled.
    pub item_sampling: Sampling,
    /// Weigh each member's rows by `1 / |truth|` (normalised to mean 1), so the fit optimises
    /// what mean recall rewards rather than favouring members with many purchases.
    pub weight_by_truth: bool,
    /// Days between the rankers' training cutoffs, counted back from `as_of - horizon`.
    pub cutoff_step_days: u32,
    /// Most training cutoffs of the rankers.
    pub max_cutoffs: usize,
    /// A ranker cutoff needs at least this many days of history before it.
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
    /// fit time.
    pub max_members_per_cutoff: usize,
    /// Share of negative candidates kept in training rows (positives are all kept); the
    /// ranker's base score is shifted by `ln(rate)` so scores stay probabilities.
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

/// The rankers' training cutoffs: `as_of - horizon - k · step` for `k = 0, 1, ...` (every
/// label window ends at or before `as_of`), as long as at least `min_history_days` of history
/// lie before the cutoff, at most `max_cutoffs`. Denser than the churn cutoffs because a
/// ranker learns from purchases, not members, and gains from more windows. When no such
/// cutoff exists (short history), the churn plan's cutoffs (with their documented fallback)
/// are used.
pub fn ranker_cutoffs(
    first_day: Day,
    as_of: Day,
    horizon_days: u32,
    churn_plan: &CutoffPlan,
    params: &RecommendParams,
) -> CutoffPlan {
    let latest = as_of.plus(-(horizon_days as i32));
    let cutoffs: Vec<Cutoff> = (0..params.max_cutoffs as i32)
        .map(|k| latest.plus(-k * params.cutoff_step_days.max(1) as i32))
        .take_while(|c| c.0 - first_day.0 >= params.min_history_days as i32)
        .map(|c| Cutoff {
            as_of: c,
            horizon_days,
        })
        .collect();
    if cutoffs.is_empty() {
        return churn_plan.clone();
    }
    CutoffPlan {
        cutoffs,
        fallback: None,
    }
}
