//! Fitting the churn model on stacked earlier cutoffs, choosing and calibrating it on a
//! time-held-out cutoff, and scoring the population at as-of.

use features::{CutoffPlan, OrderBook};

use super::design::{Design, N_COLS, design_at};
use crate::churn::{
    BoostedParams, Candidate, FittedBoosted, FittedLogistic, LogisticParams, Selection, fit_platt,
    select_model,
};
use crate::onnx::{LinearModel, TreeEnsemble};
use crate::{Error, Result};

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
}

/// Trains the churn model on the plan's cutoffs: the most recent one is held out to choose
/// between logistic regression and boosted trees and to calibrate; the chosen model is then
/// refitted on every cutoff and the calibration applied to it. With a single cutoff, every
/// fifth member (by id) is held out instead, and the record says so.
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
    let recency_calibration = {
        let (recent, labels) = &designs[0];
        fit_platt(&log_recency(recent), labels)?
    };
    let (train, val, validation) = split(&designs);
    check_two_classes(&train.1, "training")?;
    check_two_classes(&val.1, "validation")?;
    let all = stack(designs.iter());
    // The three fits that do not depend on the choice run side by side: the two candidates on
    // the training rows, and the explaining logistic model on every row (each is
    // single-threaded and deterministic, so the result does not depend on the scheduling).
    let (logistic, boosted, explainer) = std::thread::scope(|s| {
        let explainer = s.spawn(|| LogisticParams::new().fit(&all.0, N_COLS, &all.1));
        let boosted = s.spawn(|| boosted_params(seed).fit(&train.0, N_COLS, &train.1));
        let logistic = LogisticParams::new().fit(&train.0, N_COLS, &train.1);
        (logistic, joined(boosted), joined(explainer))
    });
    let (logistic, boosted, explainer) = (logistic?, boosted?, explainer?);
    let p_log = logistic.predict_proba(&val.0)?;
    let p_gbt = boosted.predict_proba(&val.0)?;
    let candidates = [
        Candidate {
            name: "logistic",
            probs: &p_log,
        },
        Candidate {
            name: "boosted_trees",
            probs: &p_gbt,
        },
    ];
    let selection = select_model(&candidates, &val.1, 0.002)?;
    let val_logits = if selection.chosen == 0 {
        logistic.logits(&val.0)?
    } else {
        boosted.logits(&val.0)?
    };
    let calibration = fit_platt(&val_logits, &val.1)?;
    let model = if selection.chosen == 0 {
        ChurnModel::Logistic(with_calibration(explainer.to_linear_model()?, calibration))
    } else {
        let refit: FittedBoosted = boosted_params(seed).fit(&all.0, N_COLS, &all.1)?;
        let mut trees = refit.into_tree_ensemble();
        trees.calibration = Some(calibration);
        ChurnModel::Trees(trees)
    };
    let training = ChurnTraining {
        training_rows: all.1.len(),
        validation_rows: val.1.len(),
        validation,
        selection,
        calibration,
    };
    Ok(ChurnFit {
        model,
        explainer,
        training,
        recency_calibration,
    })
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

type Rows = (Vec<f32>, Vec<bool>);

fn stack<'a>(designs: impl Iterator<Item = &'a (Design, Vec<bool>)>) -> Rows {
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for (d, labels) in designs {
        x.extend_from_slice(&d.x);
        y.extend_from_slice(labels);
    }
    (x, y)
}

fn split(designs: &[(Design, Vec<bool>)]) -> (Rows, Rows, String) {
    if designs.len() >= 2 {
        let note = format!(
            "time-held-out: the most recent cutoff {}",
            designs[0].0.snapshot.as_of
        );
        return (stack(designs[1..].iter()), stack(designs[..1].iter()), note);
    }
    let (d, y) = &designs[0];
    let (mut train, mut val): (Rows, Rows) = Default::default();
    for (i, &m) in d.snapshot.members.iter().enumerate() {
        let target = if m % 5 == 4 { &mut val } else { &mut train };
        target
            .0
            .extend_from_slice(&d.x[i * N_COLS..(i + 1) * N_COLS]);
        target.1.push(y[i]);
    }
    (
        train,
        val,
        format!(
            "member-held-out (one cutoff only, {}): every fifth member",
            d.snapshot.as_of
        ),
    )
}

fn check_two_classes(y: &[bool], what: &str) -> Result<()> {
    if y.len() < 10 {
        return Err(Error::NoHistory(format!(
            "{} {what} rows: too few members to hold out a validation set and fit a churn model",
            y.len()
        )));
    }
    let churned = y.iter().filter(|&&c| c).count();
    if churned == 0 || churned == y.len() {
        return Err(Error::NoHistory(format!(
            "the {what} rows ({}) are all {}: a churn model needs both churned and retained members",
            y.len(),
            if churned == 0 { "retained" } else { "churned" }
        )));
    }
    Ok(())
}
