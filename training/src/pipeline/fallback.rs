//! What a run does when the shape of the data does not allow a part to be fitted: the part is
//! replaced by a documented rule, the run publishes everything else, and each replacement is
//! recorded as a [`Fallback`] in `run.json` and `card.json` (serving reads the card and flags
//! its answers).
//!
//! The rules:
//! - **cutoffs**: history before as-of shorter than 2 × the horizon trains on one cutoff in
//!   the middle with a shortened window (`features::training_cutoffs`); history of a single
//!   day has no training cutoff at all, and every model below falls back.
//! - **churn**: too few members (fewer than `[churn] min_members`, default
//!   [`MIN_CHURN_MEMBERS`], at the latest cutoff), labels of one class in the training or
//!   validation rows, or a degenerate fit or calibration: the churn model becomes a fixed
//!   [`Linear`] on the design row, exported and served like a learned one. With a
//!   BG/NBD model at as-of, it is [`RULE_CHURN_BGNBD`]
//!   (`sigmoid(4 · (p − 0.5))` of BG/NBD's probability `p` of no purchase in the horizon,
//!   monotone in `p` and equal to it at 0.5); without one, [`RULE_CHURN_RECENCY`]
//!   (`sigmoid(2 · (ln(1 + days since the last purchase) − ln(1 + H)))`, 0.5 at `H` days).
//!   Reasons come from the recency term.
//! - **next_category / next_item**: fewer than two ids of the kind, no categories, too few
//!   buyers or labels of one class (see `recommend::fit_ranker`), or a degenerate fit: no
//!   ranker is exported for the kind; `recommendations.csv` holds [`RULE_RANKER`] lists (the
//!   member's own most bought ids, then the store's popular ones, scored `1 − rank / k`), and
//!   serving answers the kind with its own-then-popular lists, flagged
//!   `"ranker": "fallback-popularity"` and `"fallback"`.
//! - **churn evaluation / recommendation evaluation**: a metric undefined on the window after
//!   as-of (e.g. every member churned) skips that evaluation.

use features::recommend::{MemberContext, Ranked, StoreTables};
use features::spec::idx;
use features::{AttributeEffects, Cutoff, CutoffPlan, Day, Kind, OrderBook};

use super::churn::{ChurnFit, ChurnModel, ChurnTraining, fit_churn};
use super::churn_params::ChurnValidParams;
use super::design::{Design, N_COLS, design_at};
use super::recommend::task_name;
use features::churn::Linear;

use crate::churn::Selection;
use crate::recommend::{Recommendations, personal_top};
use crate::{Error, Result};

/// The default of `[churn] min_members`: the churn model is fitted only with at least this
/// many members at the latest training cutoff; below it, the run falls back.
pub const MIN_CHURN_MEMBERS: usize = 50;

/// Churn rule with a BG/NBD model at as-of.
pub const RULE_CHURN_BGNBD: &str = "bgnbd_no_purchase";
/// Churn rule without one.
pub const RULE_CHURN_RECENCY: &str = "recency";
/// Ranker rule.
pub const RULE_RANKER: &str = "personal_top_then_popular";
/// Rule of an evaluation that could not be computed.
pub const RULE_SKIPPED: &str = "skipped";
/// Rule of the cutoffs of short history.
pub const RULE_SHORT_CUTOFF: &str = "one_shortened_cutoff";
/// Rule of history too short for any cutoff.
pub const RULE_NO_CUTOFF: &str = "no_cutoff";

pub use features::contract::Fallback;

/// A record of `part` replaced by `rule` because of `reason`, logged as a warning.
pub(super) fn record(part: impl Into<String>, rule: &str, reason: impl Into<String>) -> Fallback {
    let f = Fallback {
        part: part.into(),
        rule: rule.to_string(),
        reason: reason.into(),
    };
    tracing::warn!(part = %f.part, rule = %f.rule, "falling back: {}", f.reason);
    f
}

/// The cutoffs fallbacks: short history (from the plan's note), or a single day of history
/// (no cutoff at all; `None` from `training_cutoffs` is then replaced by an empty plan).
pub(super) fn cutoffs_fallback(plan: &CutoffPlan) -> Option<Fallback> {
    let note = plan.fallback.as_ref()?;
    let rule = if plan.cutoffs.is_empty() {
        RULE_NO_CUTOFF
    } else {
        RULE_SHORT_CUTOFF
    };
    Some(record("cutoffs", rule, note.clone()))
}

