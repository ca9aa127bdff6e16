//! The promotion gate: before `models/current` moves to a new version, the new version's
//! backtest is compared with the serving version's, and a version worse beyond the tolerance is
//! written but not promoted.
//!
//! What is compared: both versions' churn AUC, average precision and Brier score and each
//! ranker's Recall@10 and NDCG@10 ([`gated_metrics`]) on one validation cutoff `V`, with labels
//! from `[V, V + H)`:
//! - when both cards hold a backtest at the same as-of date and horizon, those backtests;
//! - otherwise (the usual retrain: new data, a later as-of), `V` is the latest cutoff whose
//!   label window the data covers and that neither version learnt from
//!   ([`super::rescore::validation_cutoff`]): the serving version's models, as built, are
//!   scored there from its folder ([`super::rescore::serving_metrics`]), and this run's
//!   configuration is fitted again on the data before `V` and scored there too
//!   ([`super::rescore::refit_metrics`]), unless this version's own backtest is at `V`.
//!
//! When no such cutoff exists (the serving version learnt from labels after the latest complete
//! window, or another horizon) or the serving folder cannot be scored, nothing is compared: the
//! new version is promoted under `if-better`, and the run's `promotion` says why.

use features::Day;
use features::contract::Card;

use crate::ParamsError;

/// The default `[promotion] tolerance`.
pub const DEFAULT_TOLERANCE: f64 = 0.01;

/// When a run may move `models/current` to the version it wrote (`--promote`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum PromoteMode {
    /// Always promote.
    Always,
    /// Promote unless a gated metric fell by more than the tolerance against the serving
    /// version on the same backtest (the default).
    #[default]
    IfBetter,
    /// Write the version, never promote it.
    Never,
}

impl std::fmt::Display for PromoteMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PromoteMode::Always => "always",
            PromoteMode::IfBetter => "if-better",
            PromoteMode::Never => "never",
        })
    }
}

/// A checked promotion policy.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PromotionPolicy {
    /// When to promote.
    pub mode: PromoteMode,
    /// How far (absolute, in the metric's units) a gated metric may fall before `if-better`
    /// holds the version back; in `[0, 1]`.
    pub tolerance: f64,
}

impl Default for PromotionPolicy {
    fn default() -> Self {
        PromotionPolicy {
            mode: PromoteMode::IfBetter,
            tolerance: DEFAULT_TOLERANCE,
        }
    }
}

impl PromotionPolicy {
    /// A policy, checked: `tolerance` must be finite and in `[0, 1]` (`[promotion] tolerance`).
    pub fn new(mode: PromoteMode, tolerance: f64) -> Result<PromotionPolicy, ParamsError> {
        if !(tolerance.is_finite() && (0.0..=1.0).contains(&tolerance)) {
            return Err(ParamsError::OutOfRange {
                table: "promotion",
                key: "tolerance",
                reason: format!("must be finite and in [0, 1], got {tolerance}"),
            });
        }
        Ok(PromotionPolicy { mode, tolerance })
    }
}

/// One gated metric of both versions.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MetricChange {
    /// `churn.auc`, `next_item.recall_at_10`, ...
    pub metric: String,
    /// The serving version's value.
    pub serving: f64,
    /// The new version's value.
    pub new: f64,
    /// `new - serving`.
    pub change: f64,
    /// Whether higher values are better.
    pub higher_is_better: bool,
    /// Whether the metric got worse by more than the tolerance.
    pub fell: bool,
}

/// What the gate decided, written to `run.json` as `promotion`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Promotion {
    /// The policy's mode.
    pub mode: PromoteMode,
    /// The policy's tolerance.
    pub tolerance: f64,
    /// Whether `models/current` now points at the new version.
    pub promoted: bool,
    /// The version `models/current` pointed at before the run (`None`: there was none).
    pub serving_version: Option<String>,
    /// Whether the two versions' backtests were compared.
    pub compared: bool,
    /// The validation cutoff both versions were scored on (when compared).
    pub cutoff: Option<Day>,
    /// How each version's metrics at `cutoff` were obtained (when compared).
    pub basis: Option<String>,
    /// Every gated metric both versions hold (empty when not compared).
    pub metrics: Vec<MetricChange>,
    /// The metrics that fell by more than the tolerance.
    pub fell: Vec<MetricChange>,
    /// The decision in one sentence.
    pub reason: String,
}

