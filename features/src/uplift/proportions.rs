//! Uplift in conversion rate: difference and ratio of two proportions.

use super::{Arm, Confidence, Degenerate, Estimate, GroupOutcome, Interval};

/// Absolute uplift in conversion, `p_t - p_c`, with Newcombe's hybrid score interval (method
/// 10 of Newcombe 1998; statsmodels `confint_proportions_2indep(method="newcomb")`): with
/// Wilson score intervals `[l_t, u_t]` and `[l_c, u_c]` of each rate at the same level,
///
/// ```text
/// low  = d - sqrt((p_t - l_t)² + (u_c - p_c)²)
/// high = d + sqrt((u_t - p_t)² + (p_c - l_c)²)
/// ```
///
/// Unlike Wald it stays inside [-1, 1] and keeps its coverage at rates near 0, which
/// campaign conversion often is. Errors only for an empty arm.
pub fn absolute_uplift(
    treated: &GroupOutcome,
    control: &GroupOutcome,
    confidence: Confidence,
) -> Result<Estimate, Degenerate> {
    let (p_t, p_c) = rates(treated, control)?;
    let z = confidence.z();
    let wt = wilson(treated, z);
    let wc = wilson(control, z);
    let d = p_t - p_c;
    let low = d - ((p_t - wt.low).powi(2) + (wc.high - p_c).powi(2)).sqrt();
    let high = d + ((p_c - wc.low).powi(2) + (wt.high - p_t).powi(2)).sqrt();
    Ok(Estimate {
        value: d,
        interval: Ok(Interval { low, high }),
    })
}

/// Relative uplift in conversion, `p_t / p_c - 1`, with the log-ratio (Katz) interval
/// (statsmodels `confint_proportions_2indep(compare="ratio", method="log")`, minus 1):
///
/// ```text
/// se = sqrt(1/x_t - 1/n_t + 1/x_c - 1/n_c)
/// [ratio · exp(-z·se), ratio · exp(z·se)] - 1
/// ```
///
/// Errors for an empty arm or no control converter ([`Degenerate::ZeroControl`]); with no
/// treated converter the estimate is -1 and the interval is
/// [`Degenerate::NoTreatedConverters`].
pub fn relative_uplift(
    treated: &GroupOutcome,
    control: &GroupOutcome,
    confidence: Confidence,
) -> Result<Estimate, Degenerate> {
    let (p_t, p_c) = rates(treated, control)?;
    if control.converters() == 0 {
        return Err(Degenerate::ZeroControl("conversion rate"));
    }
    let ratio = p_t / p_c;
    if treated.converters() == 0 {
        return Ok(Estimate {
            value: ratio - 1.0,
            interval: Err(Degenerate::NoTreatedConverters),
        });
    }
    let inv = |x: u64| 1.0 / x as f64;
    let var = inv(treated.converters()) - inv(treated.members()) + inv(control.converters())
        - inv(control.members());
    let half = confidence.z() * var.sqrt();
    let interval = Interval {
        low: (ratio.ln() - half).exp() - 1.0,
        high: (ratio.ln() + half).exp() - 1.0,
    };
    Ok(Estimate {
        value: ratio - 1.0,
        interval: Ok(interval),
    })
}

/// Both conversion rates, or the empty arm.
fn rates(treated: &GroupOutcome, control: &GroupOutcome) -> Result<(f64, f64), Degenerate> {
    let rate = |g: &GroupOutcome, arm| g.conversion_rate().ok_or(Degenerate::EmptyArm(arm));
    Ok((rate(treated, Arm::Treated)?, rate(control, Arm::Control)?))
}

/// The Wilson score interval of one arm's conversion rate, clipped to [0, 1]. The arm is
/// not empty.
fn wilson(arm: &GroupOutcome, z: f64) -> Interval {
    let n = arm.members() as f64;
    let q = arm.converters() as f64 / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let center = (q + z2 / (2.0 * n)) / denom;
    let dist = z * (q * (1.0 - q) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Interval {
        low: (center - dist).clamp(0.0, 1.0),
        high: (center + dist).clamp(0.0, 1.0),
    }
}
