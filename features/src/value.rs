//! A member's expected spend and next order: BG/NBD's expected purchases times the expected
//! spend per purchase of the Gamma-Gamma model (Fader, Hardie & Lee 2005, "RFM and CLV";
//! Hardie's note 025), or of its documented fallback. Fitting lives in `training::value`;
//! training and serving predict with these functions.
//!
//! A *purchase* is a purchase day (a day with at least one line that is not a return), as in
//! BG/NBD's [`Rfm`]; its spend is the gross amount of that day's purchase lines. Returns are
//! not modelled, so predicted and backtested spend are both gross.
//!
//! ```
//! use features::churn::{BgNbd, Rfm};
//! use features::value::{GammaGamma, Spend, SpendModel, ValueModel};
//! use features::Day;
//!
//! let gg = GammaGamma { p: 6.25, q: 3.74, v: 15.44 };
//! assert!((gg.population_mean() - 35.2).abs() < 0.1);
//! // Two repeat purchases averaging 22.35 are shrunk towards the population mean.
//! let shrunk = gg.conditional_expected_average_profit(2, 22.35);
//! assert!(22.35 < shrunk && shrunk < gg.population_mean());
//!
//! let model = ValueModel {
//!     bgnbd: BgNbd { r: 0.8, alpha: 25.0, a: 0.05, b: 1.9 },
//!     spend: SpendModel::GammaGamma(gg),
//! };
//! let spend = Spend { purchase_days: 3, total: 60.0, first_day_spend: 15.35 };
//! let value = model.member_value(Rfm::new(2, 40.0, 60.0), &spend, Day(11_354), 28, 365);
//! assert!(value.predicted_spend_h > 0.0 && value.predicted_value > value.predicted_spend_h);
//! assert!(value.expected_next_order.is_some());
//! ```

use crate::churn::{BgNbd, Rfm};
use crate::{Day, PurchaseHistory};

/// A member with `P(alive)` below this is treated as almost surely gone: no expected date
/// of the next order.
pub const MIN_P_ALIVE_FOR_NEXT_ORDER: f64 = 0.05;

/// Gamma-Gamma parameters: the spend of each purchase is `Gamma(p, ν)` (shape `p`, rate `ν`),
/// and `ν ~ Gamma(q, v)` across members (shape `q`, rate `v`, in money units). The
/// population mean spend per purchase `p·v/(q − 1)` exists only for `q > 1`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GammaGamma {
    /// Shape of the per-purchase spend.
    pub p: f64,
    /// Shape of the prior on the per-member rate `ν`.
    pub q: f64,
    /// Rate of the prior on `ν` (money units).
    pub v: f64,
}

impl GammaGamma {
    /// The prior (population) mean spend per purchase, `p·v/(q − 1)`; `+∞` when `q <= 1`.
    pub fn population_mean(&self) -> f64 {
        if self.q > 1.0 {
            self.p * self.v / (self.q - 1.0)
        } else {
            f64::INFINITY
        }
    }

    /// `E[spend per purchase | x, m̄]` (Hardie's note 025, eq. 5) for a member with
    /// `frequency = x` repeat purchases of mean spend `monetary_value = m̄`: the weighted mean
    /// `(1 − w)·population_mean + w·m̄` with `w = p·x / (p·x + q − 1)`. With `x = 0` it is the
    /// population mean, as in lifetimes' `conditional_expected_average_profit`.
    pub fn conditional_expected_average_profit(&self, frequency: u32, monetary_value: f64) -> f64 {
        if frequency == 0 {
            return self.population_mean();
        }
        let px = self.p * f64::from(frequency);
        let w = px / (px + self.q - 1.0);
        (1.0 - w) * self.population_mean() + w * monetary_value
    }
}

/// A member's purchase days before a date and their gross spend.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Spend {
    /// Distinct purchase days.
    pub purchase_days: u32,
    /// Gross spend over all purchase days.
    pub total: f64,
    /// Gross spend of the first purchase day (0 without one).
    pub first_day_spend: f64,
}

impl Spend {
    /// The spend summary of `history` from the lines strictly before `as_of` (returns skipped).
    pub fn of(history: &PurchaseHistory<'_>, as_of: Day) -> Spend {
        let mut s = Spend::default();
        let mut last: Option<i64> = None;
        for line in history.before(as_of).iter().filter(|l| !l.is_return()) {
            let day = i64::from(Day::of_ts(line.ts).0);
            if last != Some(day) {
                s.purchase_days += 1;
                last = Some(day);
            }
            if s.purchase_days == 1 {
                s.first_day_spend += line.amount;
            }
            s.total += line.amount;
        }
        s
    }

    /// Repeat purchases `x`: purchase days after the first.
    pub fn frequency(&self) -> u32 {
        self.purchase_days.saturating_sub(1)
    }

    /// Mean spend of the repeat purchases (lifetimes' `monetary_value`); 0 without one.
    pub fn repeat_mean(&self) -> f64 {
        match self.frequency() {
            0 => 0.0,
            x => (self.total - self.first_day_spend) / f64::from(x),
        }
    }

