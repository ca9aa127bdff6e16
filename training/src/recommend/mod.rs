//! Next-category and next-item recommendations: a gradient-boosted ranker over the
//! member × candidate rows of [`features::recommend`], trained on earlier cutoffs exactly like
//! the churn model (rows before each cutoff, labels from its own window, which ends at or
//! before as-of), then used to rank every member's candidates at as-of.

mod baselines;
mod examples;
mod fit;
mod params;
mod score;

pub use baselines::{global_top, personal_top};
pub use examples::{Examples, examples_at};
pub use fit::{MIN_RANKER_BUYERS, RankerFit, RankerTraining, fit_ranker, ranker_name};
pub use params::{
    CUTOFF_STEP_DAYS_RANGE, MAX_CUTOFFS_RANGE, MIN_HISTORY_DAYS_RANGE, RecommendParams,
    RecommendValidParams, Sampling,
};
pub use score::{Recommendations, recommend_all};

use features::{Cutoff, CutoffPlan, Day};

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
    params: &RecommendValidParams,
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
