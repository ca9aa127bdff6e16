//! The live segment summary of `GET /v1/segments`: members, spend, churn and value per layer,
//! the movement from the layer `H` days before the model's as-of, lifecycle and tier counts,
//! all from the current answers (so accepted events move them at once).

use std::collections::BTreeMap;

use features::segments::ValidGroupTable;

use super::answer::MemberAnswer;
use super::listing::value_at_risk;

/// One layer's figures.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct GroupFigures {
    /// Group id.
    pub id: String,
    /// zh-TW label.
    pub label: String,
    /// Members now in the group.
    pub members: u64,
    /// Their net spend.
    pub spend: f64,
    /// Their mean churn probability.
    pub churn_probability: f64,
    /// Their summed predicted value.
    pub predicted_value: f64,
    /// Their summed value at risk (churn probability times predicted value).
    pub value_at_risk: f64,
}

/// `GET /v1/segments`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SegmentSummary {
    /// Members with a segment.
    pub members: u64,
    /// One entry per group, in table order.
    pub groups: Vec<GroupFigures>,
    /// Group `H` days before the model's as-of (`none` before a first purchase) to group now.
    pub movement: BTreeMap<String, BTreeMap<String, u64>>,
    /// Members per lifecycle stage.
    pub lifecycle: BTreeMap<String, u64>,
    /// Members per tier id.
    pub tiers: BTreeMap<String, u64>,
    /// Members per value band.
    pub value_bands: BTreeMap<String, u64>,
}

/// The summary of `answers` over the groups of `table`.
pub fn summarise(
    answers: impl Iterator<Item = MemberAnswer>,
    table: &ValidGroupTable,
) -> SegmentSummary {
    let mut s = SegmentSummary {
        groups: table
            .groups()
            .iter()
            .map(|g| GroupFigures {
                id: g.id.clone(),
                label: g.label.clone(),
                ..GroupFigures::default()
            })
            .collect(),
        ..SegmentSummary::default()
    };
    for a in answers {
        let Some(seg) = &a.segment else { continue };
        s.members += 1;
        if let Some(g) = table.index_of(&seg.group).map(|i| &mut s.groups[i]) {
            g.members += 1;
            g.spend += a.portrait.total_spend;
            g.churn_probability += a.churn.as_ref().map_or(0.0, |c| f64::from(c.probability));
            g.predicted_value += seg.value.map_or(0.0, |v| v.predicted_value);
            g.value_at_risk += value_at_risk(&a).unwrap_or(0.0);
        }
        let from = seg.previous_group.clone().unwrap_or_else(|| "none".into());
        *s.movement
            .entry(from)
            .or_default()
            .entry(seg.group.clone())
            .or_default() += 1;
        *s.lifecycle
            .entry(seg.lifecycle.as_str().to_string())
            .or_default() += 1;
        if let Some(t) = &seg.tier {
            *s.tiers.entry(t.id.clone()).or_default() += 1;
        }
        if let Some(b) = seg.value_band {
            *s.value_bands.entry(b.to_string()).or_default() += 1;
        }
    }
    for g in &mut s.groups {
        g.churn_probability /= (g.members as f64).max(1.0);
    }
    s
}
