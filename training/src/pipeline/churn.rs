//! Fitting the churn model on stacked earlier cutoffs, choosing and calibrating it on a
//! time-held-out cutoff, and scoring the population at as-of.

use features::churn::{ChurnEvaluator, Linear, ScoringModel};
use features::spec::idx;
use features::{AttributeEffects, Cutoff, CutoffPlan, OrderBook};

use super::baseline::{RFM_COLUMNS, RfmOneHotBaseline};
use super::churn_params::ChurnValidParams;
use super::design::{Design, N_COLS, design_at, design_with_effects};
use super::level::{LevelShift, mean_matching_shift};
use super::rows::{check_two_classes, split, stack};
use crate::Result;
use crate::churn::{
    Candidate, FittedBoosted, OneHotFit, Selection, checked_logits, fit_platt, select_model,
    validated,
};
use crate::onnx::{LogitSum, TreeEnsemble};

/// The exportable churn model (the trees as the structure the ONNX tree classifier is built
/// from). It is scored only through [`ChurnModel::evaluator`], the evaluator serving uses.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChurnModel {
    /// Standardised logistic regression.
    Logistic(Linear),
    /// Gradient-boosted trees.
    Trees(TreeEnsemble),
    /// A blend of a logistic model and boosted trees: the sum of their calibrated logits.
    Blend(LogitSum),
}

impl ChurnModel {
    /// `logistic`, `boosted_trees` or `logistic_trees_blend`.
    pub fn kind(&self) -> &'static str {
        match self {
            ChurnModel::Logistic(_) => "logistic",
            ChurnModel::Trees(_) => "boosted_trees",
            ChurnModel::Blend(_) => "logistic_trees_blend",
        }
    }

    /// The model as `churn.json` stores it (the trees in the gather-tree form, calibration
    /// folded in).
    pub fn scoring_model(&self) -> ScoringModel {
        match self {
            ChurnModel::Logistic(m) => ScoringModel::Logistic { linear: m.clone() },
            ChurnModel::Trees(m) => ScoringModel::BoostedTrees {
                trees: m.tree_arrays(),
            },
            ChurnModel::Blend(m) => ScoringModel::LogisticTreesBlend {
                linear: m.linear.clone(),
                trees: m.trees.tree_arrays(),
            },
        }
    }

    /// The one churn evaluator (the one serving builds from `churn.json`) over design rows.
    ///
    /// # Errors
    /// [`crate::Error::InvalidModel`] when the model does not fit the design's columns.
    pub fn evaluator(&self) -> Result<ChurnEvaluator> {
        ChurnEvaluator::new(&self.scoring_model(), N_COLS)
            .map_err(|reason| crate::Error::InvalidModel { reason })
    }

    /// Adds `shift` to the calibrated logit of every row.
    fn shift_level(&mut self, shift: f32) {
        let calibration = match self {
            ChurnModel::Logistic(m) => &mut m.calibration,
            ChurnModel::Trees(m) => &mut m.calibration,
            ChurnModel::Blend(m) => &mut m.trees.calibration,
        };
        let (a, b) = calibration.unwrap_or((1.0, 0.0));
        *calibration = Some((a, b + shift));
    }
}

/// The [`LevelShift`] that brings the model's mean probability over the population at as-of
/// (design `at_t`) to BG/NBD's; `None` when BG/NBD could not be fitted there.
fn level_shift_at(model: &ChurnModel, at_t: &Design) -> Result<Option<LevelShift>> {
    if at_t.bgnbd.is_none() {
        return Ok(None);
    }
    let probs: Vec<f64> = model
        .evaluator()?
        .predict(&at_t.x)
        .into_iter()
        .map(f64::from)
        .collect();
    let target: Vec<f64> = at_t
        .x
        .chunks_exact(N_COLS)
        .map(|row| f64::from(row[BGNBD_P_COLUMN]))
        .collect();
    Ok(mean_matching_shift(&probs, &target))
}

