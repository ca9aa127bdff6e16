//! The live segment summary of `GET /v1/segments`: members, spend, churn and value per layer,
//! the movement from the layer `H` days before the model's as-of, lifecycle and tier counts,
//! all from the current answers (so accepted events move them at once).

use std::collections::BTreeMap;

use features::segments::{Lifecycle, Segments};

use super::table::ListView;

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

/// The summary of every member's list view over the segments the views index.
pub fn summarise(views: impl Iterator<Item = ListView>, segments: &Segments) -> SegmentSummary {
    let table = segments.groups();
    let groups = table.groups();
    let levels = segments.tiers().map(|t| t.levels()).unwrap_or_default();
    let mut s = SegmentSummary {
        groups: groups
            .iter()
            .map(|g| GroupFigures {
                id: g.id.clone(),
                label: g.label.clone(),
                ..GroupFigures::default()
            })
            .collect(),
        ..SegmentSummary::default()
    };
    // Counted by index, named once at the end: `movement[from + 1][to]` (0: none before).
    let mut movement = vec![vec![0u64; groups.len()]; groups.len() + 1];
    let mut stages = [0u64; Lifecycle::ALL.len()];
    let mut tiers = vec![0u64; levels.len()];
    let mut bands: BTreeMap<&'static str, u64> = BTreeMap::new();
    for v in views {
        let Some(seg) = v.segment else { continue };
        s.members += 1;
        let g = &mut s.groups[seg.group];
        g.members += 1;
        g.spend += v.numbers.total_spend;
        g.churn_probability += v.numbers.churn.map_or(0.0, |(p, _)| f64::from(p));
        g.predicted_value += seg.predicted_value.unwrap_or(0.0);
        g.value_at_risk += v.value_at_risk().unwrap_or(0.0);
        movement[seg.previous_group.map_or(0, |i| i + 1)][seg.group] += 1;
        let stage = Lifecycle::ALL.iter().position(|l| *l == seg.lifecycle);
        stages[stage.unwrap_or_default()] += 1;
        if let Some(t) = seg.tier {
            tiers[t] += 1;
        }
        if let Some(b) = seg.value_band {
            *bands.entry(b).or_default() += 1;
        }
    }
    for (from, row) in movement.iter().enumerate() {
        let name = if from == 0 {
            "none"
        } else {
            groups[from - 1].id.as_str()
        };
        for (to, &n) in row.iter().enumerate().filter(|(_, n)| **n > 0) {
            *s.movement
                .entry(name.to_string())
                .or_default()
                .entry(groups[to].id.clone())
                .or_default() += n;
        }
    }
    for (stage, &n) in Lifecycle::ALL.iter().zip(&stages).filter(|(_, n)| **n > 0) {
        s.lifecycle.insert(stage.as_str().to_string(), n);
    }
    for (level, &n) in levels.iter().zip(&tiers).filter(|(_, n)| **n > 0) {
        *s.tiers.entry(level.id.clone()).or_default() += n;
    }
    s.value_bands = bands.into_iter().map(|(b, n)| (b.to_string(), n)).collect();
    for g in &mut s.groups {
        g.churn_probability /= (g.members as f64).max(1.0);
    }
    s
}
