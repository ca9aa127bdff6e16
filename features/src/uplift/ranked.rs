//! Metrics of a ranked audience (an uplift model's scores), following scikit-uplift 0.5
//! (`sklift.metrics`) exactly, including its tie handling.
//!
//! Rows are ranked by score, highest first; among equal scores the row given later comes
//! first (scikit-uplift reverses a stable ascending sort). The Qini and uplift curves
//! rank the same way.

use std::cmp::Ordering;

use super::{Arm, Degenerate, UpliftError};

/// One member of a ranked audience.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// The model's uplift score; higher is targeted first. Must be finite.
    pub score: f64,
    /// Whether the member was in the treated arm (else control).
    pub treated: bool,
    /// Whether the member converted.
    pub converted: bool,
}

/// How many top-ranked members [`uplift_at_k`] looks at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TopK {
    /// A share in (0, 1) of the members (of each arm for [`Strategy::ByGroup`]), rounded down.
    Fraction(f64),
    /// A count in `1..members`.
    Count(usize),
}

/// Where [`uplift_at_k`] takes the top k from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// The top k of the whole ranking, then the rate of each arm within it.
    Overall,
    /// The top k of each arm's own ranking.
    ByGroup,
}

/// Conversion rate of the treated minus that of the control among the top `k` ranked
/// members (`sklift.metrics.uplift_at_k`). Both arms must be present; an arm with nobody
/// among those selected is [`Degenerate::EmptySelection`].
pub fn uplift_at_k(rows: &[Scored], k: TopK, strategy: Strategy) -> Result<f64, UpliftError> {
    let ranked = rank(rows)?;
    let n_t = ranked.iter().filter(|r| r.treated).count();
    let n_c = ranked.len() - n_t;
    for (count, arm) in [(n_c, Arm::Control), (n_t, Arm::Treated)] {
        if count == 0 {
            return Err(Degenerate::EmptyArm(arm).into());
        }
    }
    let rate = |it: &mut dyn Iterator<Item = &Scored>, arm| {
        let (n, y) = it.fold((0usize, 0usize), |(n, y), r| {
            (n + 1, y + usize::from(r.converted))
        });
        if n == 0 {
            Err(Degenerate::EmptySelection(arm))
        } else {
            Ok(y as f64 / n as f64)
        }
    };
    let of_arm = |treated: bool| ranked.iter().filter(move |r| r.treated == treated);
    let (top_t, top_c) = match strategy {
        Strategy::Overall => {
            let n = top_count(k, ranked.len())?;
            let top = &ranked[..n];
            (
                rate(&mut top.iter().filter(|r| r.treated), Arm::Treated)?,
                rate(&mut top.iter().filter(|r| !r.treated), Arm::Control)?,
            )
        }
        Strategy::ByGroup => {
            let (kt, kc) = match k {
                TopK::Fraction(_) => (top_count(k, n_t)?, top_count(k, n_c)?),
                TopK::Count(_) => {
                    let kk = top_count(k, ranked.len())?;
                    if kk > n_t || kk > n_c {
                        return Err(out_of_range(kk as f64, "at most the members of each arm"));
                    }
                    (kk, kk)
                }
            };
            (
                rate(&mut of_arm(true).take(kt), Arm::Treated)?,
                rate(&mut of_arm(false).take(kc), Arm::Control)?,
            )
        }
    };
    Ok(top_t - top_c)
}

/// The rows by score descending, later rows first among ties (`-0.0 == 0.0`, as in numpy);
/// rejects empty input and non-finite scores.
pub(super) fn rank(rows: &[Scored]) -> Result<Vec<Scored>, UpliftError> {
    if rows.is_empty() {
        return Err(UpliftError::OutOfRange {
            field: "rows",
            value: 0.0,
            expected: "at least one scored member",
        });
    }
    if let Some(index) = rows.iter().position(|r| !r.score.is_finite()) {
        return Err(UpliftError::NotFinite {
            field: "score",
            index,
        });
    }
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| {
        rows[b]
            .score
            .partial_cmp(&rows[a].score)
            .unwrap_or(Ordering::Equal)
            .then(b.cmp(&a))
    });
    Ok(order.into_iter().map(|i| rows[i]).collect())
}

/// `k` as a member count out of `n` (scikit-uplift: a fraction in (0, 1) is `floor(n·k)`,
/// a count must be in `1..n`).
fn top_count(k: TopK, n: usize) -> Result<usize, UpliftError> {
    match k {
        TopK::Fraction(f) if f > 0.0 && f < 1.0 => Ok((n as f64 * f) as usize),
        TopK::Fraction(f) => Err(out_of_range(f, "a fraction strictly between 0 and 1")),
        TopK::Count(c) if c > 0 && c < n => Ok(c),
        TopK::Count(c) => Err(out_of_range(c as f64, "a count in 1..members")),
    }
}

fn out_of_range(value: f64, expected: &'static str) -> UpliftError {
    UpliftError::OutOfRange {
        field: "k",
        value,
        expected,
    }
}
