//! Fitting the churn model on stacked earlier cutoffs, choosing and calibrating it on a
//! time-held-out cutoff, and scoring the population at as-of.

use features::spec::{FEATURES, idx};
use features::{AttributeEffects, CutoffPlan, OrderBook};

use super::baseline::{RFM_COLUMNS, RfmOneHotBaseline};
use super::design::{Design, N_COLS, design_at};
use super::rows::{check_two_classes, split, stack};
use crate::Result;
use crate::churn::{
    BoostedParams, Candidate, FittedBoosted, FittedLogistic, OneHotFit, Selection, fit_platt,
    select_model,
};
use crate::onnx::{LinearModel, TreeEnsemble};

/// The exportable churn model.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChurnModel {
    /// Standardised logistic regression.
    Logistic(LinearModel),
    /// Gradient-boosted trees.
    Trees(TreeEnsemble),
}

impl ChurnModel {
    /// `logistic` or `boosted_trees`.
    pub fn kind(&self) -> &'static str {
        match self {
            ChurnModel::Logistic(_) => "logistic",
            ChurnModel::Trees(_) => "boosted_trees",
        }
    }

    /// Calibrated churn probability of one design row.
    pub fn predict_row(&self, row: &[f32]) -> f32 {
        match self {
            ChurnModel::Logistic(m) => m.predict_row(row),
            ChurnModel::Trees(m) => m.predict_row(row),
        }
    }
}

/// How the churn model was trained and chosen.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChurnTraining {
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
    /// Window features left out of the fit because some training cutoff has less history than
    /// their window (see [`WINDOW_COLUMNS`]).
    pub truncated_features: Vec<&'static str>,
}

