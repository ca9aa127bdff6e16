//! The churn design matrix at a cutoff: the feature spec's columns plus two BG/NBD columns
//! fitted on the same history.

use features::churn::{BGNBD_FALLBACK, bgnbd_columns as member_columns, design_row};
use features::spec::{self, idx};
use features::{AttributeEffects, Day, OrderBook, Snapshot};

pub use features::churn::{BGNBD_COLUMNS, N_COLS, input_names, rfm_of};

use crate::bgnbd::{BgNbdParams, FittedBgNbd, Rfm};

/// Gradient-norm tolerance of the BG/NBD fit: the objective is a mean log-likelihood, so
/// 1e-5 is converged for ranking purposes, and tighter tolerances fail on real data.
const BGNBD_TOL: f64 = 1e-5;

/// Penalizers tried in turn when a BG/NBD fit fails (real data can make it degenerate).
const PENALIZERS: [f64; 4] = [0.0, 0.001, 0.01, 0.1];

/// A snapshot with its design matrix and the BG/NBD model fitted at the same cutoff.
#[derive(Debug, Clone)]
pub struct Design {
    /// The snapshot (members and spec features).
    pub snapshot: Snapshot,
    /// Row-major matrix of [`N_COLS`] columns, one row per snapshot member.
    pub x: Vec<f32>,
    /// The BG/NBD model, `None` when every penalizer failed (its columns are then 0.5 and 0).
    pub bgnbd: Option<FittedBgNbd>,
}

/// Builds the design matrix at `as_of` for a horizon of `horizon_days`.
pub fn design_at(book: &OrderBook, as_of: Day, horizon_days: u32) -> Design {
    let snapshot = book.snapshot(as_of);
    let rows: Vec<&[f32]> = (0..snapshot.len()).map(|i| snapshot.row(i)).collect();
    let (bgnbd, columns) = bgnbd_columns(&rows, as_of, f64::from(horizon_days));
    let mut x = Vec::with_capacity(snapshot.len() * N_COLS);
    for (i, c) in columns.iter().enumerate() {
        x.extend_from_slice(snapshot.row(i));
        x.extend_from_slice(c);
    }
    Design { snapshot, x, bgnbd }
}

/// The design of `snapshot`'s members with the BG/NBD model `bgnbd` fitted elsewhere (a run's
/// fit book at the same date; `None`, or a member whose columns are not finite: the constant
/// columns), row by row as serving computes it ([`design_row`]): what a run that scores its
/// members a range at a time scores each range with.
pub fn design_of(snapshot: Snapshot, bgnbd: Option<&FittedBgNbd>, horizon_days: u32) -> Design {
    let params = bgnbd.map(FittedBgNbd::params);
    let mut x = Vec::with_capacity(snapshot.len() * N_COLS);
    for i in 0..snapshot.len() {
        x.extend_from_slice(&design_row(snapshot.row(i), params.as_ref(), horizon_days));
    }
    Design {
        snapshot,
        x,
        bgnbd: bgnbd.cloned(),
    }
}

/// [`design_at`] with the learnt attribute effects set (see [`Design::set_attribute_effects`]).
pub fn design_with_effects(
    book: &OrderBook,
    as_of: Day,
    horizon_days: u32,
    effects: &AttributeEffects,
) -> Design {
    let mut d = design_at(book, as_of, horizon_days);
    d.set_attribute_effects(book, effects.clone());
    d
}

impl Design {
    /// Sets `effects` into the snapshot's context and every row's `attribute_effect` column
    /// (snapshot and design alike), as serving computes them from the exported context.
    pub fn set_attribute_effects(&mut self, book: &OrderBook, effects: AttributeEffects) {
        book.apply_attribute_effects(&mut self.snapshot, effects);
        for (i, row) in self.x.chunks_exact_mut(N_COLS).enumerate() {
            row[idx::ATTRIBUTE_EFFECT] =
                self.snapshot.values[i * spec::LEN + idx::ATTRIBUTE_EFFECT];
        }
    }
}

/// Fits BG/NBD with the first penalizer that converges and gives finite predictions for every
/// member, and as a last resort the unpenalised optimum even when it lies on a ridge or a
/// boundary (often `a -> 0`: no dropout seen yet, as in a young store), whose predictions stay
/// defined; without any, the columns are constant (0.5, 0) and the model is `None`.
fn bgnbd_columns(rows: &[&[f32]], as_of: Day, h: f64) -> (Option<FittedBgNbd>, Vec<[f32; 2]>) {
    let rfm: Vec<Rfm> = rows.iter().map(|r| rfm_of(r)).collect();
    let attempts = PENALIZERS
        .iter()
        .map(|&p| BgNbdParams::new().penalizer(p))
        .chain([BgNbdParams::new().identified_only(false)]);
    for params in attempts {
        let m = match params.clone().tol(BGNBD_TOL).fit(&rfm) {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(%as_of, ?params, "BG/NBD fit failed: {e}");
                continue;
            }
        };
        let fitted = m.params();
        let columns: Vec<[f32; 2]> = rows.iter().map(|r| member_columns(&fitted, r, h)).collect();
        if columns.iter().flatten().all(|v| v.is_finite()) {
            return (Some(m), columns);
        }
        tracing::warn!(%as_of, ?params, "BG/NBD gave non-finite predictions; trying the next setting");
    }
    tracing::warn!(%as_of, "BG/NBD could not be fitted; its columns are constant at this cutoff");
    (None, vec![BGNBD_FALLBACK; rows.len()])
}