/// How the churn model was trained and chosen.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChurnTraining {
    /// The cutoffs the model learnt from, most recent first (see [`churn_cutoffs`]).
    pub cutoffs: Vec<Cutoff>,
    /// Rows (member x cutoff) the final model was fitted on.
    pub training_rows: usize,
    /// Rows of the validation cutoff that chose and calibrated the model.
    pub validation_rows: usize,
    /// How validation rows were held out.
    pub validation: String,
    /// Candidates' validation scores and the winner.
    pub selection: Selection,
    /// Platt calibration `(a, b)` on the logit, fitted on the validation rows.
    pub calibration: (f32, f32),
    /// The ridge of the logistic candidates (see
    /// [`ChurnParams::ridge`](super::ChurnParams::ridge)).
    pub ridge: f64,
    /// The shift of the calibration intercept to BG/NBD's level at as-of, made when the plan
    /// had to shorten its one label window (see [`LevelShift`]); `None` otherwise.
    pub level_shift: Option<LevelShift>,
    /// Members of the sample the candidates were fitted on when the store has more than
    /// [`ChurnParams::fit_members`](super::ChurnParams::fit_members) (see
    /// [`OrderBook::member_sample`]); `None` when every member was used. [`fit_churn`] fits on
    /// the book it is given; the run, which chose the sample, sets this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sampled_members: Option<usize>,
}

/// The fitted churn model, the logistic model used to explain scores, and the training record.
#[derive(Debug, Clone)]
pub struct ChurnFit {
    /// The calibrated model to export and score with.
    pub model: ChurnModel,
    /// The logistic model refitted on all rows, whose per-feature terms explain each score.
    pub explainer: Linear,
    /// The training record for the model card.
    pub training: ChurnTraining,
    /// Platt calibration of the recency baseline (`ln(1 + recency_days)` as the logit), fitted
    /// on the most recent cutoff, so evaluation can turn recency into a probability.
    pub recency_calibration: (f32, f32),
    /// The attribute-level effects learnt on every training row, which the model's
    /// `attribute_effect` column was fitted with (and every later row must be computed with).
    pub attribute_effects: AttributeEffects,
    /// The logistic regression on RFM-style columns and one-hot attributes, fitted on every
    /// training row: the baseline the evaluation measures the model against (`None` for a
    /// fallback model, which has no training rows).
    pub baseline: Option<RfmOneHotBaseline>,
}

