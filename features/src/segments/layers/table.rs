//! The group table: score ranges to named groups, first match wins.

use super::scores::{RfmScore, SCORE_MAX};
use crate::segments::ConfigError;

/// An inclusive range of scores `[min, max]`, written as a two-element array (`r = [2, 3]`);
/// a field left out of a group is the full range `[0, 3]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ScoreRange(pub u8, pub u8);

impl Default for ScoreRange {
    fn default() -> Self {
        ScoreRange(0, SCORE_MAX)
    }
}

impl ScoreRange {
    /// True when `score` is within the range (bounds included).
    pub fn contains(&self, score: u8) -> bool {
        (self.0..=self.1).contains(&score)
    }
}

/// One row of the group table.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupRule {
    /// English id, lowercase ASCII letters, digits and `_` (`champions`).
    pub id: String,
    /// Display label (`冠軍會員`).
    pub label: String,
    /// Recency scores of the group (default all).
    #[serde(default)]
    pub r: ScoreRange,
    /// Frequency scores of the group (default all).
    #[serde(default)]
    pub f: ScoreRange,
    /// Monetary scores of the group (default all).
    #[serde(default)]
    pub m: ScoreRange,
}

impl GroupRule {
    /// True when `score` is in all three ranges.
    pub fn matches(&self, score: RfmScore) -> bool {
        self.r.contains(score.r) && self.f.contains(score.f) && self.m.contains(score.m)
    }
}

/// The group table as configured: groups in priority order, the first whose ranges all hold
/// wins. Deserialises from TOML as `[[groups]]` rows with `id`, `label`, `r`, `f`, `m`; unknown
/// keys are an error. [`GroupTable::default`] is the table below; [`GroupTable::check`] turns
/// any table into a [`ValidGroupTable`].
///
/// Default table (scores as in [`RfmScales`](super::RfmScales): F 0 = one purchase day, F 1 =
/// two, F 2–3 = repeaters; R 3 = the most recent quarter of members), after Braze's published
/// table with its *Needing Attention* moved to slipping regulars and a final *lost*:
///
/// | id | label | R | F | M | who |
/// |---|---|---|---|---|---|
/// | `champions` | 冠軍會員 | 3 | 2–3 | 2–3 | recent repeaters with high spend |
/// | `loyal` | 忠誠會員 | 2–3 | 2–3 | 1–3 | fairly recent repeaters |
/// | `potential_loyalists` | 潛力忠誠會員 | 2–3 | 1–3 | 0–3 | recent second buyers, low-spend repeaters |
/// | `new_customers` | 新會員 | 3 | 0 | 0–3 | one purchase day, very recent |
/// | `promising` | 潛力新客 | 2 | 0 | 0–3 | one purchase day, fairly recent |
/// | `need_attention` | 需要關注 | 1 | 2–3 | 2–3 | valuable repeaters slipping |
/// | `cannot_lose` | 不能失去 | 0 | 2–3 | 2–3 | valuable repeaters gone quiet |
/// | `at_risk` | 流失風險 | 0–1 | 1–3 | 0–3 | other repeaters slipping or quiet |
/// | `about_to_sleep` | 即將沉睡 | 1 | 0 | 0–3 | one purchase day, slipping |
/// | `hibernating` | 沉睡會員 | 0 | 0 | 1–3 | one purchase day long ago, some spend |
/// | `lost` | 已流失會員 | 0–3 | 0–3 | 0–3 | catch-all (in effect R 0, F 0, M 0) |
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupTable {
    /// Groups in priority order.
    pub groups: Vec<GroupRule>,
}

impl Default for GroupTable {
    fn default() -> Self {
        let g = |id: &str, label: &str, r: (u8, u8), f: (u8, u8), m: (u8, u8)| GroupRule {
            id: id.into(),
            label: label.into(),
            r: ScoreRange(r.0, r.1),
            f: ScoreRange(f.0, f.1),
            m: ScoreRange(m.0, m.1),
        };
        GroupTable {
            groups: vec![
                g("champions", "冠軍會員", (3, 3), (2, 3), (2, 3)),
                g("loyal", "忠誠會員", (2, 3), (2, 3), (1, 3)),
                g(
                    "potential_loyalists",
                    "潛力忠誠會員",
                    (2, 3),
                    (1, 3),
                    (0, 3),
                ),
                g("new_customers", "新會員", (3, 3), (0, 0), (0, 3)),
                g("promising", "潛力新客", (2, 2), (0, 0), (0, 3)),
                g("need_attention", "需要關注", (1, 1), (2, 3), (2, 3)),
                g("cannot_lose", "不能失去", (0, 0), (2, 3), (2, 3)),
                g("at_risk", "流失風險", (0, 1), (1, 3), (0, 3)),
                g("about_to_sleep", "即將沉睡", (1, 1), (0, 0), (0, 3)),
                g("hibernating", "沉睡會員", (0, 0), (0, 0), (1, 3)),
                g("lost", "已流失會員", (0, 3), (0, 3), (0, 3)),
            ],
        }
    }
}