    /// Mean spend over every purchase day, the first included; 0 without one.
    pub fn mean(&self) -> f64 {
        match self.purchase_days {
            0 => 0.0,
            n => self.total / f64::from(n),
        }
    }
}

/// How spend per purchase is predicted.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SpendModel {
    /// Gamma-Gamma on the repeat purchases; members without one get the population mean.
    GammaGamma(GammaGamma),
    /// The fallback where Gamma-Gamma does not apply: the member's mean over every purchase
    /// day, shrunk towards the store's mean order value as if `prior_purchases` more
    /// purchases of that value had been seen, `(n·mean + k·store_mean) / (n + k)`.
    ShrunkMean {
        /// Gross spend per purchase day over every purchase day of the population.
        store_mean: f64,
        /// Weight `k` of the store mean, in purchases.
        prior_purchases: f64,
    },
}

impl SpendModel {
    /// The expected spend per future purchase of a member with this spend history.
    pub fn spend_per_purchase(&self, spend: &Spend) -> f64 {
        match *self {
            SpendModel::GammaGamma(gg) => {
                gg.conditional_expected_average_profit(spend.frequency(), spend.repeat_mean())
            }
            SpendModel::ShrunkMean {
                store_mean,
                prior_purchases,
            } => {
                let n = f64::from(spend.purchase_days);
                (spend.total + prior_purchases * store_mean) / (n + prior_purchases)
            }
        }
    }
}

/// One member's value answers as of a date.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MemberValue {
    /// BG/NBD's probability that the member is still active.
    pub p_alive: f64,
    /// Expected spend per future purchase (see [`SpendModel::spend_per_purchase`]).
    pub spend_per_purchase: f64,
    /// BG/NBD's expected purchases in `[as_of, as_of + H)`.
    pub expected_purchases_h: f64,
    /// Expected gross spend in `[as_of, as_of + H)`: purchases times spend per purchase.
    pub predicted_spend_h: f64,
    /// BG/NBD's expected purchases over the value horizon.
    pub expected_purchases_value: f64,
    /// Expected gross spend over the value horizon (undiscounted).
    pub predicted_value: f64,
    /// Expected day of the next order (see [`next_order_day`]).
    pub expected_next_order: Option<Day>,
}

/// The fitted value model: purchases from BG/NBD, spend per purchase from [`SpendModel`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ValueModel {
    /// BG/NBD parameters, time in days.
    pub bgnbd: BgNbd,
    /// Spend per purchase.
    pub spend: SpendModel,
}

impl ValueModel {
    /// The member's answers as of `as_of` for a horizon of `horizon_days` and a value horizon
    /// of `value_horizon_days` (365 by default in training). `rfm` and `spend` describe the
    /// same history before `as_of`.
    pub fn member_value(
        &self,
        rfm: Rfm,
        spend: &Spend,
        as_of: Day,
        horizon_days: u32,
        value_horizon_days: u32,
    ) -> MemberValue {
        let (x, t_x, t) = (rfm.frequency, rfm.recency, rfm.age);
        let per_purchase = self.spend.spend_per_purchase(spend);
        let purchases = |h: u32| self.bgnbd.expected_purchases(f64::from(h), x, t_x, t);
        let (in_h, in_value) = (purchases(horizon_days), purchases(value_horizon_days));
        MemberValue {
            p_alive: self.bgnbd.p_alive(x, t_x, t),
            spend_per_purchase: per_purchase,
            expected_purchases_h: in_h,
            predicted_spend_h: in_h * per_purchase,
            expected_purchases_value: in_value,
            predicted_value: in_value * per_purchase,
            expected_next_order: next_order_day(&self.bgnbd, rfm, as_of, value_horizon_days),
        }
    }
}

