//! The churn fit's rows: design rows of one or more cutoffs stacked with their labels and
//! members, the held-out split, and the linear fits on them.

use features::spec::idx;
use features::{AttributeEffects, MemberAttributes, OrderBook};

use super::churn::COMPACT_COLUMNS;
use super::churn_params::ChurnValidParams;
use super::design::{Design, N_COLS};
use features::churn::Linear;

use crate::churn::{OneHotFit, checked_probs, fit_one_hot};
use crate::{Error, Result};

/// Stacked design rows with their labels and members.
#[derive(Debug, Clone, Default)]
pub(super) struct Rows {
    pub(super) x: Vec<f32>,
    pub(super) y: Vec<bool>,
    pub(super) members: Vec<u32>,
}

impl Rows {
    pub(super) fn push(&mut self, d: &Design, labels: &[bool], i: usize) {
        self.x.extend_from_slice(&d.x[i * N_COLS..(i + 1) * N_COLS]);
        self.y.push(labels[i]);
        self.members.push(d.snapshot.members[i]);
    }

    pub(super) fn attributes<'b>(&self, book: &'b OrderBook) -> Vec<Option<&'b MemberAttributes>> {
        self.members.iter().map(|&m| book.attributes(m)).collect()
    }

    /// The logistic model with one-hot attributes folded into the effect column, on every
    /// column or (`compact`) on [`COMPACT_COLUMNS`] only: every other column is set to 0, so it
    /// is constant, standardised to 0 and gets no weight, and the model keeps the design's width.
    /// The ridge is a penalty on the summed log loss (see [`super::ChurnParams::ridge`]).
    pub(super) fn fit_linear(
        &self,
        book: &OrderBook,
        compact: bool,
        params: &ChurnValidParams,
    ) -> Result<OneHotFit> {
        let x = if compact {
            let mut x = vec![0.0f32; self.x.len()];
            for (out, row) in x.chunks_exact_mut(N_COLS).zip(self.x.chunks_exact(N_COLS)) {
                for &j in &COMPACT_COLUMNS {
                    out[j] = row[j];
                }
            }
            x
        } else {
            self.x.clone()
        };
        let attributes = self.attributes(book);
        let params = params.logistic(self.y.len());
        fit_one_hot(
            &x,
            N_COLS,
            idx::ATTRIBUTE_EFFECT,
            &self.y,
            &attributes,
            &params,
        )
    }

    pub(super) fn set_attribute_effects(&mut self, book: &OrderBook, effects: &AttributeEffects) {
        for (row, &m) in self.x.chunks_exact_mut(N_COLS).zip(&self.members) {
            row[idx::ATTRIBUTE_EFFECT] = effects.effect(book.attributes(m));
        }
    }

    pub(super) fn with_effects(&self, book: &OrderBook, effects: &AttributeEffects) -> Rows {
        let mut rows = self.clone();
        rows.set_attribute_effects(book, effects);
        rows
    }

    pub(super) fn predict(&self, model: &Linear) -> Result<Vec<f32>> {
        checked_probs(model, &self.x)
    }
}

pub(super) fn stack<'a>(designs: impl Iterator<Item = &'a (Design, Vec<bool>)>) -> Rows {
    let mut rows = Rows::default();
    for (d, labels) in designs {
        for i in 0..labels.len() {
            rows.push(d, labels, i);
        }
    }
    rows
}

/// The held-out split: the most recent cutoff is the validation set, and the rows the choice is
/// fitted on are those of the cutoffs whose label window ends at or before it (so no training
/// label looks past the validation cutoff). With no such cutoff (a single one), every fifth
/// member (by id) of the most recent cutoff is held out instead.
pub(super) fn split(designs: &[(Design, Vec<bool>)], horizon_days: u32) -> (Rows, Rows, String) {
    let held_out = designs[0].0.snapshot.as_of;
    let earlier: Vec<&(Design, Vec<bool>)> = designs[1..]
        .iter()
        .filter(|(d, _)| d.snapshot.as_of.plus(horizon_days as i32) <= held_out)
        .collect();
    if !earlier.is_empty() {
        let note = format!("time-held-out: the most recent cutoff {held_out}");
        return (stack(earlier.into_iter()), stack(designs[..1].iter()), note);
    }
    let (d, y) = &designs[0];
    let (mut train, mut val) = (Rows::default(), Rows::default());
    for (i, &m) in d.snapshot.members.iter().enumerate() {
        let target = if m % 5 == 4 { &mut val } else { &mut train };
        target.push(d, y, i);
    }
    (
        train,
        val,
        format!("member-held-out (one cutoff only, {held_out}): every fifth member"),
    )
}

pub(super) fn check_two_classes(y: &[bool], what: &str) -> Result<()> {
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