/// Trains the churn model on the plan's cutoffs: the most recent one is held out to choose
/// among the candidates and to calibrate; the chosen model is then refitted on every cutoff and
/// the calibration applied to it. With a single cutoff, every fifth member (by id) is held out
/// instead, and the record says so.
///
/// The candidates: logistic regressions whose member attributes (region, age group, tier) enter
/// one-hot, as in the simple baseline, folded into the `attribute_effect` column (see
/// [`fit_one_hot`]); the full one on every column, the compact one on the baseline's RFM-style
/// columns ([`COMPACT_COLUMNS`]), and their blends ([`BLEND_SHARES`], a blend of two linear
/// models being one linear model), all with [`ChurnParams::ridge`](super::ChurnParams::ridge);
/// and boosted trees on every column, except with one shortened cutoff (the trees could not
/// extrapolate to as-of) or when [`ChurnParams::trees`](super::ChurnParams::trees) is off.
/// Candidates are chosen with
/// [`ChurnParams::selection_tolerance`](super::ChurnParams::selection_tolerance).
///
/// `target` is the as-of date and horizon the model will score. When the plan had to shorten
/// its one label window (history shorter than twice the horizon), the level the model learnt is
/// that of the shorter window; the calibration intercept is then shifted so that the mean
/// probability at as-of equals BG/NBD's mean probability of no purchase in the full horizon,
/// fitted on all the history before as-of ([`LevelShift`]).
pub fn fit_churn(
    book: &OrderBook,
    plan: &CutoffPlan,
    target: Cutoff,
    params: &ChurnValidParams,
) -> Result<ChurnFit> {
    let tolerance = params.selection_tolerance();
    let first = book.first_day_before(target.as_of).unwrap_or(target.as_of);
    let cutoffs = churn_cutoffs(plan, first);
    // One design per cutoff (a snapshot and a BG/NBD fit each), side by side.
    let designs: Vec<(Design, Vec<bool>)> = std::thread::scope(|s| {
        let handles: Vec<_> = cutoffs
            .iter()
            .map(|c| {
                s.spawn(move || {
                    let d = design_at(book, c.as_of, c.horizon_days);
                    let y = book.churn_labels(&d.snapshot, c.horizon_days);
                    (d, y)
                })
            })
            .collect();
        handles.into_iter().map(joined).collect()
    });
    let recency_calibration = {
        let (recent, labels) = &designs[0];
        fit_platt(&log_recency(recent), labels)?
    };
    let (mut train, val, validation) = split(&designs, cutoffs[0].horizon_days);
    check_two_classes(&train.y, "training")?;
    check_two_classes(&val.y, "validation")?;
    let mut all = stack(designs.iter());
    // The linear fits (one-hot attributes folded into the effect column), full and compact, on
    // the training rows and on every row, and the baseline, two at a time (each is
    // single-threaded and deterministic, so the result does not depend on the scheduling; each
    // holds a widened copy of its rows, so running all five at once would hold five).
    let (full, compact) = std::thread::scope(|s| {
        let compact = s.spawn(|| train.fit_linear(book, true, params));
        (train.fit_linear(book, false, params), joined(compact))
    });
    let (full_all, compact_all) = std::thread::scope(|s| {
        let compact_all = s.spawn(|| all.fit_linear(book, true, params));
        (all.fit_linear(book, false, params), joined(compact_all))
    });
    let baseline = RfmOneHotBaseline::fit(&all.x, &all.y, &all.attributes(book));
    let (full, compact, full_all, compact_all, baseline) =
        (full?, compact?, full_all?, compact_all?, baseline?);
    // The trees split on the full model's effects: learnt on the training rows for the choice,
    // on every row for the final model.
    train.set_attribute_effects(book, &full.effects);
    all.set_attribute_effects(book, &full_all.effects);
    let linear: Vec<OneHotFit> = BLEND_SHARES
        .iter()
        .map(|&share| full.blend(&compact, share))
        .collect();
    // With one shortened cutoff the history at as-of is about twice as long as at the cutoff, so
    // tenure, recency and counts at as-of lie beyond every value the fit saw: trees cannot
    // extrapolate past their last split, so they are not a candidate then.
    let with_trees = plan.fallback.is_none() && params.trees();
    // Each linear candidate's validation rows, with its own attribute effects.
    let val_linear: Vec<_> = linear
        .iter()
        .map(|fit| val.with_effects(book, &fit.effects))
        .collect();
    let (boosted, probs) = std::thread::scope(|s| {
        let boosted =
            with_trees.then(|| s.spawn(|| params.boosted().fit(&train.x, N_COLS, &train.y)));
        let probs = linear
            .iter()
            .zip(&val_linear)
            .map(|(fit, rows)| rows.predict(&fit.model))
            .collect::<Result<Vec<_>>>();
        (boosted.map(joined).transpose(), probs)
    });
    let (boosted, mut probs) = (boosted?, probs?);
    let bgnbd = bgnbd_model(&full_all.model);
    probs.push(val.predict(&bgnbd)?);
    let val_trees = val.with_effects(book, &full.effects);
    if let Some(boosted) = &boosted {
        probs.push(boosted.predict_proba(&val_trees.x)?);
    }
    // Blends of the trees with the best linear candidate, on the logit scale.
    let val_linear_logits: Vec<Vec<f32>> = linear
        .iter()
        .zip(&val_linear)
        .map(|(fit, rows)| checked_logits(&fit.model, &rows.x))
        .collect::<Result<_>>()?;
    let best_linear = {
        let named: Vec<String> = BLEND_SHARES.iter().map(|&s| blend_name(s)).collect();
        let linear_only: Vec<Candidate<'_>> = named
            .iter()
            .zip(&probs)
            .map(|(name, probs)| Candidate { name, probs })
            .collect();
        select_model(&linear_only, &val.y, tolerance)?.chosen
    };
    let val_tree_logits = boosted
        .as_ref()
        .map(|b| b.logits(&val_trees.x))
        .transpose()?;
    if let Some(tree_logits) = &val_tree_logits {
        for &w in &TREE_SHARES {
            let z = mix_logits(&val_linear_logits[best_linear], tree_logits, w);
            probs.push(z.iter().map(|&z| sigmoid(z)).collect());
        }
    }
    let names: Vec<String> = BLEND_SHARES
        .iter()
        .map(|&share| blend_name(share))
        .chain(["bgnbd".to_string()])
        .chain(boosted.as_ref().map(|_| "boosted_trees".to_string()))
        .chain(boosted.iter().flat_map(|_| {
            TREE_SHARES
                .iter()
                .map(|w| format!("{}+trees_{w}", blend_name(BLEND_SHARES[best_linear])))
        }))
        .collect();
    let candidates: Vec<Candidate<'_>> = names
        .iter()
        .zip(&probs)
        .map(|(name, probs)| Candidate { name, probs })
        .collect();
    let selection = select_model(&candidates, &val.y, tolerance)?;
    let n_linear = BLEND_SHARES.len();
    let choice = match (selection.chosen, &boosted, &val_tree_logits) {
        (i, _, _) if i < n_linear => Choice::Linear(BLEND_SHARES[i]),
        (i, _, _) if i == n_linear => Choice::Bgnbd,
        (i, Some(boosted), _) if i == n_linear + 1 => Choice::Trees(boosted),
        (i, _, Some(tree_logits)) => Choice::LinearTrees {
            share: BLEND_SHARES[best_linear],
            trees_share: TREE_SHARES[i - n_linear - 2],
            tree_logits,
        },
        _ => unreachable!("the tree candidates come last, present when chosen"),
    };
    let val_logits = match choice {
        Choice::Linear(_) => val_linear_logits[selection.chosen].clone(),
        Choice::Bgnbd => checked_logits(&bgnbd, &val.x)?,
        Choice::Trees(boosted) => boosted.logits(&val_trees.x)?,
        Choice::LinearTrees {
            trees_share,
            tree_logits,
            ..
        } => mix_logits(&val_linear_logits[best_linear], tree_logits, trees_share),
    };
    let mut calibration = fit_platt(&val_logits, &val.y)?;
    if calibration.0 <= 0.0 {
        // A calibration that does not rise with the score would erase the ranking.
        calibration = (1.0, 0.0);
    }
    let (mut model, attribute_effects) = match choice {
        Choice::Linear(share) => {
            let blended = full_all.blend(&compact_all, share);
            let model = with_calibration(validated(blended.model)?, calibration);
            (ChurnModel::Logistic(model), blended.effects)
        }
        Choice::Bgnbd => {
            let model = with_calibration(validated(bgnbd)?, calibration);
            (ChurnModel::Logistic(model), AttributeEffects::default())
        }
        Choice::Trees(_) => {
            let refit: FittedBoosted = params.boosted().fit(&all.x, N_COLS, &all.y)?;
            let mut trees = refit.into_tree_ensemble();
            trees.calibration = Some(calibration);
            (ChurnModel::Trees(trees), full_all.effects.clone())
        }
        Choice::LinearTrees {
            share, trees_share, ..
        } => {
            // Both parts read one attribute_effect column: the linear part's effects.
            let blended = full_all.blend(&compact_all, share);
            let rows = all.with_effects(book, &blended.effects);
            let refit: FittedBoosted = params.boosted().fit(&rows.x, N_COLS, &rows.y)?;
            let (a, b) = calibration;
            let w = trees_share as f32;
            let linear = with_calibration(validated(blended.model)?, (a * (1.0 - w), 0.0));
            let mut trees = refit.into_tree_ensemble();
            trees.calibration = Some((a * w, b));
            let model = ChurnModel::Blend(LogitSum { linear, trees });
            (model, blended.effects)
        }
    };
    let level_shift = match plan.fallback {
        Some(_) => {
            let at_t =
                design_with_effects(book, target.as_of, target.horizon_days, &attribute_effects);
            let shift = level_shift_at(&model, &at_t)?;
            if let Some(shift) = &shift {
                calibration.1 += shift.shift as f32;
                model.shift_level(shift.shift as f32);
            }
            shift
        }
        None => None,
    };
    let training = ChurnTraining {
        cutoffs,
        training_rows: all.y.len(),
        validation_rows: val.y.len(),
        validation,
        selection,
        calibration,
        ridge: params.ridge(),
        level_shift,
        sampled_members: None,
    };
    Ok(ChurnFit {
        model,
        explainer: full_all.model,
        training,
        recency_calibration,
        attribute_effects,
        baseline: Some(baseline),
    })
}

