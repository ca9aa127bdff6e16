//! Confidence levels, intervals and estimates.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use super::{Degenerate, UpliftError};

/// A two-sided confidence level in (0, 1); the default is 0.95.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Confidence(f64);

impl Confidence {
    /// Checks `0 < level < 1`; the error names the field `confidence`.
    pub fn new(level: f64) -> Result<Confidence, UpliftError> {
        if level > 0.0 && level < 1.0 {
            Ok(Confidence(level))
        } else {
            Err(UpliftError::OutOfRange {
                field: "confidence",
                value: level,
                expected: "strictly between 0 and 1",
            })
        }
    }

    /// The level, e.g. 0.95.
    pub fn level(self) -> f64 {
        self.0
    }

    /// `1 - level`, the two-sided significance.
    pub fn alpha(self) -> f64 {
        1.0 - self.0
    }

    /// The standard normal quantile `z` with `P(|Z| > z) = alpha` (1.959964 at 0.95).
    pub fn z(self) -> f64 {
        normal_isf(self.alpha() / 2.0)
    }

    /// The Student-t quantile with `dof` degrees of freedom and `P(|T| > t) = alpha`.
    pub(crate) fn t(self, dof: f64) -> f64 {
        match StudentsT::new(0.0, 1.0, dof) {
            Ok(t) => -t.inverse_cdf(self.alpha() / 2.0),
            Err(_) => f64::NAN,
        }
    }
}

impl Default for Confidence {
    fn default() -> Confidence {
        Confidence(0.95)
    }
}

/// A closed interval `[low, high]`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Interval {
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

impl Interval {
    /// Whether `x` lies in the interval (bounds included).
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }
}

/// A point estimate with its confidence interval, or the reason the interval is undefined
/// (for example zero variance in both arms).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The point estimate.
    pub value: f64,
    /// The interval at the requested confidence, or why there is none.
    pub interval: Result<Interval, Degenerate>,
}

/// `P(Z > q) = p` for a standard normal `Z`.
pub(crate) fn normal_isf(p: f64) -> f64 {
    -Normal::standard().inverse_cdf(p)
}
