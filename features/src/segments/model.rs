//! The store-level segment model training fits at `T` and writes to the model folder
//! (`segments.json`), and the per-member answer every reader computes from it and a member's
//! lines: layer now and at `T - H`, lifecycle, tier. Training writes `segments.csv` with
//! [`SegmentModel::answer`]; serving answers with the very same function (at load, and again
//! for a member when an event arrives), so the two agree.

use super::layers::{GroupTable, RfmScales, RfmScore, ValidGroupTable};
use super::lifecycle::{Lifecycle, LifecycleThresholds, LifecycleValidParams};
use super::population::{MemberFacts, Population};
use super::tiers::{TierProgram, TierStatus, ValidTierProgram};
use super::{ConfigError, layering};
use crate::churn::Rfm;
use crate::value::{MemberValue, Spend, ValueModel};
use crate::{Day, OrderBook, PurchaseHistory};

/// File name of [`SegmentModel`] in a model version folder.
pub const SEGMENTS_FILE: &str = "segments.json";

/// What a store's segments were fitted with, as `segments.json` stores it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SegmentModel {
    /// The as-of date `T`.
    pub as_of: Day,
    /// `H`: the previous layer is the one as of `T - H`.
    pub horizon_days: u32,
    /// The RFM scales at `T`.
    pub scales: RfmScales,
    /// The RFM scales at `T - H` (that day's own population).
    pub previous_scales: RfmScales,
    /// The group table (first match wins).
    pub groups: GroupTable,
    /// The lifecycle thresholds derived at `T`.
    pub lifecycle: LifecycleThresholds,
    /// The tier programme, when the brand configured one.
    pub tiers: Option<TierProgram>,
    /// The value model and the store's value bands, when BG/NBD could be fitted at `T`.
    pub value: Option<ValueSetting>,
}

/// The value model as the segments use it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ValueSetting {
    /// BG/NBD and the spend model.
    pub model: ValueModel,
    /// Days of the value horizon (`predicted_value`).
    pub value_horizon_days: u32,
    /// `[high, medium]`: a member's value band is `high` from the first predicted value
    /// (the store's 80th percentile at `T`), `medium` from the second (the median), else `low`.
    pub band_cuts: [f64; 2],
}

impl ValueSetting {
    /// `high`, `medium` or `low` for a predicted value.
    pub fn band(&self, predicted_value: f64) -> &'static str {
        if predicted_value >= self.band_cuts[0] {
            "high"
        } else if predicted_value >= self.band_cuts[1] {
            "medium"
        } else {
            "low"
        }
    }
}

/// A member's segments as of a day.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SegmentAnswer {
    /// The RFM scores in the scales of `T`.
    pub rfm: RfmScore,
    /// The group id (e.g. `champions`).
    pub group: String,
    /// The group as of `T - H`; `None` when the member had no purchase before then.
    pub previous_group: Option<String>,
    /// The lifecycle stage.
    pub lifecycle: Lifecycle,
    /// The tier, when a programme is configured.
    pub tier: Option<TierAnswer>,
    /// Expected spend and next order, when the model has a value part.
    pub value: Option<MemberValue>,
    /// `high`, `medium` or `low` (see [`ValueSetting::band`]).
    pub value_band: Option<&'static str>,
}

/// A member's tier with its level's names.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TierAnswer {
    /// The level id.
    pub id: String,
    /// The level label.
    pub label: String,
    /// The engine's status (since, expiry, spend to the next level and to renew).
    #[serde(flatten)]
    pub status: TierStatus,
    /// The probability of keeping the level at its review (see [`keep_probability`]); `None`
    /// without an expiry or a value model.
    pub keep_probability: Option<f64>,
}

/// A [`SegmentModel`] with its configuration checked, ready to answer.
#[derive(Debug, Clone)]
pub struct Segments {
    model: SegmentModel,
    groups: ValidGroupTable,
    tiers: Option<ValidTierProgram>,
}

impl SegmentModel {
    /// Fits the scales at `as_of` and `as_of - horizon_days` and the lifecycle thresholds on
    /// `book`, with the checked configuration; with a value model (and its value horizon in
    /// days), also the value bands from the population's predicted values.
    pub fn fit(
        book: &OrderBook,
        as_of: Day,
        horizon_days: u32,
        groups: &ValidGroupTable,
        lifecycle: &LifecycleValidParams,
        tiers: Option<&ValidTierProgram>,
        value: Option<(ValueModel, u32)>,
    ) -> SegmentModel {
        let layers = layering(book, as_of, horizon_days, groups);
        let population = Population::of_book(book, as_of);
        let value = value.map(|(model, value_horizon_days)| {
            let mut values: Vec<f64> = population
                .members
                .iter()
                .map(|p| {
                    let spend = Spend::of(&book.history(p.member), as_of);
                    let rfm = bgnbd_summary(&p.facts);
                    model
                        .member_value(rfm, &spend, as_of, horizon_days, value_horizon_days)
                        .predicted_value
                })
                .filter(|v| v.is_finite())
                .collect();
            values.sort_by(f64::total_cmp);
            let at = |q: f64| {
                let i = ((values.len() as f64 * q).ceil() as usize).saturating_sub(1);
                values.get(i).copied().unwrap_or(0.0)
            };
            ValueSetting {
                model,
                value_horizon_days,
                band_cuts: [at(0.8), at(0.5)],
            }
        });
        SegmentModel {
            as_of,
            horizon_days,
            scales: layers.scales,
            previous_scales: layers.previous_scales,
            groups: groups.to_table(),
            lifecycle: LifecycleThresholds::of_population(lifecycle, &population),
            tiers: tiers.map(|t| t.as_program().clone()),
            value,
        }
    }

