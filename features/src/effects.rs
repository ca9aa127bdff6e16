//! Learned churn effects of member attribute levels (region, age group, tier).
//!
//! Categorical attributes carry churn signal that no numeric feature captures well: on Ta Feng
//! the members of the two home districts come back far more often, and age groups differ too.
//! A logistic regression with one column per level (one-hot) learns that signal; the feature
//! vector has a fixed width, so training fits that one-hot model and stores each level's
//! coefficient here. A member's [`ATTRIBUTE_EFFECT`](crate::spec::idx::ATTRIBUTE_EFFECT)
//! feature is then the sum of the coefficients of its levels: the same log-odds the one-hot
//! model adds, in one column, computed alike by training and serving from the
//! [`StoreContext`](crate::StoreContext) exported with the model.

use std::collections::BTreeMap;

use crate::MemberAttributes;

/// One categorical member attribute whose levels get a learned effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribute {
    /// [`MemberAttributes::region`].
    Region,
    /// [`MemberAttributes::age_group`].
    AgeGroup,
    /// [`MemberAttributes::tier`].
    Tier,
}

/// Every attribute with learned effects, in the order their effects are summed.
pub const ATTRIBUTES: [Attribute; 3] = [Attribute::Region, Attribute::AgeGroup, Attribute::Tier];

/// The level of a missing value (no members row, or an empty field): a level of its own.
pub const MISSING_LEVEL: &str = "";

impl Attribute {
    /// The member's level of this attribute as written, [`MISSING_LEVEL`] when unknown.
    pub fn level(self, attributes: Option<&MemberAttributes>) -> &str {
        let value = attributes.and_then(|a| match self {
            Attribute::Region => a.region.as_deref(),
            Attribute::AgeGroup => a.age_group.as_deref(),
            Attribute::Tier => a.tier.as_deref(),
        });
        value.map_or(MISSING_LEVEL, str::trim)
    }
}

/// Churn log-odds per attribute level, relative to an unnamed reference; a level that is not
/// listed (too rare to learn when the model was fitted, or new since) contributes 0.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AttributeEffects {
    /// Effect per region level.
    pub region: BTreeMap<String, f32>,
    /// Effect per age-group level.
    pub age_group: BTreeMap<String, f32>,
    /// Effect per tier level.
    pub tier: BTreeMap<String, f32>,
}

impl AttributeEffects {
    /// True when no level has an effect (the feature is then 0 for everyone).
    pub fn is_empty(&self) -> bool {
        ATTRIBUTES.iter().all(|&a| self.table(a).is_empty())
    }

    /// The effects of one attribute's levels.
    pub fn table(&self, attribute: Attribute) -> &BTreeMap<String, f32> {
        match attribute {
            Attribute::Region => &self.region,
            Attribute::AgeGroup => &self.age_group,
            Attribute::Tier => &self.tier,
        }
    }

    /// The effects of one attribute's levels, to fill in.
    pub fn table_mut(&mut self, attribute: Attribute) -> &mut BTreeMap<String, f32> {
        match attribute {
            Attribute::Region => &mut self.region,
            Attribute::AgeGroup => &mut self.age_group,
            Attribute::Tier => &mut self.tier,
        }
    }

    /// The effects `share · self + (1 − share) · other`, level by level (a level missing from
    /// one side counts as 0 there).
    pub fn blend(&self, other: &AttributeEffects, share: f64) -> AttributeEffects {
        let mut out = AttributeEffects::default();
        for a in ATTRIBUTES {
            let (mine, theirs) = (self.table(a), other.table(a));
            let table = out.table_mut(a);
            for level in mine.keys().chain(theirs.keys()) {
                let get = |t: &BTreeMap<String, f32>| t.get(level).map_or(0.0, |&e| f64::from(e));
                let e = share * get(mine) + (1.0 - share) * get(theirs);
                table.insert(level.clone(), e as f32);
            }
        }
        out
    }

    /// The member's summed effect over [`ATTRIBUTES`] (in that order, in `f64`).
    pub fn effect(&self, attributes: Option<&MemberAttributes>) -> f32 {
        ATTRIBUTES
            .iter()
            .map(|&a| {
                self.table(a)
                    .get(a.level(attributes))
                    .map_or(0.0, |&e| f64::from(e))
            })
            .sum::<f64>() as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn effects() -> AttributeEffects {
        let mut e = AttributeEffects::default();
        e.region.insert("115".into(), -0.5);
        e.region.insert(MISSING_LEVEL.into(), 0.25);
        e.age_group.insert("25-29".into(), 0.125);
        e
    }

    #[test]
    fn a_member_gets_the_sum_of_its_levels_and_missing_is_a_level() {
        let a = MemberAttributes {
            region: Some("115".into()),
            age_group: Some("25-29".into()),
            tier: Some("gold".into()),
            ..MemberAttributes::default()
        };
        assert_eq!(effects().effect(Some(&a)), -0.375);
        assert_eq!(effects().effect(None), 0.25);
        let other = MemberAttributes {
            region: Some("999".into()),
            ..MemberAttributes::default()
        };
        assert_eq!(effects().effect(Some(&other)), 0.0);
        assert_eq!(AttributeEffects::default().effect(Some(&a)), 0.0);
        assert!(AttributeEffects::default().is_empty());
        assert!(!effects().is_empty());
    }

    #[test]
    fn a_blend_weighs_each_level_and_counts_a_missing_one_as_zero() {
        let mut other = AttributeEffects::default();
        other.region.insert("115".into(), 0.5);
        other.tier.insert("gold".into(), 1.0);
        let b = effects().blend(&other, 0.75);
        assert_eq!(b.region["115"], 0.75 * -0.5 + 0.25 * 0.5);
        assert_eq!(b.region[MISSING_LEVEL], 0.75 * 0.25);
        assert_eq!(b.age_group["25-29"], 0.75 * 0.125);
        assert_eq!(b.tier["gold"], 0.25);
    }

    #[test]
    fn levels_are_trimmed_and_empty_fields_are_missing() {
        let a = MemberAttributes {
            region: Some(" 115 ".into()),
            age_group: Some(String::new()),
            ..MemberAttributes::default()
        };
        assert_eq!(Attribute::Region.level(Some(&a)), "115");
        assert_eq!(Attribute::AgeGroup.level(Some(&a)), MISSING_LEVEL);
        assert_eq!(Attribute::Tier.level(None), MISSING_LEVEL);
    }
}
