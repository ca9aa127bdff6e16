//! BG/NBD mean negative log-likelihood and its gradient on log-parameters, evaluated on
//! sufficient statistics: identical `(x, t_x, T)` triples are grouped with counts, and every
//! term that depends on one coordinate only is computed once per distinct value.

use std::collections::HashMap;

use statrs::function::gamma::{digamma, ln_gamma};

use super::params::Rfm;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy)]
struct Group {
    x_ix: u32,
    t_ix: u32,
    tx_ix: u32,
    weight: f64,
}

/// Grouped data, with times divided by the largest age (`scale = 1 / max T`, as lifetimes).
#[derive(Debug, Clone)]
pub(crate) struct Sufficient {
    xs: Vec<f64>,
    x_weight: Vec<f64>,
    ts: Vec<f64>,
    txs: Vec<f64>,
    groups: Vec<Group>,
    total_weight: f64,
    /// Multiply raw times by this to get the fitted time unit.
    pub(crate) scale: f64,
}

fn intern(map: &mut HashMap<u64, u32>, values: &mut Vec<f64>, v: f64) -> u32 {
    *map.entry(v.to_bits()).or_insert_with(|| {
        values.push(v);
        (values.len() - 1) as u32
    })
}

impl Sufficient {
    /// Validates and groups `data`; fails on an empty slice or an invalid record.
    pub(crate) fn new(data: &[Rfm]) -> Result<Self> {
        if data.is_empty() {
            return Err(Error::EmptyData);
        }
        for (index, rfm) in data.iter().enumerate() {
            rfm.check()
                .map_err(|reason| Error::InvalidRfm { index, reason })?;
        }
        let max_age = data.iter().map(|r| r.age).fold(0.0, f64::max);
        let scale = if max_age > 0.0 { 1.0 / max_age } else { 1.0 };
        let mut counts: HashMap<(u32, u64, u64), f64> = HashMap::new();
        for r in data {
            let key = (
                r.frequency,
                (r.recency * scale).to_bits(),
                (r.age * scale).to_bits(),
            );
            *counts.entry(key).or_insert(0.0) += 1.0;
        }
        let mut keys: Vec<_> = counts.into_iter().collect();
        keys.sort_unstable_by_key(|(k, _)| *k);
        let (mut xs, mut ts, mut txs) = (vec![], vec![], vec![]);
        let (mut x_map, mut t_map, mut tx_map) = (HashMap::new(), HashMap::new(), HashMap::new());
        let mut groups = Vec::with_capacity(keys.len());
        for ((x, tx, t), weight) in keys {
            groups.push(Group {
                x_ix: intern(&mut x_map, &mut xs, f64::from(x)),
                t_ix: intern(&mut t_map, &mut ts, f64::from_bits(t)),
                tx_ix: intern(&mut tx_map, &mut txs, f64::from_bits(tx)),
                weight,
            });
        }
        let mut x_weight = vec![0.0; xs.len()];
        for g in &groups {
            x_weight[g.x_ix as usize] += g.weight;
        }
        Ok(Self {
            xs,
            x_weight,
            ts,
            txs,
            groups,
            total_weight: data.len() as f64,
            scale,
        })
    }

    /// Number of distinct `(x, t_x, T)` triples.
    pub(crate) fn n_groups(&self) -> usize {
        self.groups.len()
    }

    /// Mean negative log-likelihood plus `penalizer * Σ p²` at `θ = ln(r, α, a, b)`, and its
    /// gradient with respect to `θ`. Non-finite parameters give `+∞` and a zero gradient.
    pub(crate) fn objective(&self, theta: &[f64], penalizer: f64) -> (f64, [f64; 4]) {
        let p = [
            theta[0].exp(),
            theta[1].exp(),
            theta[2].exp(),
            theta[3].exp(),
        ];
        if !p.iter().all(|v| v.is_finite() && *v > 0.0) {
            return (f64::INFINITY, [0.0; 4]);
        }
        let [r, alpha, a, b] = p;
        let (mut ll, mut g) = self.per_frequency_terms(r, alpha, a, b);
        let ln_at: Vec<(f64, f64)> = self
            .ts
            .iter()
            .map(|t| ((alpha + t).ln(), 1.0 / (alpha + t)))
            .collect();
        let ln_atx: Vec<(f64, f64)> = self
            .txs
            .iter()
            .map(|t| ((alpha + t).ln(), 1.0 / (alpha + t)))
            .collect();
        let ln_a = a.ln();
        let per_x: Vec<(f64, f64)> = self
            .xs
            .iter()
            .map(|x| (r + x, (b + x - 1.0).ln()))
            .collect();
        for grp in &self.groups {
            let x = self.xs[grp.x_ix as usize];
            let (rx, ln_bx1) = per_x[grp.x_ix as usize];
            let (ln_t, inv_t) = ln_at[grp.t_ix as usize];
            let a3 = -rx * ln_t;
            let w = grp.weight;
            if x == 0.0 {
                ll += w * a3;
                g[0] -= w * ln_t;
                g[1] -= w * rx * inv_t;
                continue;
            }
            let (ln_tx, inv_tx) = ln_atx[grp.tx_ix as usize];
            let a4 = ln_a - ln_bx1 - rx * ln_tx;
            let (hi, lo) = if a4 > a3 { (a4, a3) } else { (a3, a4) };
            let e = (lo - hi).exp();
            ll += w * (hi + e.ln_1p());
            let pi4 = if a4 > a3 {
                1.0 / (1.0 + e)
            } else {
                e / (1.0 + e)
            };
            let pi3 = 1.0 - pi4;
            g[0] -= w * (pi3 * ln_t + pi4 * ln_tx);
            g[1] -= w * rx * (pi3 * inv_t + pi4 * inv_tx);
            g[2] += w * pi4 / a;
            g[3] -= w * pi4 / (b + x - 1.0);
        }
        let n = self.total_weight;
        let value = -ll / n + penalizer * p.iter().map(|v| v * v).sum::<f64>();
        let grad = std::array::from_fn(|k| -g[k] * p[k] / n + 2.0 * penalizer * p[k] * p[k]);
        (value, grad)
    }

    /// `Σ_x W_x (A1 + A2)` and its gradient with respect to `(r, α, a, b)`.
    fn per_frequency_terms(&self, r: f64, alpha: f64, a: f64, b: f64) -> (f64, [f64; 4]) {
        let (ln_alpha, ab) = (alpha.ln(), a + b);
        let (lg_r, lg_b, lg_ab) = (ln_gamma(r), ln_gamma(b), ln_gamma(ab));
        let (dg_r, dg_b, dg_ab) = (digamma(r), digamma(b), digamma(ab));
        let (mut ll, mut g) = (0.0, [0.0; 4]);
        for (&x, &w) in self.xs.iter().zip(&self.x_weight) {
            let a1 = ln_gamma(r + x) - lg_r + r * ln_alpha;
            let a2 = lg_ab + ln_gamma(b + x) - lg_b - ln_gamma(ab + x);
            ll += w * (a1 + a2);
            let dg_abx = digamma(ab + x);
            g[0] += w * (digamma(r + x) - dg_r + ln_alpha);
            g[1] += w * r / alpha;
            g[2] += w * (dg_ab - dg_abx);
            g[3] += w * (dg_ab + digamma(b + x) - dg_b - dg_abx);
        }
        (ll, g)
    }
}