    /// Checks the stored configuration.
    ///
    /// # Errors
    /// The [`ConfigError`] of the group table or the tier programme.
    pub fn check(self) -> Result<Segments, ConfigError> {
        let groups = self.groups.clone().check()?;
        let tiers = self.tiers.clone().map(TierProgram::check).transpose()?;
        Ok(Segments {
            model: self,
            groups,
            tiers,
        })
    }
}

impl Segments {
    /// The stored model.
    pub fn model(&self) -> &SegmentModel {
        &self.model
    }

    /// The checked group table.
    pub fn groups(&self) -> &ValidGroupTable {
        &self.groups
    }

    /// The checked tier programme.
    pub fn tiers(&self) -> Option<&ValidTierProgram> {
        self.tiers.as_ref()
    }

    /// The segments of `history` as of `as_of` (the model's `T`, or a later day after events);
    /// `None` without a purchase day before `as_of`. The previous group is always the one as
    /// of the model's `T - H`.
    pub fn answer(&self, history: &PurchaseHistory<'_>, as_of: Day) -> Option<SegmentAnswer> {
        let facts = MemberFacts::of(history, as_of)?;
        let rfm = self.model.scales.score(&facts);
        let previous_day = self.model.as_of.plus(-(self.model.horizon_days as i32));
        let previous_group = MemberFacts::of(history, previous_day).map(|f| {
            let score = self.model.previous_scales.score(&f);
            self.groups.rule_of(score).id.clone()
        });
        let (rfm_bgnbd, spend) = (bgnbd_summary(&facts), Spend::of(history, as_of));
        let tier = self.tiers.as_ref().map(|program| {
            let status = program.evaluate(history, as_of);
            let level = &program.levels()[status.level];
            let keep_probability = self
                .model
                .value
                .as_ref()
                .and_then(|v| keep_probability(&v.model, rfm_bgnbd, &spend, as_of, &status));
            TierAnswer {
                id: level.id.clone(),
                label: level.label.clone(),
                status,
                keep_probability,
            }
        });
        let value = self.model.value.as_ref().map(|v| {
            let (h, value_h) = (self.model.horizon_days, v.value_horizon_days);
            v.model.member_value(rfm_bgnbd, &spend, as_of, h, value_h)
        });
        let value_band = value
            .zip(self.model.value.as_ref())
            .map(|(m, v)| v.band(m.predicted_value));
        Some(SegmentAnswer {
            rfm,
            group: self.groups.rule_of(rfm).id.clone(),
            previous_group,
            lifecycle: self.model.lifecycle.classify(&facts),
            tier,
            value,
            value_band,
        })
    }
}

/// BG/NBD's summary of `facts`: repeat purchase days, first to last purchase day, first
/// purchase day to the as-of day.
fn bgnbd_summary(facts: &MemberFacts) -> Rfm {
    let age = f64::from(facts.tenure_days).max(1.0);
    let recency = f64::from(facts.last_day.0 - facts.first_day.0).clamp(0.0, age);
    Rfm::new(facts.purchase_days - 1, recency, age)
}

/// Most purchases [`keep_probability`] counts (beyond, the probability is 0 to rounding).
const MAX_NEEDED_PURCHASES: f64 = 10_000.0;

/// The probability of keeping a tier at its review: 1 when the spend already counted renews
/// it; otherwise the member must still be active (BG/NBD's `P(alive)`) and make at least
/// `k = ⌈spend_to_renew / expected spend per purchase⌉` purchases in the days left before the
/// review, an active member's purchases being taken as Poisson with BG/NBD's expected count
/// given activity over those days (an approximation: it ignores the spread of the member's
/// purchase rate). `None` without an expiry.
pub fn keep_probability(
    model: &ValueModel,
    rfm: Rfm,
    spend: &Spend,
    as_of: Day,
    status: &TierStatus,
) -> Option<f64> {
    let expiry = status.expiry?;
    let needed = status.spend_to_renew?;
    if needed <= 0.0 {
        return Some(1.0);
    }
    let days = f64::from((expiry.0 - as_of.0).max(0));
    let per_purchase = model.spend.spend_per_purchase(spend);
    let alive = model.bgnbd.p_alive(rfm.frequency, rfm.recency, rfm.age);
    if days <= 0.0 || per_purchase.is_nan() || per_purchase <= 0.0 || alive.is_nan() || alive <= 0.0
    {
        return Some(0.0);
    }
    let k = (needed / per_purchase).ceil().min(MAX_NEEDED_PURCHASES) as u32;
    let expected = model
        .bgnbd
        .expected_purchases(days, rfm.frequency, rfm.recency, rfm.age);
    let lambda = expected / alive;
    let (mut term, mut below) = ((-lambda).exp(), 0.0);
    for i in 0..k {
        below += term;
        term *= lambda / f64::from(i + 1);
    }
    Some((alive * (1.0 - below).clamp(0.0, 1.0)).clamp(0.0, 1.0))
}