/// The fitted churn model, the logistic model used to explain scores, and the training record.
#[derive(Debug, Clone)]
pub struct ChurnFit {
    /// The calibrated model to export and score with.
    pub model: ChurnModel,
    /// The logistic model refitted on all rows, whose per-feature terms explain each score.
    pub explainer: FittedLogistic,
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
/// models being one linear model); and boosted trees on every column.
pub fn fit_churn(book: &OrderBook, plan: &CutoffPlan, seed: u64) -> Result<ChurnFit> {
    let designs: Vec<(Design, Vec<bool>)> = plan
        .cutoffs
        .iter()
        .map(|c| {
            let d = design_at(book, c.as_of, c.horizon_days);
            let y = book.churn_labels(&d.snapshot, c.horizon_days);
            (d, y)
        })
        .collect();
    // The baseline sees the features as they are, so it stays the plain simple baseline.
    let raw = stack(designs.iter());
    let truncated = truncated_columns(book, plan);
    let designs: Vec<(Design, Vec<bool>)> = designs
        .into_iter()
        .map(|(mut d, y)| {
            for row in d.x.chunks_exact_mut(N_COLS) {
                for &j in &truncated {
                    row[j] = 0.0;
                }
            }
            (d, y)
        })
        .collect();
    let recency_calibration = {
        let (recent, labels) = &designs[0];
        fit_platt(&log_recency(recent), labels)?
    };
    let (mut train, val, validation) = split(&designs);
    check_two_classes(&train.y, "training")?;
    check_two_classes(&val.y, "validation")?;
    let mut all = stack(designs.iter());
    // The linear fits (one-hot attributes folded into the effect column), full and compact, on
    // the training rows and on every row, and the baseline, side by side (each is
    // single-threaded and deterministic, so the result does not depend on the scheduling).
    let (full, compact, full_all, compact_all, baseline) = std::thread::scope(|s| {
        let full_all = s.spawn(|| all.fit_linear(book, false));
        let compact_all = s.spawn(|| all.fit_linear(book, true));
        let compact = s.spawn(|| train.fit_linear(book, true));
        let baseline = s.spawn(|| RfmOneHotBaseline::fit(&raw.x, &raw.y, &raw.attributes(book)));
        let full = train.fit_linear(book, false);
        (
            full,
            joined(compact),
            joined(full_all),
            joined(compact_all),
            joined(baseline),
        )
    });
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
    let (boosted, probs) = std::thread::scope(|s| {
        let boosted = s.spawn(|| boosted_params(seed).fit(&train.x, N_COLS, &train.y));
        let probs = linear
            .iter()
            .map(|fit| val.with_effects(book, &fit.effects).predict(&fit.model))
            .collect::<Result<Vec<_>>>();
        (joined(boosted), probs)
    });
    let (boosted, mut probs) = (boosted?, probs?);
    let bgnbd = bgnbd_model(&full_all.model);
    probs.push(val.predict(&bgnbd)?);
    let val_trees = val.with_effects(book, &full.effects);
    probs.push(boosted.predict_proba(&val_trees.x)?);
    let names: Vec<String> = BLEND_SHARES
        .iter()
        .map(|&share| blend_name(share))
        .chain(["bgnbd".to_string(), "boosted_trees".to_string()])
        .collect();
    let candidates: Vec<Candidate<'_>> = names
        .iter()
        .zip(&probs)
        .map(|(name, probs)| Candidate { name, probs })
        .collect();
    let selection = select_model(&candidates, &val.y, 0.002)?;
    let choice = match selection.chosen {
        i if i < BLEND_SHARES.len() => Choice::Linear(BLEND_SHARES[i]),
        i if i == BLEND_SHARES.len() => Choice::Bgnbd,
        _ => Choice::Trees,
    };
    let val_logits = match choice {
        Choice::Linear(_) => {
            let fit = &linear[selection.chosen];
            fit.model.logits(&val.with_effects(book, &fit.effects).x)?
        }
        Choice::Bgnbd => bgnbd.logits(&val.x)?,
        Choice::Trees => boosted.logits(&val_trees.x)?,
    };
    let mut calibration = fit_platt(&val_logits, &val.y)?;
    if calibration.0 <= 0.0 {
        // A calibration that does not rise with the score would erase the ranking.
        calibration = (1.0, 0.0);
    }
    let (model, attribute_effects) = match choice {
        Choice::Linear(share) => {
            let blended = full_all.blend(&compact_all, share);
            let model = with_calibration(blended.model.to_linear_model()?, calibration);
            (ChurnModel::Logistic(model), blended.effects)
        }
        Choice::Bgnbd => {
            let model = with_calibration(bgnbd.to_linear_model()?, calibration);
            (ChurnModel::Logistic(model), AttributeEffects::default())
        }
        Choice::Trees => {
            let refit: FittedBoosted = boosted_params(seed).fit(&all.x, N_COLS, &all.y)?;
            let mut trees = refit.into_tree_ensemble();
            trees.calibration = Some(calibration);
            (ChurnModel::Trees(trees), full_all.effects.clone())
        }
    };
    let training = ChurnTraining {
        training_rows: all.y.len(),
        validation_rows: val.y.len(),
        validation,
        selection,
        calibration,
        truncated_features: truncated.iter().map(|&j| FEATURES[j].name).collect(),
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

/// The feature columns that summarise a trailing window, with its length in days.
pub(crate) const WINDOW_COLUMNS: [(usize, i32); 8] = [
    (idx::DAYS_7D, 7),
    (idx::SPEND_7D, 7),
    (idx::DAYS_30D, 30),
    (idx::SPEND_30D, 30),
    (idx::DAYS_90D, 90),
    (idx::SPEND_90D, 90),
    (idx::TREND_DAYS_30D, 90),
    (idx::TREND_SPEND_30D, 90),
];

/// The window columns whose window reaches before the data's first day at some training
/// cutoff. There they summarise the whole (short) history and nearly copy each other and the
/// lifetime columns; a model fitted on them learns contrasts that blow up at as-of, where the
/// windows have filled. Set to 0 in every training row, they get no weight, so scoring (here
/// and in serving) may compute them as usual.
fn truncated_columns(book: &OrderBook, plan: &CutoffPlan) -> Vec<usize> {
    let Some((first, _)) = book.day_range() else {
        return Vec::new();
    };
    let shortest = plan
        .cutoffs
        .iter()
        .map(|c| c.as_of.0 - first.0)
        .min()
        .unwrap_or(0);
    WINDOW_COLUMNS
        .iter()
        .filter(|&&(_, window)| window > shortest)
        .map(|&(j, _)| j)
        .collect()
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
enum Choice {
    /// A blend of the full and the compact logistic models with this share of the full one.
    Linear(f64),
    /// The BG/NBD probability of no purchase in the horizon, Platt-calibrated.
    Bgnbd,
    /// The boosted trees.
    Trees,
}

/// The BG/NBD candidate as a linear model over the design: weight 1 on the
/// `bgnbd_p_no_purchase` column and nothing else, so it ranks members exactly as BG/NBD does
/// (Platt calibration then maps that probability to churn). `like` gives the transforms, so
/// that its offsets and scales are those of the other linear models.
fn bgnbd_model(like: &FittedLogistic) -> FittedLogistic {
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

fn boosted_params(seed: u64) -> BoostedParams {
    BoostedParams::new().seed(seed).num_threads(1)
}

fn with_calibration(mut m: LinearModel, calibration: (f32, f32)) -> LinearModel {
    m.calibration = Some(calibration);
    m
}
