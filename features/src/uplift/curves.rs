//! Qini and uplift curves of a ranked audience and their normalised areas, following
//! scikit-uplift 0.5 (`sklift.metrics`) exactly. A curve has the origin and then one point
//! per distinct score (ties are targeted together); `x` is the number of top-ranked members
//! targeted.

use super::ranked::rank;
use super::{Arm, Degenerate, Scored, UpliftError};

/// A point of a Qini or uplift curve.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct CurvePoint {
    /// Members targeted, from the top of the ranking.
    pub x: f64,
    /// The curve's value there (incremental converters).
    pub y: f64,
}

/// The Qini curve (`sklift.metrics.qini_curve`): at each distinct score,
/// `y = Y_t - Y_c · N_t / N_c` over the members ranked so far (0 when `N_c = 0`).
pub fn qini_curve(rows: &[Scored]) -> Result<Vec<CurvePoint>, UpliftError> {
    curve(&rank(rows)?, |c| c.y_t - c.y_c * ratio(c.n_t, c.n_c))
}

/// The uplift curve (`sklift.metrics.uplift_curve`): at each distinct score,
/// `y = (Y_t/N_t - Y_c/N_c) · N` over the members ranked so far (a rate is 0 when its arm has
/// nobody yet).
pub fn uplift_curve(rows: &[Scored]) -> Result<Vec<CurvePoint>, UpliftError> {
    curve(&rank(rows)?, |c| {
        (ratio(c.y_t, c.n_t) - ratio(c.y_c, c.n_c)) * c.n
    })
}

/// The Qini curve of the best possible ranking (`sklift.metrics.perfect_qini_curve`). With
/// `negative_effect`, treated converters first and control converters last; without, the
/// three points `(0,0)`, `(Q,Q)`, `(N,Q)` with `Q` the overall Qini value (both arms needed).
pub fn perfect_qini_curve(
    rows: &[Scored],
    negative_effect: bool,
) -> Result<Vec<CurvePoint>, UpliftError> {
    if negative_effect {
        let ideal =
            |r: &Scored| f64::from(u8::from(r.converted)) * if r.treated { 1.0 } else { -1.0 };
        return qini_curve(&rescored(rows, ideal));
    }
    let all = counts(&rank(rows)?);
    if all.n_c == 0.0 {
        return Err(Degenerate::EmptyArm(Arm::Control).into());
    }
    let q = all.y_t - all.n_t * all.y_c / all.n_c;
    Ok(vec![
        CurvePoint { x: 0.0, y: 0.0 },
        CurvePoint { x: q, y: q },
        CurvePoint { x: all.n, y: q },
    ])
}

/// The uplift curve of the best possible ranking (`sklift.metrics.perfect_uplift_curve`).
pub fn perfect_uplift_curve(rows: &[Scored]) -> Result<Vec<CurvePoint>, UpliftError> {
    let control_responders = rows.iter().filter(|r| !r.treated && r.converted).count();
    let treated_non_responders = rows.iter().filter(|r| r.treated && !r.converted).count();
    let by_response = control_responders > treated_non_responders;
    let ideal = |r: &Scored| {
        let summand = if by_response { r.converted } else { r.treated };
        f64::from(2 * u8::from(r.converted == r.treated) + u8::from(summand))
    };
    uplift_curve(&rescored(rows, ideal))
}

/// Area between the Qini curve and the random diagonal, over that of the perfect curve
/// (`sklift.metrics.qini_auc_score`): 1 for a perfect ranking, 0 for random.
pub fn qini_auc_score(rows: &[Scored], negative_effect: bool) -> Result<f64, UpliftError> {
    normalised_area(
        &qini_curve(rows)?,
        &perfect_qini_curve(rows, negative_effect)?,
    )
}

/// Area between the uplift curve and the random diagonal, over that of the perfect curve
/// (`sklift.metrics.uplift_auc_score`).
pub fn uplift_auc_score(rows: &[Scored]) -> Result<f64, UpliftError> {
    normalised_area(&uplift_curve(rows)?, &perfect_uplift_curve(rows)?)
}

fn normalised_area(actual: &[CurvePoint], perfect: &[CurvePoint]) -> Result<f64, UpliftError> {
    let end = perfect[perfect.len() - 1];
    let baseline = area(&[CurvePoint { x: 0.0, y: 0.0 }, end])?;
    let best = area(perfect)? - baseline;
    if best == 0.0 {
        return Err(Degenerate::FlatPerfectCurve.into());
    }
    Ok((area(actual)? - baseline) / best)
}

/// Trapezoidal area as `sklearn.metrics.auc` computes it: `x` must be monotonic.
fn area(points: &[CurvePoint]) -> Result<f64, Degenerate> {
    let steps = || points.windows(2).map(|w| w[1].x - w[0].x);
    let direction = if steps().all(|d| d >= 0.0) {
        1.0
    } else if steps().all(|d| d <= 0.0) {
        -1.0
    } else {
        return Err(Degenerate::NonMonotonicCurve);
    };
    Ok(direction
        * points
            .windows(2)
            .map(|w| (w[1].x - w[0].x) * (w[1].y + w[0].y) / 2.0)
            .sum::<f64>())
}

#[derive(Default)]
struct Counts {
    n: f64,
    n_t: f64,
    n_c: f64,
    y_t: f64,
    y_c: f64,
}

fn counts(ranked: &[Scored]) -> Counts {
    ranked.iter().fold(Counts::default(), |mut c, r| {
        add(&mut c, r);
        c
    })
}

fn add(c: &mut Counts, r: &Scored) {
    let y = f64::from(u8::from(r.converted));
    c.n += 1.0;
    if r.treated {
        c.n_t += 1.0;
        c.y_t += y;
    } else {
        c.n_c += 1.0;
        c.y_c += y;
    }
}

fn curve(
    ranked: &[Scored],
    value: impl Fn(&Counts) -> f64,
) -> Result<Vec<CurvePoint>, UpliftError> {
    let mut points = vec![CurvePoint { x: 0.0, y: 0.0 }];
    let mut c = Counts::default();
    for (i, r) in ranked.iter().enumerate() {
        add(&mut c, r);
        if ranked.get(i + 1).is_none_or(|next| next.score != r.score) {
            points.push(CurvePoint {
                x: c.n,
                y: value(&c),
            });
        }
    }
    Ok(points)
}

fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 { 0.0 } else { num / den }
}

fn rescored(rows: &[Scored], score: impl Fn(&Scored) -> f64) -> Vec<Scored> {
    rows.iter()
        .map(|r| Scored {
            score: score(r),
            ..*r
        })
        .collect()
}