/// A gated metric of a card: name, value, whether higher is better.
pub type GatedMetric = (String, f64, bool);

/// The metrics the gate compares, from a card's backtest at as-of: `churn.auc`,
/// `churn.average_precision`, `churn.brier` and, per ranker task, `<task>.recall_at_10` and
/// `<task>.ndcg_at_10`. Empty without a backtest.
pub fn gated_metrics(card: &Card) -> Vec<GatedMetric> {
    let mut out = Vec::new();
    if let Some(e) = &card.churn.evaluation {
        out.extend(churn_metrics(
            e.churn.auc,
            e.churn.average_precision,
            e.churn.brier,
        ));
    }
    if let Some(r) = &card.recommendations.metrics {
        for (task, m) in &r.models {
            out.extend(ranker_metrics(task, m.recall_at_10, m.ndcg_at_10));
        }
    }
    out
}

/// The gated churn metrics: `churn.auc`, `churn.average_precision`, `churn.brier`.
pub fn churn_metrics(auc: f64, average_precision: f64, brier: f64) -> [GatedMetric; 3] {
    [
        ("churn.auc".to_string(), auc, true),
        (
            "churn.average_precision".to_string(),
            average_precision,
            true,
        ),
        ("churn.brier".to_string(), brier, false),
    ]
}

/// The gated metrics of one ranker task: `<task>.recall_at_10`, `<task>.ndcg_at_10`.
pub fn ranker_metrics(task: &str, recall_at_10: f64, ndcg_at_10: f64) -> [GatedMetric; 2] {
    [
        (format!("{task}.recall_at_10"), recall_at_10, true),
        (format!("{task}.ndcg_at_10"), ndcg_at_10, true),
    ]
}

/// The gated metrics both lists hold, compared with `tolerance`.
pub fn compare_metrics(
    serving: &[GatedMetric],
    new: &[GatedMetric],
    tolerance: f64,
) -> Vec<MetricChange> {
    new.iter()
        .filter_map(|(metric, new, higher_is_better)| {
            let &(_, serving, _) = serving.iter().find(|o| &o.0 == metric)?;
            let change = new - serving;
            let worse = if *higher_is_better { -change } else { change };
            Some(MetricChange {
                metric: metric.clone(),
                serving,
                new: *new,
                change,
                higher_is_better: *higher_is_better,
                fell: worse > tolerance,
            })
        })
        .collect()
}

/// The gated metrics both cards hold, compared with `tolerance`; `Err` says why the cards
/// cannot be compared (another as-of date or horizon, no common backtest).
pub fn compare(serving: &Card, new: &Card, tolerance: f64) -> Result<Vec<MetricChange>, String> {
    if !same_backtest_date(serving, new) {
        return Err(format!(
            "the serving version's backtest is at {} (horizon {} days), this version's at {} (horizon {} days)",
            serving.as_of, serving.horizon_days, new.as_of, new.horizon_days
        ));
    }
    let changes = compare_metrics(&gated_metrics(serving), &gated_metrics(new), tolerance);
    if changes.is_empty() {
        return Err(format!(
            "no backtest at {} in both cards (a run evaluates only when its data reaches past as-of)",
            new.as_of
        ));
    }
    Ok(changes)
}

/// Whether the cards' backtests (if any) are at the same as-of date and horizon.
pub fn same_backtest_date(serving: &Card, new: &Card) -> bool {
    (serving.as_of, serving.horizon_days) == (new.as_of, new.horizon_days)
}

