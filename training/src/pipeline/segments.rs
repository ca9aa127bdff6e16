//! The members' segments at as-of (issue 14): layer now and `H` days earlier, lifecycle, tier
//! and value, from [`features::segments::Segments::answer`] (the function serving answers
//! with). Written as `segments.csv` / `.parquet`, one row per scored member, with a summary for
//! `run.json`, and as `segments.json` in the model folder.

use std::collections::BTreeMap;

use features::segments::{
    MemberFacts, SegmentAnswer, SegmentModel, Segments, tiers::TierAgreement,
};
use features::{Day, OrderBook};

use super::design::Design;
use super::score::MemberScore;
use crate::config::SegmentSettings;
use crate::value::{ValueParams, fit_value, spends_at};
use crate::{Error, Result};

/// One line of `segments.csv`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SegmentRow {
    /// Member id as in the input.
    pub member_id: String,
    /// The RFM group at as-of (empty for a member with returns only).
    pub rfm_group: String,
    /// The RFM group `H` days before as-of (empty when the member had not bought yet).
    pub previous_rfm_group: String,
    /// `new`, `active`, `due`, `lapsing` or `lost`.
    pub lifecycle: String,
    /// R, F and M scores, 0 to 3, as `RFM` digits (e.g. `323`).
    pub rfm_score: String,
    /// The computed tier id (empty without a tier programme).
    pub tier: String,
    /// Net spend still needed for the next tier (empty at the top or without a programme).
    pub spend_to_next_tier: Option<f64>,
    /// The day the tier expires (empty when it does not).
    pub tier_expiry: Option<Day>,
    /// Expected spend in `[T, T + H)`.
    pub predicted_spend_h: Option<f64>,
    /// Expected spend over the value horizon (365 days by default).
    pub predicted_value: Option<f64>,
    /// Expected day of the next order.
    pub expected_next_order: Option<Day>,
    /// The churn model's probability.
    pub churn_probability: f32,
    /// `high`, `medium` or `low`.
    pub value_band: String,
    /// The probability of keeping the tier at its expiry (empty when it does not expire).
    pub tier_keep_probability: Option<f64>,
}

/// Members, spend, churn and value of one group.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct GroupSummary {
    /// Group id.
    pub id: String,
    /// zh-TW label.
    pub label: String,
    /// Members in the group at as-of.
    pub members: u64,
    /// Their net spend before as-of.
    pub spend: f64,
    /// Their mean churn probability.
    pub churn_probability: f64,
    /// Their summed predicted value.
    pub predicted_value: f64,
}

/// The summary `run.json` carries under `segments`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SegmentSummary {
    /// Members with a row in `segments.csv`.
    pub members: u64,
    /// Of those, members without a purchase day before as-of (returns only): no segment.
    pub without_purchase: u64,
    /// One entry per group, in table order.
    pub groups: Vec<GroupSummary>,
    /// `(group H days earlier or "none", group now) -> members`.
    pub movement: BTreeMap<String, BTreeMap<String, u64>>,
    /// Members per lifecycle stage.
    pub lifecycle: BTreeMap<String, u64>,
    /// Members per computed tier.
    pub tiers: BTreeMap<String, u64>,
    /// The members table's tiers beside the computed ones, when both exist.
    pub tier_agreement: Option<TierAgreement>,
    /// Where the value model fell back, when it did.
    pub value: Option<serde_json::Value>,
}

/// The segment model of a run, fitted once on the run's fit book (the whole book, or its
/// member-hash sample in a large store): for `segments.json` and for every member's answer.
#[derive(Debug)]
pub struct SegmentFit {
    /// For `segments.json`.
    pub model: SegmentModel,
    /// The checked model.
    pub segments: Segments,
    /// Where the value model fell back, when it did (for the summary).
    pub value_fallback: Option<serde_json::Value>,
}

/// Fits the segment model at as-of: the layers' cut points and lifecycle on `book`, the value
/// model on the BG/NBD fit of `at_t` and the members' spends.
///
/// # Errors
/// [`Error::InvalidModel`] when the stored configuration does not check again.
pub fn fit_segments(
    book: &OrderBook,
    at_t: &Design,
    horizon_days: u32,
    settings: &SegmentSettings,
) -> Result<SegmentFit> {
    let invalid = |e: features::segments::ConfigError| Error::InvalidModel {
        reason: format!("segments: {e}"),
    };
    let as_of = at_t.snapshot.as_of;
    let (groups, lifecycle) = (&settings.groups, &settings.lifecycle);
    let params = ValueParams::default().check()?;
    let fitted = at_t.bgnbd.as_ref().map(|bgnbd| {
        let spends = spends_at(book, &at_t.snapshot);
        fit_value(&spends, bgnbd.params(), &params)
    });
    let value = fitted.as_ref().map(|f| (f.model, f.value_horizon_days));
    let model = SegmentModel::fit(
        book,
        as_of,
        horizon_days,
        groups,
        lifecycle,
        settings.tiers.as_ref(),
        value,
    );
    let segments: Segments = model.clone().check().map_err(invalid)?;
    let value_fallback = fitted
        .as_ref()
        .and_then(|f| f.spend.fallback.as_ref())
        .map(|f| serde_json::json!({"spend_fallback": f.rule, "reason": f.reason}));
    Ok(SegmentFit {
        model,
        segments,
        value_fallback,
    })
}