/// An empty plan for history of fewer than 2 days before `as_of`.
pub(super) fn no_cutoffs(first_day: Day, as_of: Day) -> CutoffPlan {
    CutoffPlan {
        cutoffs: Vec::new(),
        fallback: Some(format!(
            "history before {as_of} spans {} day(s) from {first_day}: no training cutoff, every model falls back",
            as_of.0 - first_day.0
        )),
    }
}

/// Fits the churn model, or falls back when the data's shape does not allow it; other errors
/// are returned as failures of the `churn model` part.
pub fn churn_or_fallback(
    book: &OrderBook,
    plan: &CutoffPlan,
    as_of: Day,
    horizon_days: u32,
    params: &ChurnValidParams,
) -> Result<(ChurnFit, Option<Fallback>)> {
    let Some(latest) = plan.cutoffs.first() else {
        let reason = "no training cutoff".to_string();
        return Ok(fallback_churn(book, as_of, horizon_days, reason));
    };
    let members = book.snapshot(latest.as_of).len();
    let min_members = params.min_members();
    if members < min_members {
        let reason = format!(
            "{members} members at the latest training cutoff {}, fewer than the {min_members} a churn model needs",
            latest.as_of
        );
        return Ok(fallback_churn(book, as_of, horizon_days, reason));
    }
    let target = Cutoff {
        as_of,
        horizon_days,
    };
    match fit_churn(book, plan, target, params) {
        Ok(fit) => Ok((fit, None)),
        Err(e) if e.is_data_shape() => Ok(fallback_churn(
            book,
            as_of,
            horizon_days,
            format!("{:#}", anyhow::Error::from(e)),
        )),
        Err(e) => Err(e.in_part("churn model")),
    }
}

fn fallback_churn(
    book: &OrderBook,
    as_of: Day,
    horizon_days: u32,
    reason: String,
) -> (ChurnFit, Option<Fallback>) {
    let at_t: Design = design_at(book, as_of, horizon_days);
    let recency = recency_rule(horizon_days);
    let (model, rule) = match at_t.bgnbd {
        Some(_) => (bgnbd_rule(), RULE_CHURN_BGNBD),
        None => (recency.clone(), RULE_CHURN_RECENCY),
    };
    let explainer = recency;
    let fit = ChurnFit {
        model: ChurnModel::Logistic(model),
        explainer,
        training: ChurnTraining {
            cutoffs: Vec::new(),
            training_rows: 0,
            validation_rows: 0,
            validation: format!("none: the churn model is the {rule} rule"),
            selection: Selection {
                chosen: 0,
                candidates: Vec::new(),
            },
            calibration: (1.0, 0.0),
            ridge: 0.0,
            level_shift: None,
            sampled_members: None,
        },
        recency_calibration: (
            RECENCY_SLOPE,
            -RECENCY_SLOPE * (1.0 + horizon_days as f32).ln(),
        ),
        attribute_effects: AttributeEffects::default(),
        baseline: None,
    };
    (fit, Some(record("churn", rule, reason)))
}

/// Slope of the recency rule on `ln(1 + days)`.
const RECENCY_SLOPE: f32 = 2.0;

fn zero_model() -> Linear {
    Linear {
        offsets: vec![0.0; N_COLS],
        scales: vec![1.0; N_COLS],
        weights: vec![0.0; N_COLS],
        intercept: 0.0,
        calibration: None,
        log1p: vec![false; N_COLS],
    }
}

/// `sigmoid(2 · (ln(1 + recency) − ln(1 + H)))`.
fn recency_rule(horizon_days: u32) -> Linear {
    let mut m = zero_model();
    let j = idx::RECENCY_DAYS;
    m.log1p[j] = true;
    m.offsets[j] = (1.0 + horizon_days as f32).ln();
    m.scales[j] = 1.0 / RECENCY_SLOPE;
    m.weights[j] = 1.0;
    m
}

/// `sigmoid(4 · (p − 0.5))` of the BG/NBD probability of no purchase.
fn bgnbd_rule() -> Linear {
    let mut m = zero_model();
    let j = N_COLS - 2;
    m.offsets[j] = 0.5;
    m.scales[j] = 0.25;
    m.weights[j] = 1.0;
    m
}

/// Why `kind` cannot have a ranker before any fitting: fewer than two ids of it.
pub(super) fn unrankable(book: &OrderBook, kind: Kind) -> Option<String> {
    let n = match kind {
        Kind::Category => book.categories().len(),
        Kind::Item => book.items().len(),
    };
    (n < 2).then(|| {
        format!(
            "{}: the data holds {n} {} id(s), a ranker needs at least two",
            task_name(kind),
            match kind {
                Kind::Category => "category",
                Kind::Item => "item",
            }
        )
    })
}

