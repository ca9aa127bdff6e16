//! Uplift in a per-member mean (orders or spend per member).

use super::{Arm, Confidence, Degenerate, Estimate, GroupOutcome, Interval, Metric};

/// Difference of means `m_t - m_c` of `metric` per member, with Welch's t interval:
/// `se² = s_t²/n_t + s_c²/n_c` (sample variances), Welch–Satterthwaite degrees of freedom
/// `se⁴ / ((s_t²/n_t)²/(n_t-1) + (s_c²/n_c)²/(n_c-1))` and the Student-t quantile from
/// `statrs` (statsmodels `CompareMeans.tconfint_diff(usevar="unequal")`).
///
/// Errors for an empty arm. The interval is undefined below two members in an arm
/// ([`Degenerate::TooFewMembers`]) or when both arms have zero variance.
pub fn mean_uplift(
    treated: &GroupOutcome,
    control: &GroupOutcome,
    metric: Metric,
    confidence: Confidence,
) -> Result<Estimate, Degenerate> {
    let (t, c) = ArmMean::both(treated, control, metric)?;
    let value = t.mean - c.mean;
    let interval = t.se2().and_then(|t2| {
        let c2 = c.se2()?;
        let sum = nonzero(t2 + c2)?;
        let dof = 1.0 / ((t2 / sum).powi(2) / (t.n - 1.0) + (c2 / sum).powi(2) / (c.n - 1.0));
        let half = confidence.t(dof) * sum.sqrt();
        Ok(Interval {
            low: value - half,
            high: value + half,
        })
    });
    Ok(Estimate { value, interval })
}

/// Relative uplift of the mean, `m_t / m_c - 1`, with a delta-method normal interval:
/// `var = se_t²/m_c² + m_t²·se_c²/m_c⁴` with `se² = s²/n`, and `value ± z·sqrt(var)`.
///
/// Errors for an empty arm or a control mean of zero ([`Degenerate::ZeroControl`]). The
/// interval is undefined below two members in an arm or with zero variance in both.
pub fn relative_mean_uplift(
    treated: &GroupOutcome,
    control: &GroupOutcome,
    metric: Metric,
    confidence: Confidence,
) -> Result<Estimate, Degenerate> {
    let (t, c) = ArmMean::both(treated, control, metric)?;
    if c.mean == 0.0 {
        return Err(Degenerate::ZeroControl("mean"));
    }
    let value = t.mean / c.mean - 1.0;
    let interval = t.se2().and_then(|t2| {
        let c2 = c.se2()?;
        let var = nonzero(t2 / c.mean.powi(2) + t.mean.powi(2) * c2 / c.mean.powi(4))?;
        let half = confidence.z() * var.sqrt();
        Ok(Interval {
            low: value - half,
            high: value + half,
        })
    });
    Ok(Estimate { value, interval })
}

/// Incremental total of `metric` caused by the campaign among the treated, `(m_t - m_c)·n_t`
/// (incremental revenue for [`Metric::Spend`], incremental orders for [`Metric::Orders`]),
/// with the [`mean_uplift`] interval scaled by `n_t`. Same errors as [`mean_uplift`].
pub fn incremental_total(
    treated: &GroupOutcome,
    control: &GroupOutcome,
    metric: Metric,
    confidence: Confidence,
) -> Result<Estimate, Degenerate> {
    let diff = mean_uplift(treated, control, metric, confidence)?;
    let n = treated.members() as f64;
    Ok(Estimate {
        value: diff.value * n,
        interval: diff.interval.map(|i| Interval {
            low: i.low * n,
            high: i.high * n,
        }),
    })
}

struct ArmMean {
    arm: Arm,
    n: f64,
    mean: f64,
    variance: Option<f64>,
}

impl ArmMean {
    fn both(
        treated: &GroupOutcome,
        control: &GroupOutcome,
        metric: Metric,
    ) -> Result<(ArmMean, ArmMean), Degenerate> {
        Ok((
            ArmMean::of(treated, Arm::Treated, metric)?,
            ArmMean::of(control, Arm::Control, metric)?,
        ))
    }

    fn of(outcome: &GroupOutcome, arm: Arm, metric: Metric) -> Result<ArmMean, Degenerate> {
        let m = outcome.moments(metric);
        let mean = m.mean().ok_or(Degenerate::EmptyArm(arm))?;
        Ok(ArmMean {
            arm,
            n: m.count as f64,
            mean,
            variance: m.variance(),
        })
    }

    /// The squared standard error of the mean, `s²/n`.
    fn se2(&self) -> Result<f64, Degenerate> {
        let members = self.n as u64;
        let var = self.variance.ok_or(Degenerate::TooFewMembers {
            arm: self.arm,
            members,
        })?;
        Ok(var / self.n)
    }
}

fn nonzero(x: f64) -> Result<f64, Degenerate> {
    if x > 0.0 {
        Ok(x)
    } else {
        Err(Degenerate::ZeroVariance)
    }
}
