//! How large an uplift in conversion an arm split can detect, and the control size a target
//! uplift needs.
//!
//! Both use statsmodels' `NormalIndPower` on Cohen's effect size for proportions,
//! `h = 2·asin(sqrt(p_t)) - 2·asin(sqrt(p_c))` (`proportion_effectsize`), whose variance does
//! not depend on the rate. The two-sided z test at level `alpha` with `n = n_t·n_c/(n_t+n_c)`
//! has power
//!
//! ```text
//! power(h) = Φ(h·sqrt(n) - z) + Φ(-h·sqrt(n) - z),   z = Φ⁻¹(1 - alpha/2)
//! ```
//!
//! which is about `(z + Φ⁻¹(power)) / sqrt(n)` for `h`; the second, opposite-tail term is kept
//! and the equation solved exactly, so results equal statsmodels' `solve_power`.

use statrs::distribution::{Continuous, ContinuousCDF, Normal};

use super::UpliftError;
use super::interval::normal_isf;

/// The test a campaign's conversion is judged by: two-sided level `alpha` and target power.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PowerTest {
    alpha: f64,
    power: f64,
}

impl PowerTest {
    /// Checks `0 < alpha < 1` and `alpha < power < 1` (errors name `alpha` or `power`).
    pub fn new(alpha: f64, power: f64) -> Result<PowerTest, UpliftError> {
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(UpliftError::OutOfRange {
                field: "alpha",
                value: alpha,
                expected: "strictly between 0 and 1",
            });
        }
        if !(power > alpha && power < 1.0) {
            return Err(UpliftError::OutOfRange {
                field: "power",
                value: power,
                expected: "above alpha and below 1",
            });
        }
        Ok(PowerTest { alpha, power })
    }

    /// The power of this test for Cohen's `h` with `effective_n = n_t·n_c/(n_t+n_c)`.
    pub fn power_at(&self, h: f64, effective_n: f64) -> f64 {
        let shift = h * effective_n.sqrt();
        let z = normal_isf(self.alpha / 2.0);
        let n = Normal::standard();
        n.sf(z - shift) + n.cdf(-z - shift)
    }

    /// The `h·sqrt(n)` at which the power reaches the target: the unique root above 0 of
    /// `power(x) - target`, by Newton steps kept inside a bisection bracket.
    fn critical_shift(&self) -> f64 {
        let z = normal_isf(self.alpha / 2.0);
        let n = Normal::standard();
        let excess = |x: f64| n.sf(z - x) + n.cdf(-z - x) - self.power;
        let (mut lo, mut hi) = (0.0, z + normal_isf(1.0 - self.power) + 1.0);
        while excess(hi) < 0.0 {
            hi *= 2.0;
        }
        let mut x = z - normal_isf(self.power);
        for _ in 0..200 {
            let f = excess(x);
            if f == 0.0 {
                break;
            }
            if f < 0.0 {
                lo = x;
            } else {
                hi = x;
            }
            let newton = x - f / (n.pdf(z - x) - n.pdf(z + x));
            let next = if newton >= lo && newton <= hi {
                newton
            } else {
                (lo + hi) / 2.0
            };
            let step = (next - x).abs();
            x = next;
            if step <= 1e-15 * x {
                break;
            }
        }
        x
    }
}

/// The smallest uplift in conversion a split can detect.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Detectable {
    /// Cohen's `h` at the target power.
    pub effect_size: f64,
    /// The treated rate that reaches it, `sin²(asin(sqrt(p_c)) + h/2)`.
    pub treated_rate: f64,
    /// `treated_rate - baseline` (percentage points as a fraction).
    pub absolute: f64,
    /// `treated_rate / baseline - 1`.
    pub relative: f64,
}

/// The minimum detectable increase in conversion for arms of `treated` and `control` members
/// at control rate `baseline` in (0, 1). `Ok(None)` when even a treated rate of 1 would not
/// reach the power.
pub fn minimum_detectable_uplift(
    treated: u64,
    control: u64,
    baseline: f64,
    test: &PowerTest,
) -> Result<Option<Detectable>, UpliftError> {
    let angle = baseline_angle(baseline)?;
    let n = effective_n(positive("treated", treated)?, positive("control", control)?);
    let h = test.critical_shift() / n.sqrt();
    let top = angle + h / 2.0;
    if top > std::f64::consts::FRAC_PI_2 {
        return Ok(None);
    }
    let treated_rate = top.sin().powi(2);
    Ok(Some(Detectable {
        effect_size: h,
        treated_rate,
        absolute: treated_rate - baseline,
        relative: treated_rate / baseline - 1.0,
    }))
}

/// What the control arm needs to detect an expected uplift.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum ControlSize {
    /// This many members suffice; `exact` is the real solution, `members` rounds it up.
    Members {
        /// The solution of the power equation.
        exact: f64,
        /// `exact` rounded up.
        members: u64,
    },
    /// No control size is enough: the treated arm alone must exceed `treated_needed`
    /// members (the effective size needed).
    Unreachable {
        /// Treated members needed even with an unlimited control arm (exclusive bound).
        treated_needed: f64,
    },
}

/// The control size needed to detect a relative uplift `expected_relative` (e.g. 0.1 for
/// +10%) on `baseline` with `treated` treated members. `baseline·(1 + expected_relative)` must
/// be in (0, 1) and differ from `baseline`. Compare with the actual control size to warn
/// "control group too small to detect +10%".
pub fn control_size_needed(
    treated: u64,
    baseline: f64,
    expected_relative: f64,
    test: &PowerTest,
) -> Result<ControlSize, UpliftError> {
    let angle = baseline_angle(baseline)?;
    let target = baseline * (1.0 + expected_relative);
    if !(target > 0.0 && target < 1.0) || target == baseline {
        return Err(UpliftError::OutOfRange {
            field: "expected_relative",
            value: expected_relative,
            expected: "a non-zero uplift keeping the treated rate strictly between 0 and 1",
        });
    }
    let n_t = positive("treated", treated)?;
    let h = 2.0 * target.sqrt().asin() - 2.0 * angle;
    let needed = (test.critical_shift() / h).powi(2);
    if n_t <= needed {
        return Ok(ControlSize::Unreachable {
            treated_needed: needed,
        });
    }
    let exact = needed * n_t / (n_t - needed);
    Ok(ControlSize::Members {
        exact,
        members: exact.ceil() as u64,
    })
}

fn effective_n(n_t: f64, n_c: f64) -> f64 {
    1.0 / (1.0 / n_t + 1.0 / n_c)
}

fn baseline_angle(baseline: f64) -> Result<f64, UpliftError> {
    if baseline > 0.0 && baseline < 1.0 {
        Ok(baseline.sqrt().asin())
    } else {
        Err(UpliftError::OutOfRange {
            field: "baseline",
            value: baseline,
            expected: "strictly between 0 and 1",
        })
    }
}

fn positive(field: &'static str, members: u64) -> Result<f64, UpliftError> {
    if members > 0 {
        Ok(members as f64)
    } else {
        Err(UpliftError::OutOfRange {
            field,
            value: 0.0,
            expected: "at least 1 member",
        })
    }
}