/// The fallback lists of one kind: each member's own ids by purchase days, then the store's
/// popular ones, scored `1 − rank / k`.
pub(super) fn fallback_lists(
    book: &OrderBook,
    members: &[u32],
    as_of: Day,
    tables: &StoreTables,
    k: usize,
) -> Recommendations {
    let lists = members
        .iter()
        .map(|&m| {
            let ctx = MemberContext::new(&book.history(m), as_of, tables.kind);
            let own: Vec<u32> = ctx.own.iter().map(|o| o.id).collect();
            personal_top(&ctx, tables, k)
                .into_iter()
                .enumerate()
                .map(|(rank, id)| Ranked {
                    id,
                    score: 1.0 - rank as f32 / k.max(1) as f32,
                    reason: if own.contains(&id) {
                        "bought before".to_string()
                    } else {
                        "popular in the store".to_string()
                    },
                })
                .collect()
        })
        .collect();
    Recommendations {
        members: members.to_vec(),
        lists,
        picks: Vec::new(),
    }
}

/// `result`, or `None` with a fallback record of `part` when it failed for the shape of the
/// data (an evaluation that cannot be computed); other errors fail as `part`.
pub(super) fn skip_on_shape<T>(
    result: Result<Option<T>>,
    part: &str,
    fallbacks: &mut Vec<Fallback>,
) -> Result<Option<T>> {
    match result {
        Ok(v) => Ok(v),
        Err(e) if e.is_data_shape() => {
            let reason = format!("{:#}", anyhow::Error::from(e));
            fallbacks.push(record(part, RULE_SKIPPED, reason));
            Ok(None)
        }
        Err(e) => Err(e.in_part(part.replace('_', " "))),
    }
}

/// The fallback record of a BG/NBD model that could not be fitted at as-of.
pub(super) fn bgnbd_fallback(at_t: &Design) -> Option<Fallback> {
    at_t.bgnbd.is_none().then(|| {
        record(
            format!("bgnbd@{}", at_t.snapshot.as_of),
            "constant_columns",
            "no penalizer gave a converged BG/NBD fit with finite predictions: its columns are 0.5 and 0",
        )
    })
}

/// `Error` of a ranker that is not a data-shape error, named after its part.
pub(super) fn ranker_error(e: Error, kind: Kind) -> Error {
    e.in_part(crate::recommend::ranker_name(kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row_with(j: usize, value: f32) -> Vec<f32> {
        let mut row = vec![0.0; N_COLS];
        row[j] = value;
        row
    }

    #[test]
    fn the_recency_rule_is_even_odds_at_the_horizon_and_rises_with_recency() {
        let m = recency_rule(28);
        m.validate().unwrap();
        let p = |days: f32| m.predict_row(&row_with(idx::RECENCY_DAYS, days));
        assert!((p(28.0) - 0.5).abs() < 1e-6);
        assert!(p(1.0) < p(14.0) && p(14.0) < p(28.0) && p(28.0) < p(90.0));
        assert!(p(90.0) > 0.85 && p(1.0) < 0.1, "{} {}", p(90.0), p(1.0));
    }

    #[test]
    fn the_bgnbd_rule_is_monotone_in_the_probability_of_no_purchase() {
        let m = bgnbd_rule();
        m.validate().unwrap();
        let p = |q: f32| m.predict_row(&row_with(N_COLS - 2, q));
        assert!((p(0.5) - 0.5).abs() < 1e-6);
        assert!(p(0.0) < p(0.25) && p(0.25) < p(0.75) && p(0.75) < p(1.0));
    }

    #[test]
    fn only_data_shape_errors_are_skipped() {
        let mut fallbacks = Vec::new();
        let undefined: Result<Option<()>> = Err(Error::UndefinedMetric {
            metric: "AUC",
            reason: "one class",
        });
        assert!(matches!(
            skip_on_shape(undefined, "churn_evaluation", &mut fallbacks),
            Ok(None)
        ));
        assert_eq!(fallbacks[0].part, "churn_evaluation");
        assert_eq!(fallbacks[0].rule, RULE_SKIPPED);
        let bug: Result<Option<()>> = Err(Error::LengthMismatch {
            what: "labels",
            expected: 2,
            got: 1,
        });
        let e = skip_on_shape(bug, "churn_evaluation", &mut fallbacks).unwrap_err();
        assert!(matches!(e, Error::Part { ref part, .. } if part == "churn evaluation"));
        assert_eq!(fallbacks.len(), 1);
    }
}
