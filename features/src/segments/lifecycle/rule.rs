//! Lifecycle stages and the thresholds that decide them.

use super::params::LifecycleValidParams;
use crate::segments::{MemberFacts, Population};

/// Where a member stands in the buying cycle as of a day.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    /// One purchase day, at most `new_days` ago.
    New,
    /// Bought again within their usual gap.
    Active,
    /// Past their usual gap (their own, or the store's), not yet lapsing.
    Due,
    /// Silent longer than most of the store's repurchase gaps.
    Lapsing,
    /// Silent longer than nearly all of the store's repurchase gaps.
    Lost,
}

impl Lifecycle {
    /// Every stage, in cycle order.
    pub const ALL: [Lifecycle; 5] = [
        Lifecycle::New,
        Lifecycle::Active,
        Lifecycle::Due,
        Lifecycle::Lapsing,
        Lifecycle::Lost,
    ];

    /// The English id: `new`, `active`, `due`, `lapsing`, `lost`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::New => "new",
            Lifecycle::Active => "active",
            Lifecycle::Due => "due",
            Lifecycle::Lapsing => "lapsing",
            Lifecycle::Lost => "lost",
        }
    }

    /// The zh-TW label: 新客, 活躍, 該回購, 流失中, 已流失.
    pub fn label(self) -> &'static str {
        match self {
            Lifecycle::New => "新客",
            Lifecycle::Active => "活躍",
            Lifecycle::Due => "該回購",
            Lifecycle::Lapsing => "流失中",
            Lifecycle::Lost => "已流失",
        }
    }
}

/// Derived values when the store has fewer gaps than `min_store_gaps`: due, lapsing and lost
/// after 30, 60 and 90 days (the defaults Ordinary publishes for its lifecycle stages).
pub const FALLBACK_DAYS: [u32; 3] = [30, 60, 90];

/// A store's lifecycle thresholds in days, as of one day.
///
/// The rule, for a member with a purchase day before `T`, `r` days since the last purchase day
/// (`r >= 1`) and `n` purchase days; the first line that holds wins:
/// 1. `lost` when `r > lost_days`;
/// 2. `lapsing` when `r > lapsing_days`;
/// 3. `new` when `n == 1` and `r <= new_days`;
/// 4. `due` when `r > due_after`, where `due_after` is the member's own median gap (floored at
///    `due_floor_days`) if they have at least `min_own_gaps` gaps, else the store's `due_days`;
/// 5. `active` otherwise.
///
/// Derived thresholds (when not overridden) come from the store's pooled gaps, every gap between
/// consecutive purchase days of every member before `T`, as nearest-rank quantiles (`q(p)` =
/// the `ceil(p * n)`-th smallest gap): `due_days = max(q(0.5), due_floor_days)`, `lapsing_days =
/// max(q(lapsing_quantile), lapsing_floor_days, due_days + 1)`, `lost_days =
/// max(q(lost_quantile), lost_floor_days, lapsing_days + 1)` and `new_days = due_days`. So a
/// one-time buyer is `new` until a typical repurchase would have happened, then `due`; a
/// silence longer than 80% of observed repurchase gaps is `lapsing`, longer than 95% is `lost`.
/// With fewer than `min_store_gaps` gaps the derived values are [`FALLBACK_DAYS`]. Gaps are
/// only those closed before `T`, so long gaps are under-represented in a short history; the
/// floors guard against thresholds that are too short. An override is used as written, even if
/// that leaves a stage empty (for example `lapsing_days` below a derived `due_days`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LifecycleThresholds {
    /// A one-purchase-day member is `new` while `r <= new_days`.
    pub new_days: u32,
    /// The store's usual gap, for members without enough gaps of their own.
    pub due_days: u32,
    /// `lapsing` when `r > lapsing_days`.
    pub lapsing_days: u32,
    /// `lost` when `r > lost_days`.
    pub lost_days: u32,
    /// Smallest own gap used as a member's `due_after`.
    pub due_floor_days: u32,
    /// Gaps a member needs for their own median gap to count.
    pub min_own_gaps: u32,
    /// Number of store gaps the thresholds were derived from.
    pub store_gaps: u64,
    /// True when the store had too few gaps and [`FALLBACK_DAYS`] were used.
    pub fallback: bool,
}

impl LifecycleThresholds {
    /// Thresholds from `params` and the store's pooled gaps `sorted_gaps` (ascending, as in
    /// [`Population::gaps`]).
    pub fn derive(params: &LifecycleValidParams, sorted_gaps: &[u32]) -> LifecycleThresholds {
        let p = params.as_params();
        let fallback = sorted_gaps.is_empty() || sorted_gaps.len() < p.min_store_gaps as usize;
        let q = |quantile: f64, floor: u32, index: usize| {
            if fallback {
                FALLBACK_DAYS[index]
            } else {
                nearest_rank(sorted_gaps, quantile).max(floor)
            }
        };
        let due_days = p.due_days.unwrap_or_else(|| q(0.5, p.due_floor_days, 0));
        let lapsing_days = p
            .lapsing_days
            .unwrap_or_else(|| q(p.lapsing_quantile, p.lapsing_floor_days, 1).max(due_days + 1));
        let lost_days = p
            .lost_days
            .unwrap_or_else(|| q(p.lost_quantile, p.lost_floor_days, 2).max(lapsing_days + 1));
        LifecycleThresholds {
            new_days: p.new_days.unwrap_or(due_days),
            due_days,
            lapsing_days,
            lost_days,
            due_floor_days: p.due_floor_days,
            min_own_gaps: p.min_own_gaps,
            store_gaps: sorted_gaps.len() as u64,
            fallback,
        }
    }

    /// Thresholds from `params` and the gaps of `population`.
    pub fn of_population(params: &LifecycleValidParams, population: &Population) -> Self {
        LifecycleThresholds::derive(params, &population.gaps)
    }

    /// Days since the last purchase after which the member with `facts` is `due`.
    pub fn due_after(&self, facts: &MemberFacts) -> f64 {
        match facts.median_gap {
            Some(gap) if facts.gap_count >= self.min_own_gaps => {
                gap.max(f64::from(self.due_floor_days))
            }
            _ => f64::from(self.due_days),
        }
    }

    /// The stage of the member with `facts` (see the rule on [`LifecycleThresholds`]).
    pub fn classify(&self, facts: &MemberFacts) -> Lifecycle {
        let r = facts.recency_days;
        if r > self.lost_days {
            Lifecycle::Lost
        } else if r > self.lapsing_days {
            Lifecycle::Lapsing
        } else if facts.purchase_days == 1 && r <= self.new_days {
            Lifecycle::New
        } else if f64::from(r) > self.due_after(facts) {
            Lifecycle::Due
        } else {
            Lifecycle::Active
        }
    }
}

/// Every member of `population` with their stage, in the population's order.
pub fn lifecycles(
    population: &Population,
    thresholds: &LifecycleThresholds,
) -> Vec<(u32, Lifecycle)> {
    population
        .members
        .iter()
        .map(|p| (p.member, thresholds.classify(&p.facts)))
        .collect()
}

/// The nearest-rank quantile of ascending `sorted` (non-empty): the `ceil(p * n)`-th smallest.
pub(crate) fn nearest_rank(sorted: &[u32], p: f64) -> u32 {
    let n = sorted.len();
    let rank = ((p * n as f64 - 1e-9).ceil() as usize).clamp(1, n);
    sorted[rank - 1]
}
