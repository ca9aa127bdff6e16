//! Gamma-Gamma mean negative log-likelihood (Hardie's note 025, eq. 1a; lifetimes'
//! `GammaGammaFitter._negative_log_likelihood`) and its gradient on log-parameters.
//!
//! Per member with `x >= 1` repeat purchases of mean spend `m`:
//! `ℓ = lnΓ(px + q) − lnΓ(px) − lnΓ(q) + q ln v + (px − 1) ln m + px ln x − (px + q) ln(xm + v)`.
//! Spend is divided by its mean before fitting (`v` scales with it and `ℓ` only shifts by
//! `−ln scale`), so the optimiser sees the same problem in any currency.

use std::collections::BTreeMap;

use statrs::function::gamma::{digamma, ln_gamma};

use crate::error::{Error, Result};

/// The repeat customers' data, grouped by frequency, with spend in units of its mean.
#[derive(Debug, Clone)]
pub(crate) struct Sufficient {
    /// Distinct frequencies, with `ln x` and the number of members of each.
    xs: Vec<(f64, f64, f64)>,
    /// Per member: index into `xs`, `x`, scaled `m`.
    members: Vec<(usize, f64, f64)>,
    /// `Σ x ln m` and `Σ ln m` over members (scaled `m`).
    sum_x_ln_m: f64,
    sum_ln_m: f64,
    /// Money units per scaled unit: the mean of `m`.
    pub(crate) scale: f64,
}

impl Sufficient {
    /// Keeps the members with `frequency >= 1` (as lifetimes' users do); each of them needs a
    /// finite `monetary_value > 0`. Fails on mismatched lengths, an invalid value, or no
    /// repeat customer at all.
    pub(crate) fn new(frequency: &[u32], monetary_value: &[f64]) -> Result<Self> {
        if frequency.len() != monetary_value.len() {
            return Err(Error::LengthMismatch {
                what: "monetary_value",
                expected: frequency.len(),
                got: monetary_value.len(),
            });
        }
        let mut kept = Vec::new();
        for (index, (&x, &m)) in frequency.iter().zip(monetary_value).enumerate() {
            if x == 0 {
                continue;
            }
            if !(m.is_finite() && m > 0.0) {
                let reason =
                    format!("monetary value {m} of a repeat customer must be finite and > 0");
                return Err(Error::InvalidRfm { index, reason });
            }
            kept.push((x, m));
        }
        if kept.is_empty() {
            return Err(Error::EmptyData);
        }
        let scale = kept.iter().map(|(_, m)| m).sum::<f64>() / kept.len() as f64;
        let mut by_x: BTreeMap<u32, f64> = BTreeMap::new();
        for (x, _) in &kept {
            *by_x.entry(*x).or_default() += 1.0;
        }
        let index: BTreeMap<u32, usize> = by_x.keys().enumerate().map(|(i, x)| (*x, i)).collect();
        let xs = by_x
            .iter()
            .map(|(&x, &w)| (f64::from(x), f64::from(x).ln(), w))
            .collect();
        let members: Vec<(usize, f64, f64)> = kept
            .iter()
            .map(|&(x, m)| (index[&x], f64::from(x), m / scale))
            .collect();
        let sum_x_ln_m = members.iter().map(|(_, x, m)| x * m.ln()).sum();
        let sum_ln_m = members.iter().map(|(_, _, m)| m.ln()).sum();
        Ok(Self {
            xs,
            members,
            sum_x_ln_m,
            sum_ln_m,
            scale,
        })
    }

    /// Number of repeat customers fitted on.
    pub(crate) fn n_members(&self) -> usize {
        self.members.len()
    }

