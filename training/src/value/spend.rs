//! Choosing the spend-per-purchase model: Gamma-Gamma where it applies, the documented
//! fallback (see the module docs of [`crate::value`]) where it does not, with the reason.

use features::value::{GammaGamma, Spend, SpendModel};

use super::fit::GammaGammaReport;
use super::params::ValueValidParams;
use super::rank::{pearson, spearman};

/// Rule name of the spend fallback.
pub const RULE_SHRUNK_MEAN: &str = "shrunk_mean_order_value";

/// Why Gamma-Gamma was not used.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SpendFallback {
    /// The rule used instead ([`RULE_SHRUNK_MEAN`]).
    pub rule: &'static str,
    /// Why Gamma-Gamma does not apply.
    pub reason: String,
}

/// What was measured before choosing the spend model, kept for the evaluation record.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SpendDiagnostics {
    /// Members summarised.
    pub members: usize,
    /// Members with a purchase day.
    pub buyers: usize,
    /// Repeat customers with a positive mean repeat spend (what Gamma-Gamma is fitted on).
    pub repeaters: usize,
    /// Gross spend per purchase day over every purchase day (the store's mean order value).
    pub store_mean: f64,
    /// Spearman's `ρ` between repeat purchases and mean repeat spend among the repeaters
    /// (the statistic the correlation rule tests); `None` with fewer than 3 repeaters or no
    /// spread.
    pub spearman_frequency_spend: Option<f64>,
    /// Pearson's `r` of the same pairs, for reference (lifetimes' documentation checks it).
    pub pearson_frequency_spend: Option<f64>,
}

/// The chosen spend model and how it was chosen.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SpendFit {
    /// The model used for every member.
    pub model: SpendModel,
    /// The Gamma-Gamma fit report when it was used.
    pub gamma_gamma: Option<GammaGammaReport>,
    /// Set when the model is the fallback.
    pub fallback: Option<SpendFallback>,
    /// The measurements behind the choice.
    pub diagnostics: SpendDiagnostics,
}

/// Fits the spend model on the members' spend summaries, in this order of checks: at least
/// `min_repeaters` repeat customers with a positive repeat spend; `|Spearman ρ|` between
/// their repeat purchases and mean repeat spend at most `max_abs_correlation`; a converged,
/// identified Gamma-Gamma fit; `q > 1` (a finite population mean). The first check that fails
/// selects [`SpendModel::ShrunkMean`], with the reason recorded.
pub fn fit_spend(spends: &[Spend], params: &ValueValidParams) -> SpendFit {
    let (frequency, monetary): (Vec<u32>, Vec<f64>) = spends
        .iter()
        .filter(|s| s.frequency() >= 1 && s.repeat_mean() > 0.0 && s.repeat_mean().is_finite())
        .map(|s| (s.frequency(), s.repeat_mean()))
        .unzip();
    let days: f64 = spends.iter().map(|s| f64::from(s.purchase_days)).sum();
    let store_mean = if days > 0.0 {
        spends.iter().map(|s| s.total).sum::<f64>() / days
    } else {
        0.0
    };
    let x: Vec<f64> = frequency.iter().map(|&x| f64::from(x)).collect();
    let diagnostics = SpendDiagnostics {
        members: spends.len(),
        buyers: spends.iter().filter(|s| s.purchase_days > 0).count(),
        repeaters: frequency.len(),
        store_mean,
        spearman_frequency_spend: spearman(&x, &monetary).ok(),
        pearson_frequency_spend: pearson(&x, &monetary),
    };
    let fallback = |reason: String| SpendFit {
        model: SpendModel::ShrunkMean {
            store_mean,
            prior_purchases: params.prior_purchases(),
        },
        gamma_gamma: None,
        fallback: Some(SpendFallback {
            rule: RULE_SHRUNK_MEAN,
            reason,
        }),
        diagnostics: diagnostics.clone(),
    };
    if frequency.len() < params.min_repeaters() {
        return fallback(format!(
            "{} repeat customers with a positive repeat spend, fewer than the {} Gamma-Gamma is fitted on",
            frequency.len(),
            params.min_repeaters()
        ));
    }
    match diagnostics.spearman_frequency_spend {
        Some(rho) if rho.abs() <= params.max_abs_correlation() => {}
        rho => {
            return fallback(format!(
                "Spearman correlation of repeat purchases and mean repeat spend is {rho:?}, beyond ±{}: Gamma-Gamma assumes them independent",
                params.max_abs_correlation()
            ));
        }
    }
    let fitted = match params.gamma_gamma().fit(&frequency, &monetary) {
        Ok(f) => f,
        Err(e) => return fallback(format!("{:#}", anyhow::Error::from(e))),
    };
    let GammaGamma { q, .. } = fitted.params;
    if !(q > 1.0 && fitted.params.population_mean().is_finite()) {
        return fallback(format!(
            "fitted q = {q} <= 1: the spend prior has no finite mean"
        ));
    }
    SpendFit {
        model: SpendModel::GammaGamma(fitted.params),
        gamma_gamma: Some(fitted.report),
        fallback: None,
        diagnostics,
    }
}