/// Days between the weekly cutoffs added to a plan that history cut short.
const DENSE_STEP_DAYS: i32 = 7;

/// At most this many cutoffs after adding weekly ones.
const DENSE_MAX: usize = 6;

/// The churn fit's cutoffs: the plan's, and when history cut the plan short (the next cutoff
/// `H` days further back would have less than `H` days of history before it), also weekly
/// cutoffs between them, `T - H - 7k`, each with at least `H` days of history, up to
/// [`DENSE_MAX`] in all, most recent first. Their label windows overlap, but each still ends at
/// or before as-of, and [`split`] keeps overlapping windows out of the choice's training rows.
/// A short store gets several times the rows this way, which the trees need. A shortened plan
/// (one cutoff with a shorter window) is kept as it is.
pub(crate) fn churn_cutoffs(plan: &CutoffPlan, first_day: features::Day) -> Vec<Cutoff> {
    let mut cutoffs = plan.cutoffs.clone();
    let (Some(latest), Some(last)) = (plan.cutoffs.first(), plan.cutoffs.last()) else {
        return cutoffs;
    };
    let h = latest.horizon_days as i32;
    let cut_short = last.as_of.0 - h - first_day.0 < h;
    if plan.fallback.is_some() || !cut_short {
        return cutoffs;
    }
    for k in 1.. {
        let as_of = latest.as_of.plus(-k * DENSE_STEP_DAYS);
        if cutoffs.len() >= DENSE_MAX || as_of.0 - first_day.0 < h {
            break;
        }
        if cutoffs.iter().all(|c| c.as_of != as_of) {
            cutoffs.push(Cutoff {
                as_of,
                horizon_days: latest.horizon_days,
            });
        }
    }
    cutoffs.sort_by_key(|c| std::cmp::Reverse(c.as_of));
    cutoffs
}

