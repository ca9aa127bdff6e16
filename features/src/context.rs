//! Store context: the few features that describe a member relative to the whole population.
//!
//! A member's own lines cannot tell whether they live next to the store or across town; the
//! share of the store's members who live in the same region can (on Ta Feng the two home
//! districts hold most members, and their members come back far more often). Such values need
//! the population as of the cutoff, so they are computed once per cutoff into a
//! [`StoreContext`]: training builds one per training cutoff and one at `T`, and exports the one
//! at `T` in `churn.json`, where serving reads it. A member's vector is then
//! [`compute`](crate::compute)d with the context of its cutoff.

use std::collections::BTreeMap;

use crate::{AttributeEffects, Day, OrderBook};

/// Population-level values as of one date, from members with a line strictly before it.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StoreContext {
    /// Share of the population in each region (region as written, non-empty); the shares of
    /// members with a known region sum to that group's share of the population.
    pub region_share: BTreeMap<String, f32>,
    /// The churn effects of attribute levels, learnt by training (empty before that, and in
    /// a context computed from the book alone).
    #[serde(default)]
    pub attribute_effects: AttributeEffects,
}

impl StoreContext {
    /// The context of `book` as of `as_of`: the population is every member with at least one
    /// line strictly before `as_of`.
    pub fn of_book(book: &OrderBook, as_of: Day) -> StoreContext {
        let n = book.members().len() as u32;
        let population = (0..n).filter(|&m| !book.history(m).before(as_of).is_empty());
        StoreContext::from_regions(population.map(|m| {
            book.attributes(m)
                .and_then(|a| a.region.as_deref())
                .filter(|r| !r.is_empty())
        }))
    }

    /// The context of a population given as one optional region per member.
    pub fn from_regions<'a>(regions: impl IntoIterator<Item = Option<&'a str>>) -> StoreContext {
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        let mut population = 0u64;
        for r in regions {
            population += 1;
            if let Some(r) = r {
                *counts.entry(r.to_string()).or_default() += 1;
            }
        }
        let region_share = counts
            .into_iter()
            .map(|(r, c)| (r, (c as f64 / population as f64) as f32))
            .collect();
        StoreContext {
            region_share,
            attribute_effects: AttributeEffects::default(),
        }
    }

    /// Share of the population living in `region`; 0 when the region is unknown, empty or
    /// not in the population.
    pub fn region_share(&self, region: Option<&str>) -> f32 {
        region
            .and_then(|r| self.region_share.get(r))
            .copied()
            .unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_count_every_population_member_including_unknown_regions() {
        let ctx = StoreContext::from_regions([Some("115"), Some("221"), Some("115"), None]);
        assert_eq!(ctx.region_share(Some("115")), 0.5);
        assert_eq!(ctx.region_share(Some("221")), 0.25);
        assert_eq!(ctx.region_share(Some("106")), 0.0);
        assert_eq!(ctx.region_share(None), 0.0);
        assert_eq!(ctx.region_share.len(), 2);
    }

    #[test]
    fn empty_population_gives_an_empty_context() {
        let ctx = StoreContext::from_regions(std::iter::empty());
        assert!(ctx.region_share.is_empty());
        assert_eq!(ctx.region_share(Some("115")), 0.0);
    }
}
