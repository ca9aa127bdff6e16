//! Per-member BG/NBD predictions given fitted parameters: the math lives in
//! [`features::churn::BgNbd`], shared with serving; this type adds how the fit went.

use features::churn::BgNbd;

use super::fit::FitReport;

pub use features::churn::hyp2f1;

/// A fitted BG/NBD model: transaction rates `λ ~ Gamma(r, α)` while alive, dropout probability
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

    /// The parameters alone, as serving predicts with them.
    pub fn params(&self) -> BgNbd {
        BgNbd {
            r: self.r,
            alpha: self.alpha,
            a: self.a,
            b: self.b,
        }
    }

    /// See [`BgNbd::p_alive`].
    pub fn p_alive(&self, x: u32, t_x: f64, t: f64) -> f64 {
        self.params().p_alive(x, t_x, t)
    }

    /// See [`BgNbd::expected_purchases`].
    pub fn expected_purchases(&self, horizon: f64, x: u32, t_x: f64, t: f64) -> f64 {
        self.params().expected_purchases(horizon, x, t_x, t)
    }

    /// See [`BgNbd::p_no_purchase`].
    pub fn p_no_purchase(&self, horizon: f64, x: u32, t_x: f64, t: f64) -> f64 {
        self.params().p_no_purchase(horizon, x, t_x, t)
    }
}