/// The trees' shares of the logit blends of the best linear candidate with the boosted trees.
pub(crate) const TREE_SHARES: [f64; 2] = [0.25, 0.5];

/// `(1 - w) · a + w · b`, element-wise.
fn mix_logits(a: &[f32], b: &[f32], w: f64) -> Vec<f32> {
    let w = w as f32;
    a.iter()
        .zip(b)
        .map(|(&x, &y)| (1.0 - w) * x + w * y)
        .collect()
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// The linear candidates: blends of the full logistic model (share 1) and the compact one
/// (share 0), full first so that exact ties go to it.
pub(crate) const BLEND_SHARES: [f64; 5] = [1.0, 0.75, 0.5, 0.25, 0.0];

/// The columns of the compact logistic model: the RFM-style ones of the simple baseline and the
/// attribute effect, which together make the baseline's one-hot model.
pub(crate) const COMPACT_COLUMNS: [usize; RFM_COLUMNS.len() + 1] = {
    let mut c = [idx::ATTRIBUTE_EFFECT; RFM_COLUMNS.len() + 1];
    let mut i = 0;
    while i < RFM_COLUMNS.len() {
        c[i] = RFM_COLUMNS[i];
        i += 1;
    }
    c
};

/// Which kind of candidate was chosen.
#[derive(Debug, Clone, Copy)]
enum Choice<'a> {
    /// A blend of the full and the compact logistic models with this share of the full one.
    Linear(f64),
    /// The BG/NBD probability of no purchase in the horizon, Platt-calibrated.
    Bgnbd,
    /// The boosted trees (fitted on the training rows).
    Trees(&'a FittedBoosted),
    /// The logit blend `(1 - trees_share) · linear + trees_share · trees` of the linear
    /// candidate with this share of the full model and the boosted trees.
    LinearTrees {
        share: f64,
        trees_share: f64,
        /// The trees' logits on the validation rows.
        tree_logits: &'a [f32],
    },
}

/// The BG/NBD candidate as a linear model over the design: weight 1 on the
/// `bgnbd_p_no_purchase` column and nothing else, so it ranks members exactly as BG/NBD does
/// (Platt calibration then maps that probability to churn). `like` gives the transforms, so
/// that its offsets and scales are those of the other linear models.
fn bgnbd_model(like: &Linear) -> Linear {
    let mut m = like.clone();
    m.weights.iter_mut().for_each(|w| *w = 0.0);
    m.log1p[BGNBD_P_COLUMN] = false;
    m.offsets[BGNBD_P_COLUMN] = 0.0;
    m.scales[BGNBD_P_COLUMN] = 1.0;
    m.weights[BGNBD_P_COLUMN] = 1.0;
    m.intercept = 0.0;
    m
}

/// The design column of BG/NBD's probability of no purchase in the horizon.
const BGNBD_P_COLUMN: usize = features::spec::LEN;

/// The selection name of a linear candidate.
fn blend_name(share: f64) -> String {
    if share >= 1.0 {
        "logistic".to_string()
    } else if share <= 0.0 {
        "logistic_compact".to_string()
    } else {
        format!("logistic_blend_{share}")
    }
}

/// `ln(1 + recency_days)` of every row of a design: the recency baseline's logit before calibration.
pub fn log_recency(d: &Design) -> Vec<f32> {
    d.x.chunks_exact(N_COLS)
        .map(|r| r[features::spec::idx::RECENCY_DAYS].ln_1p())
        .collect()
}

/// The result of a scoped thread; a panic in it is raised again here.
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

fn with_calibration(mut m: Linear, calibration: (f32, f32)) -> Linear {
    m.calibration = Some(calibration);
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use features::{Day, training_cutoffs};

    fn dates(c: &[Cutoff]) -> Vec<String> {
        c.iter().map(|c| c.as_of.to_string()).collect()
    }

    #[test]
    fn a_plan_cut_short_by_history_gets_weekly_cutoffs_between() {
        // Ta Feng: history from 2000-11-01, T = 2001-02-01, H = 28: the plan has two cutoffs.
        let (first, t) = (Day(11_262), Day(11_354));
        let plan = training_cutoffs(first, t, 28, 6).unwrap();
        let dense = churn_cutoffs(&plan, first);
        assert_eq!(
            dates(&dense),
            [
                "2001-01-04",
                "2000-12-28",
                "2000-12-21",
                "2000-12-14",
                "2000-12-07",
                "2000-11-30"
            ]
        );
        assert!(dense.iter().all(|c| c.horizon_days == 28));
        assert!(dense.iter().all(|c| c.as_of.0 - first.0 >= 28));
    }

    #[test]
    fn a_full_plan_or_a_shortened_one_is_kept_as_it_is() {
        let first = Day(10_000);
        let full = training_cutoffs(first, Day(10_400), 28, 6).unwrap();
        assert_eq!(churn_cutoffs(&full, first), full.cutoffs);
        // Limited by the configured maximum, not by history: kept.
        let two = training_cutoffs(first, Day(10_400), 28, 2).unwrap();
        assert_eq!(churn_cutoffs(&two, first), two.cutoffs);
        let short = training_cutoffs(first, Day(10_040), 28, 6).unwrap();
        assert!(short.fallback.is_some());
        assert_eq!(churn_cutoffs(&short, first), short.cutoffs);
    }
}
