//! Per-member BG/NBD predictions given fitted parameters.

use super::fit::FitReport;

/// A BG/NBD model: transaction rates `λ ~ Gamma(r, α)` while alive, dropout probability
/// after each purchase `p ~ Beta(a, b)`. `α` is in the time unit of the data (days in tiefen).
///
/// Every prediction takes a member's `x` (repeat purchases), `t_x` (time of the last
/// purchase since the first) and `T` (time since the first purchase), same unit as `α`.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedBgNbd {
    /// Shape of the Gamma prior on the purchase rate.
    pub r: f64,
    /// Scale (time unit) of the Gamma prior on the purchase rate.
    pub alpha: f64,
    /// First shape of the Beta prior on the dropout probability.
    pub a: f64,
    /// Second shape of the Beta prior on the dropout probability.
    pub b: f64,
    /// How the fit converged; `None` when built from known parameters.
    pub report: Option<FitReport>,
}

impl FittedBgNbd {
    /// A model from known parameters (all must be finite and `> 0`; not checked here).
    pub fn from_params(r: f64, alpha: f64, a: f64, b: f64) -> Self {
        Self {
            r,
            alpha,
            a,
            b,
            report: None,
        }
    }

    /// `P(alive at T | x, t_x, T)` (Fader, Hardie & Lee 2008 note, eq. 2); exactly 1 when `x = 0`.
    pub fn p_alive(&self, x: u32, t_x: f64, t: f64) -> f64 {
        if x == 0 {
            return 1.0;
        }
        let x = f64::from(x);
        let ln_odds = (self.a / (self.b + x - 1.0)).ln()
            + (self.r + x) * ((self.alpha + t) / (self.alpha + t_x)).ln();
        1.0 / (1.0 + ln_odds.exp())
    }

    /// `E[purchases in (T, T + horizon] | x, t_x, T]` (FHL 2005, eq. 10).
    ///
    /// Uses Euler's transformation `₂F₁(r+x, b+x; a+b+x-1; z) = (1-z)^(a-1-r-x)
    /// ₂F₁(a+b-1-r, a-1; a+b+x-1; z)` with `z = horizon / (α + T + horizon)`, whose series stays
    /// well scaled for large `x`. Undefined (non-finite) at exactly `a = 1`.
    pub fn expected_purchases(&self, horizon: f64, x: u32, t_x: f64, t: f64) -> f64 {
        let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
        let xf = f64::from(x);
        let z = horizon / (alpha + t + horizon);
        let hyp = hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + xf - 1.0, z);
        let numerator = (a + b + xf - 1.0) / (a - 1.0) * (1.0 - (1.0 - z).powf(a - 1.0) * hyp);
        let denominator = if x == 0 {
            1.0
        } else {
            1.0 + a / (b + xf - 1.0) * ((alpha + t) / (alpha + t_x)).powf(r + xf)
        };
        numerator / denominator
    }

    /// `P(no purchase in (T, T + horizon] | x, t_x, T)`
    /// `= 1 - P(alive) · (1 - ((α + T) / (α + T + horizon))^(r + x))`:
    /// a dead member never buys, and an alive one has posterior rate `Gamma(r + x, α + T)`.
    pub fn p_no_purchase(&self, horizon: f64, x: u32, t_x: f64, t: f64) -> f64 {
        let p_alive = self.p_alive(x, t_x, t);
        let survive = ((self.alpha + t) / (self.alpha + t + horizon)).powf(self.r + f64::from(x));
        1.0 - p_alive * (1.0 - survive)
    }
}

/// Gauss hypergeometric `₂F₁(a, b; c; z)` for `0 <= z < 1` by its power series, summed until
/// the terms stop mattering in `f64` (at most 1e6 terms; non-finite if `c` is a non-positive
/// integer or the series has not converged by then).
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    const MAX_TERMS: u32 = 1_000_000;
    let (mut sum, mut term) = (1.0f64, 1.0f64);
    for n in 0..MAX_TERMS {
        let n = f64::from(n);
        term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        sum += term;
        if !sum.is_finite() {
            return f64::NAN;
        }
        let ratio_bound = ((a + n + 1.0) * (b + n + 1.0) / ((c + n + 1.0) * (n + 2.0)) * z).abs();
        if (term.abs() <= f64::EPSILON * sum.abs() * 0.5 && ratio_bound < 1.0) || term == 0.0 {
            return sum;
        }
    }
    f64::NAN
}