    /// Mean negative log-likelihood of the scaled data plus `penalizer · (p² + q² + v²)` (raw
    /// `v`, as lifetimes) at `θ = ln(p, q, v_scaled)`, and its gradient with respect to `θ`.
    /// Non-finite parameters give `+∞` and a zero gradient. Add `ln scale` to the value for
    /// the objective in money units.
    pub(crate) fn objective(&self, theta: &[f64], penalizer: f64) -> (f64, [f64; 3]) {
        let par = [theta[0].exp(), theta[1].exp(), theta[2].exp()];
        if !par.iter().all(|v| v.is_finite() && *v > 0.0) {
            return (f64::INFINITY, [0.0; 3]);
        }
        let [p, q, v] = par;
        let (ln_v, lg_q, dg_q) = (v.ln(), ln_gamma(q), digamma(q));
        let (mut ll, mut g) = (
            p * self.sum_x_ln_m - self.sum_ln_m,
            [self.sum_x_ln_m, 0.0, 0.0],
        );
        for &(x, ln_x, w) in &self.xs {
            let (px, pxq) = (p * x, p * x + q);
            let (dg_pxq, dg_px) = (digamma(pxq), digamma(px));
            ll += w * (ln_gamma(pxq) - ln_gamma(px) - lg_q + q * ln_v + px * ln_x);
            g[0] += w * x * (dg_pxq - dg_px + ln_x);
            g[1] += w * (dg_pxq - dg_q + ln_v);
            g[2] += w * q / v;
        }
        for &(_, x, m) in &self.members {
            let (pxq, xmv) = (p * x + q, x * m + v);
            let ln_xmv = xmv.ln();
            ll -= pxq * ln_xmv;
            g[0] -= x * ln_xmv;
            g[1] -= ln_xmv;
            g[2] -= pxq / xmv;
        }
        let n = self.members.len() as f64;
        let raw = [p, q, v * self.scale];
        let value = -ll / n + penalizer * raw.iter().map(|r| r * r).sum::<f64>();
        let grad = std::array::from_fn(|k| -g[k] * par[k] / n + 2.0 * penalizer * raw[k] * raw[k]);
        (value, grad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn direct(data: &[(u32, f64)], p: f64, q: f64, v: f64) -> f64 {
        let total: f64 = data
            .iter()
            .map(|&(x, m)| {
                let x = f64::from(x);
                ln_gamma(p * x + q) - ln_gamma(p * x) - ln_gamma(q)
                    + q * v.ln()
                    + (p * x - 1.0) * m.ln()
                    + p * x * x.ln()
                    - (p * x + q) * (x * m + v).ln()
            })
            .sum();
        -total / data.len() as f64
    }

    #[test]
    fn objective_matches_the_direct_formula_and_a_numerical_gradient() {
        let data = [(1, 10.0), (2, 22.0), (2, 18.5), (5, 40.0), (3, 7.25)];
        let (freq, money): (Vec<u32>, Vec<f64>) = data.iter().copied().unzip();
        let suff = Sufficient::new(&freq, &money).expect("valid data");
        let (p, q, v) = (2.5f64, 3.0f64, 30.0f64);
        let theta = [p.ln(), q.ln(), (v / suff.scale).ln()];
        let (value, grad) = suff.objective(&theta, 0.0);
        assert!((value + suff.scale.ln() - direct(&data, p, q, v)).abs() < 1e-12);
        for pen in [0.0, 0.01] {
            let (_, grad) = suff.objective(&theta, pen);
            for k in 0..3 {
                let h = 1e-6;
                let (mut up, mut down) = (theta, theta);
                up[k] += h;
                down[k] -= h;
                let numeric =
                    (suff.objective(&up, pen).0 - suff.objective(&down, pen).0) / (2.0 * h);
                assert!(
                    (grad[k] - numeric).abs() < 1e-7,
                    "k {k} pen {pen}: {grad:?} vs {numeric}"
                );
            }
        }
        assert!(grad.iter().all(|g| g.is_finite()));
    }

    #[test]
    fn one_time_buyers_are_left_out_and_bad_spend_is_rejected() {
        let suff = Sufficient::new(&[0, 1, 0, 2], &[0.0, 10.0, f64::NAN, 30.0]).expect("valid");
        assert_eq!(suff.n_members(), 2);
        assert_eq!(suff.scale, 20.0);
        let err = Sufficient::new(&[1, 3], &[10.0, 0.0]).unwrap_err();
        assert!(matches!(err, Error::InvalidRfm { index: 1, .. }), "{err:?}");
        let err = Sufficient::new(&[0, 0], &[1.0, 2.0]).unwrap_err();
        assert!(matches!(err, Error::EmptyData), "{err:?}");
        let err = Sufficient::new(&[1], &[1.0, 2.0]).unwrap_err();
        assert!(matches!(err, Error::LengthMismatch { .. }), "{err:?}");
    }
}