impl GroupTable {
    /// Checks the table and precomputes the group of every score triple.
    ///
    /// # Errors
    /// [`ConfigError::NoGroups`]; [`ConfigError::EmptyGroupField`], [`ConfigError::BadGroupId`]
    /// or [`ConfigError::DuplicateGroup`] for ids and labels; [`ConfigError::ScoreOutOfRange`]
    /// or [`ConfigError::EmptyScoreRange`] for a range; [`ConfigError::Uncovered`] when some
    /// score triple matches no group; [`ConfigError::Unreachable`] when earlier groups take
    /// every triple of a group.
    pub fn check(self) -> Result<ValidGroupTable, ConfigError> {
        if self.groups.is_empty() {
            return Err(ConfigError::NoGroups);
        }
        for (i, g) in self.groups.iter().enumerate() {
            check_rule(g, i)?;
            if self.groups[..i].iter().any(|h| h.id == g.id) {
                return Err(ConfigError::DuplicateGroup {
                    group: g.id.clone(),
                });
            }
        }
        let mut lookup = Vec::with_capacity(TRIPLES);
        let mut used = vec![false; self.groups.len()];
        for score in all_scores() {
            let Some(i) = self.groups.iter().position(|g| g.matches(score)) else {
                let RfmScore { r, f, m } = score;
                return Err(ConfigError::Uncovered { r, f, m });
            };
            used[i] = true;
            lookup.push(i);
        }
        if let Some(i) = used.iter().position(|&u| !u) {
            return Err(ConfigError::Unreachable {
                group: self.groups[i].id.clone(),
            });
        }
        Ok(ValidGroupTable {
            groups: self.groups,
            lookup,
        })
    }
}

/// A checked group table: every score triple has exactly one group (the first that matches)
/// and every group is the group of at least one triple.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidGroupTable {
    groups: Vec<GroupRule>,
    lookup: Vec<usize>,
}

impl Default for ValidGroupTable {
    fn default() -> Self {
        GroupTable::default()
            .check()
            .unwrap_or_else(|e| unreachable!("the default group table is valid: {e}"))
    }
}

impl ValidGroupTable {
    /// The groups in priority order.
    pub fn groups(&self) -> &[GroupRule] {
        &self.groups
    }

    /// Index in [`ValidGroupTable::groups`] of the group of `score`.
    ///
    /// # Panics
    /// If a score is above [`SCORE_MAX`].
    pub fn group_of(&self, score: RfmScore) -> usize {
        let k = usize::from(SCORE_MAX) + 1;
        self.lookup[(usize::from(score.r) * k + usize::from(score.f)) * k + usize::from(score.m)]
    }

    /// The group rule of `score`.
    pub fn rule_of(&self, score: RfmScore) -> &GroupRule {
        &self.groups[self.group_of(score)]
    }

    /// Index of the group with id `id`.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.groups.iter().position(|g| g.id == id)
    }

    /// The table as configured, for writing back out.
    pub fn to_table(&self) -> GroupTable {
        GroupTable {
            groups: self.groups.clone(),
        }
    }
}

const TRIPLES: usize = (SCORE_MAX as usize + 1).pow(3);

fn all_scores() -> impl Iterator<Item = RfmScore> {
    (0..=SCORE_MAX).flat_map(|r| {
        (0..=SCORE_MAX).flat_map(move |f| (0..=SCORE_MAX).map(move |m| RfmScore { r, f, m }))
    })
}

fn check_rule(g: &GroupRule, index: usize) -> Result<(), ConfigError> {
    if g.id.is_empty() {
        return Err(ConfigError::EmptyGroupField {
            group: format!("#{}", index + 1),
            field: "id",
        });
    }
    if !g
        .id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(ConfigError::BadGroupId {
            group: g.id.clone(),
        });
    }
    if g.label.trim().is_empty() {
        return Err(ConfigError::EmptyGroupField {
            group: g.id.clone(),
            field: "label",
        });
    }
    for (field, range) in [("r", g.r), ("f", g.f), ("m", g.m)] {
        let ScoreRange(min, max) = range;
        if let Some(value) = [min, max].into_iter().find(|&v| v > SCORE_MAX) {
            return Err(ConfigError::ScoreOutOfRange {
                group: g.id.clone(),
                field,
                value,
                max: SCORE_MAX,
            });
        }
        if min > max {
            return Err(ConfigError::EmptyScoreRange {
                group: g.id.clone(),
                field,
                min,
                max,
            });
        }
    }
    Ok(())
}