/// The segment answers and `segments.csv` rows of `members` (ids of `book`, with their
/// `scores` in the same order).
pub fn segment_rows(
    book: &OrderBook,
    members: &[u32],
    as_of: Day,
    segments: &Segments,
    scores: &[MemberScore],
) -> (Vec<Option<SegmentAnswer>>, Vec<SegmentRow>) {
    let answers: Vec<Option<SegmentAnswer>> = members
        .iter()
        .map(|&m| segments.answer(&book.history(m), as_of))
        .collect();
    let rows = members
        .iter()
        .zip(&answers)
        .zip(scores)
        .map(|((&m, a), s)| row(book.members().name(m), a.as_ref(), s.churn_probability))
        .collect();
    (answers, rows)
}

fn row(member_id: &str, a: Option<&SegmentAnswer>, churn_probability: f32) -> SegmentRow {
    let tier = a.and_then(|a| a.tier.as_ref());
    let value = a.and_then(|a| a.value);
    SegmentRow {
        member_id: member_id.to_string(),
        rfm_group: a.map(|a| a.group.clone()).unwrap_or_default(),
        previous_rfm_group: a.and_then(|a| a.previous_group.clone()).unwrap_or_default(),
        lifecycle: a
            .map(|a| a.lifecycle.as_str().to_string())
            .unwrap_or_default(),
        rfm_score: a
            .map(|a| format!("{}{}{}", a.rfm.r, a.rfm.f, a.rfm.m))
            .unwrap_or_default(),
        tier: tier.map(|t| t.id.clone()).unwrap_or_default(),
        spend_to_next_tier: tier.and_then(|t| t.status.spend_to_next),
        tier_expiry: tier.and_then(|t| t.status.expiry),
        predicted_spend_h: value.map(|v| v.predicted_spend_h),
        predicted_value: value.map(|v| v.predicted_value),
        expected_next_order: value.and_then(|v| v.expected_next_order),
        churn_probability,
        value_band: a.and_then(|a| a.value_band).unwrap_or_default().to_string(),
        tier_keep_probability: tier.and_then(|t| t.keep_probability),
    }
}

/// The segment summary of a run, counted a range of members at a time.
#[derive(Debug)]
pub struct SegmentTally {
    summary: SegmentSummary,
    agreement: TierAgreement,
}

impl SegmentTally {
    /// An empty count of `segments`' groups.
    pub fn new(segments: &Segments) -> Self {
        let groups = segments
            .groups()
            .groups()
            .iter()
            .map(|g| GroupSummary {
                id: g.id.clone(),
                label: g.label.clone(),
                ..GroupSummary::default()
            })
            .collect();
        SegmentTally {
            summary: SegmentSummary {
                members: 0,
                without_purchase: 0,
                groups,
                movement: BTreeMap::new(),
                lifecycle: BTreeMap::new(),
                tiers: BTreeMap::new(),
                tier_agreement: None,
                value: None,
            },
            agreement: TierAgreement::default(),
        }
    }

    /// Counts the rows of `members` (as [`segment_rows`] gives them).
    pub fn add(
        &mut self,
        segments: &Segments,
        (answers, rows): (&[Option<SegmentAnswer>], &[SegmentRow]),
        book: &OrderBook,
        members: &[u32],
        as_of: Day,
    ) {
        let s = &mut self.summary;
        s.members += rows.len() as u64;
        for ((row, a), &m) in rows.iter().zip(answers).zip(members) {
            let Some(a) = a else {
                s.without_purchase += 1;
                continue;
            };
            let at = segments.groups().index_of(&a.group).unwrap_or(0);
            let g = &mut s.groups[at];
            g.members += 1;
            g.spend += MemberFacts::of(&book.history(m), as_of).map_or(0.0, |f| f.net_spend);
            g.churn_probability += f64::from(row.churn_probability);
            g.predicted_value += row.predicted_value.unwrap_or(0.0);
            let from = a.previous_group.clone().unwrap_or_else(|| "none".into());
            *s.movement
                .entry(from)
                .or_default()
                .entry(a.group.clone())
                .or_default() += 1;
            *s.lifecycle.entry(row.lifecycle.clone()).or_default() += 1;
            if !row.tier.is_empty() {
                *s.tiers.entry(row.tier.clone()).or_default() += 1;
            }
        }
    }

    /// Compares the members-table tier of every member with an id in `ids` (scored or not)
    /// with the computed one, when the run has a tier programme.
    pub fn add_tiers(
        &mut self,
        segments: &Segments,
        book: &OrderBook,
        ids: std::ops::Range<u32>,
        as_of: Day,
    ) {
        let Some(program) = segments.tiers() else {
            return;
        };
        for m in ids {
            let status = program.evaluate(&book.history(m), as_of);
            let table = book.attributes(m).and_then(|x| x.tier.as_deref());
            self.agreement.count(program, table, &status);
        }
    }

    /// The summary, with the value model's fallback.
    pub fn finish(self, value: Option<serde_json::Value>) -> SegmentSummary {
        let mut s = self.summary;
        for g in &mut s.groups {
            g.churn_probability /= (g.members as f64).max(1.0);
        }
        let agreement = self.agreement.sorted();
        s.tier_agreement = (agreement.compared > 0).then_some(agreement);
        s.value = value;
        s
    }
}