/// The expected day of a member's next order, or `None` when unknown.
///
/// Definition: an active member's next purchase comes at rate `λ`, whose posterior given
/// activity is `Gamma(r + x, α + T)` (dropout happens only right after a purchase, so it does
/// not delay the next one). The expected number of purchases given activity reaches 1 after
/// `t* = (α + T) / (r + x)` days, the member's posterior mean gap; the answer is
/// `as_of + ⌊t*⌋` (a purchase within the first day after `as_of` falls on `as_of` itself).
///
/// `None` when the member is almost surely gone (`P(alive)` below
/// [`MIN_P_ALIVE_FOR_NEXT_ORDER`]) or when that day lies beyond `as_of + value_horizon_days`
/// (the model expects no order within the value horizon), or when it is not finite.
pub fn next_order_day(bgnbd: &BgNbd, rfm: Rfm, as_of: Day, value_horizon_days: u32) -> Option<Day> {
    let p_alive = bgnbd.p_alive(rfm.frequency, rfm.recency, rfm.age);
    if p_alive.is_nan() || p_alive < MIN_P_ALIVE_FOR_NEXT_ORDER {
        return None;
    }
    let gap = (bgnbd.alpha + rfm.age) / (bgnbd.r + f64::from(rfm.frequency));
    (gap.is_finite() && gap >= 0.0 && gap < f64::from(value_horizon_days))
        .then(|| as_of.plus(gap.floor() as i32))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NO_CATEGORY, PurchaseLine};

    const GG: GammaGamma = GammaGamma {
        p: 6.0,
        q: 4.0,
        v: 15.0,
    };
    const BGNBD: BgNbd = BgNbd {
        r: 0.5,
        alpha: 30.0,
        a: 0.8,
        b: 3.0,
    };

    fn line(day: i32, amount: f64) -> PurchaseLine {
        PurchaseLine {
            ts: Day(11_000 + day).start_ts() + 3600,
            item: 0,
            category: NO_CATEGORY,
            quantity: if amount < 0.0 { -1.0 } else { 1.0 },
            amount,
        }
    }

    #[test]
    fn gamma_gamma_shrinks_by_the_hand_computed_weight() {
        assert_eq!(GG.population_mean(), 30.0);
        assert_eq!(GG.conditional_expected_average_profit(0, 99.0), 30.0);
        let w = 12.0 / 15.0;
        let want = (1.0 - w) * 30.0 + w * 50.0;
        assert!((GG.conditional_expected_average_profit(2, 50.0) - want).abs() < 1e-12);
        let no_mean = GammaGamma { q: 0.9, ..GG };
        assert_eq!(no_mean.population_mean(), f64::INFINITY);
    }

    #[test]
    fn spend_counts_purchase_days_and_skips_returns_and_the_future() {
        let lines = [
            line(0, 10.0),
            line(0, 5.0),
            line(3, -4.0),
            line(7, 20.0),
            line(9, 40.0),
            line(30, 1000.0),
        ];
        let s = Spend::of(&PurchaseHistory::new(&lines, None), Day(11_030));
        assert_eq!(
            s,
            Spend {
                purchase_days: 3,
                total: 75.0,
                first_day_spend: 15.0
            }
        );
        assert_eq!(s.frequency(), 2);
        assert_eq!(s.repeat_mean(), 30.0);
        assert_eq!(s.mean(), 25.0);
        let only_returns = Spend::of(&PurchaseHistory::new(&lines[2..3], None), Day(11_030));
        assert_eq!(only_returns, Spend::default());
        assert_eq!(
            (only_returns.repeat_mean(), only_returns.mean()),
            (0.0, 0.0)
        );
    }

    #[test]
    fn shrunk_mean_fallback_weighs_the_store_mean_as_k_purchases() {
        let model = SpendModel::ShrunkMean {
            store_mean: 100.0,
            prior_purchases: 1.0,
        };
        let s = Spend {
            purchase_days: 3,
            total: 60.0,
            first_day_spend: 20.0,
        };
        assert_eq!(model.spend_per_purchase(&s), 40.0);
        assert_eq!(model.spend_per_purchase(&Spend::default()), 100.0);
    }

    #[test]
    fn member_value_multiplies_purchases_by_spend_per_purchase() {
        let model = ValueModel {
            bgnbd: BGNBD,
            spend: SpendModel::GammaGamma(GG),
        };
        let spend = Spend {
            purchase_days: 3,
            total: 115.0,
            first_day_spend: 15.0,
        };
        let rfm = Rfm::new(2, 50.0, 60.0);
        let v = model.member_value(rfm, &spend, Day(11_060), 28, 365);
        let per = GG.conditional_expected_average_profit(2, 50.0);
        assert_eq!(v.spend_per_purchase, per);
        let n28 = BGNBD.expected_purchases(28.0, 2, 50.0, 60.0);
        assert!((v.predicted_spend_h - n28 * per).abs() < 1e-9);
        assert!(v.predicted_value > v.predicted_spend_h);
        assert_eq!(v.p_alive, BGNBD.p_alive(2, 50.0, 60.0));
    }

    #[test]
    fn next_order_is_the_posterior_mean_gap_and_unknown_when_gone_or_too_far() {
        let as_of = Day(11_060);
        let rfm = Rfm::new(4, 55.0, 60.0);
        let gap = (30.0 + 60.0) / (0.5 + 4.0);
        assert_eq!(
            next_order_day(&BGNBD, rfm, as_of, 365),
            Some(as_of.plus(gap as i32))
        );
        assert_eq!(next_order_day(&BGNBD, rfm, as_of, 20), None);
        let gone = Rfm::new(20, 10.0, 600.0);
        assert!(BGNBD.p_alive(20, 10.0, 600.0) < MIN_P_ALIVE_FOR_NEXT_ORDER);
        assert_eq!(next_order_day(&BGNBD, gone, as_of, 365), None);
        let one_time = Rfm::new(0, 0.0, 10.0);
        assert_eq!(
            next_order_day(&BGNBD, one_time, as_of, 365),
            Some(as_of.plus(80))
        );
    }
}
