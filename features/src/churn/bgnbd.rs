//! BG/NBD predictions from fitted parameters (Fader, Hardie & Lee 2005). Fitting lives in
//! `training`; serving and training both predict with these functions.

/// One member's repeat-purchase summary at the as-of date.
///
/// Any time unit works (days in tiefen) as long as fitting and prediction use the same one.
/// Valid records satisfy `0 <= recency <= age`, all finite, and `recency == 0` when
/// `frequency == 0`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rfm {
    /// `x`: number of repeat purchases (purchase days after the first one).
    pub frequency: u32,
    /// `t_x`: time from the first purchase to the last one.
    pub recency: f64,
    /// `T`: time from the first purchase to the as-of date.
    pub age: f64,
}

impl Rfm {
    /// Builds a record from `x`, `t_x` and `T` (not validated; see [`Rfm::check`]).
    pub fn new(frequency: u32, recency: f64, age: f64) -> Self {
        Self {
            frequency,
            recency,
            age,
        }
    }

    /// Checks the record's invariants; the error says which one fails.
    pub fn check(&self) -> Result<(), String> {
        if !(self.recency.is_finite() && self.age.is_finite()) {
            return Err("recency and age must be finite".into());
        }
        if self.recency < 0.0 || self.recency > self.age {
            return Err(format!(
                "need 0 <= recency ({}) <= age ({})",
                self.recency, self.age
            ));
        }
        if self.frequency == 0 && self.recency != 0.0 {
            return Err(format!("frequency is 0 but recency is {}", self.recency));
        }
        Ok(())
    }
}

/// BG/NBD parameters: transaction rates `λ ~ Gamma(r, α)` while alive, dropout probability
/// after each purchase `p ~ Beta(a, b)`. `α` is in the time unit of the data (days in tiefen).
///
/// Every prediction takes a member's `x` (repeat purchases), `t_x` (time of the last
/// purchase since the first) and `T` (time since the first purchase), same unit as `α`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BgNbd {
    /// Shape of the Gamma prior on the purchase rate.
    pub r: f64,
    /// Scale (time unit) of the Gamma prior on the purchase rate.
    pub alpha: f64,
    /// First shape of the Beta prior on the dropout probability.
    pub a: f64,
    /// Second shape of the Beta prior on the dropout probability.
    pub b: f64,
}

impl BgNbd {
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