/// Both versions scored on one validation cutoff other than the cards' own as-of dates.
#[derive(Debug, Clone, PartialEq)]
pub struct Rescored {
    /// The validation cutoff `V`.
    pub cutoff: Day,
    /// The serving version's metrics at `V`.
    pub serving: Vec<GatedMetric>,
    /// The new version's metrics at `V`.
    pub new: Vec<GatedMetric>,
    /// How both were obtained, in one sentence.
    pub basis: String,
}

/// The serving version before the run: its name and its card, or why the card could not be
/// read.
pub type ServingVersion = (String, Result<Card, String>);

/// Decides whether the new version (`new`) replaces `serving` in `models/current`. Cards with a
/// backtest at the same as-of date are compared directly; otherwise `rescored` holds both
/// versions scored at a common validation cutoff, or why they could not be (`None`: not tried).
pub fn decide(
    policy: &PromotionPolicy,
    new: &Card,
    serving: Option<&ServingVersion>,
    rescored: Option<&Result<Rescored, String>>,
) -> Promotion {
    let compared: Result<(Vec<MetricChange>, Day, String), String> = match serving {
        None => Err("no serving version".to_string()),
        Some((_, Err(e))) => Err(format!("the serving version's card cannot be read ({e})")),
        Some((_, Ok(card))) => match rescored {
            Some(r) if !same_backtest_date(card, new) => rescored_changes(r, policy.tolerance),
            _ => compare(card, new, policy.tolerance).map(|m| {
                let basis = format!("both cards' backtests at {}", new.as_of);
                (m, new.as_of, basis)
            }),
        },
    };
    let (metrics, cutoff, basis, why_not) = match compared {
        Ok((m, cutoff, basis)) => (m, Some(cutoff), Some(basis), None),
        Err(why) => (Vec::new(), None, None, Some(why)),
    };
    let fell: Vec<MetricChange> = metrics.iter().filter(|m| m.fell).cloned().collect();
    let (promoted, reason) = match policy.mode {
        PromoteMode::Always if fell.is_empty() => (true, "--promote always".to_string()),
        PromoteMode::Always => (
            true,
            format!("--promote always, although {}", describe_falls(&fell)),
        ),
        PromoteMode::Never => (false, "--promote never".to_string()),
        PromoteMode::IfBetter => match &why_not {
            Some(why) => (true, format!("not compared: {why}")),
            None if fell.is_empty() => (
                true,
                format!(
                    "no gated metric fell by more than {} against the serving version",
                    policy.tolerance
                ),
            ),
            None => (
                false,
                format!(
                    "{} against the serving version, beyond the tolerance {}",
                    describe_falls(&fell),
                    policy.tolerance
                ),
            ),
        },
    };
    Promotion {
        mode: policy.mode,
        tolerance: policy.tolerance,
        promoted,
        serving_version: serving.map(|(v, _)| v.clone()),
        compared: why_not.is_none(),
        cutoff,
        basis,
        metrics,
        fell,
        reason,
    }
}

/// The changes between the two versions' metrics at the common cutoff.
fn rescored_changes(
    rescored: &Result<Rescored, String>,
    tolerance: f64,
) -> Result<(Vec<MetricChange>, Day, String), String> {
    let r = rescored.as_ref().map_err(Clone::clone)?;
    let m = compare_metrics(&r.serving, &r.new, tolerance);
    if m.is_empty() {
        return Err(format!("no gated metric in common at {}", r.cutoff));
    }
    Ok((m, r.cutoff, r.basis.clone()))
}

/// `churn.auc fell by 0.0512 (0.7480 -> 0.6968), ...`.
pub fn describe_falls(fell: &[MetricChange]) -> String {
    fell.iter()
        .map(|m| {
            format!(
                "{} {} by {:.4} ({:.4} -> {:.4})",
                m.metric,
                if m.higher_is_better { "fell" } else { "rose" },
                m.change.abs(),
                m.serving,
                m.new
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}
