//! What offers are evaluated from ([`OfferInputs`]) and what they are ([`Offer`]).

use super::incentive::IncentiveLevel;
use super::kind::OfferKind;
use super::text::Reason;
use crate::answer::ChurnAnswer;
use crate::segments::{SegmentAnswer, ValidTierProgram};
use crate::{Day, MemberAttributes, PurchaseHistory, Vocab};

/// One entry of a member's ranked next-category list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankedCategory {
    /// Category id (the order book's category vocabulary).
    pub id: u32,
    /// The ranker's score (probability of buying it in the horizon), when it gives one.
    pub score: Option<f32>,
}

/// One entry of a member's ranked next-item list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankedItem {
    /// Item id (the order book's item vocabulary).
    pub id: u32,
    /// The item's category id ([`StoreTables::parent`](crate::recommend::StoreTables::parent)),
    /// or [`NO_CATEGORY`](crate::NO_CATEGORY).
    pub category: u32,
    /// The ranker's score, when it gives one.
    pub score: Option<f32>,
}

/// The vocabularies that name ids in reasons.
#[derive(Debug, Clone, Copy)]
pub struct Names<'a> {
    /// Category names by id.
    pub categories: &'a Vocab,
    /// Item names by id.
    pub items: &'a Vocab,
}

/// Everything the offer rules read for one member, borrowed from what training and serving
/// already hold. Built with [`OfferInputs::new`] and the `with_*` setters; a missing part
/// turns off the rules that need it.
#[derive(Debug, Clone, Copy)]
pub struct OfferInputs<'a> {
    /// The day offers are for: only lines strictly before it count.
    pub as_of: Day,
    /// The member's lines.
    pub history: PurchaseHistory<'a>,
    /// The members-table row (birthday); defaults to the history's.
    pub attributes: Option<&'a MemberAttributes>,
    /// The churn answer (win-back, incentives).
    pub churn: Option<&'a ChurnAnswer>,
    /// The segment answer (value band, tier status and keep probability).
    pub segment: Option<&'a SegmentAnswer>,
    /// The tier programme the segment answer's tier comes from (names the next tier).
    pub tiers: Option<&'a ValidTierProgram>,
    /// Ranked next categories, best first, with the storefront options already applied.
    pub categories: &'a [RankedCategory],
    /// Ranked next items, best first, with the storefront options already applied.
    pub items: &'a [RankedItem],
    /// Names of ids.
    pub names: Names<'a>,
}

impl<'a> OfferInputs<'a> {
    /// Inputs with the history and its attributes only.
    pub fn new(history: PurchaseHistory<'a>, as_of: Day, names: Names<'a>) -> OfferInputs<'a> {
        OfferInputs {
            as_of,
            history,
            attributes: history.attributes(),
            churn: None,
            segment: None,
            tiers: None,
            categories: &[],
            items: &[],
            names,
        }
    }

    /// Sets the members-table row.
    pub fn with_attributes(mut self, attributes: Option<&'a MemberAttributes>) -> Self {
        self.attributes = attributes;
        self
    }

    /// Sets the churn answer.
    pub fn with_churn(mut self, churn: Option<&'a ChurnAnswer>) -> Self {
        self.churn = churn;
        self
    }

    /// Sets the segment answer and the tier programme it was computed with.
    pub fn with_segment(
        mut self,
        segment: Option<&'a SegmentAnswer>,
        tiers: Option<&'a ValidTierProgram>,
    ) -> Self {
        self.segment = segment;
        self.tiers = tiers;
        self
    }

    /// Sets the ranked lists.
    pub fn with_ranked(
        mut self,
        categories: &'a [RankedCategory],
        items: &'a [RankedItem],
    ) -> Self {
        self.categories = categories;
        self.items = items;
        self
    }
}

/// One offer for one member.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Offer {
    /// The offer type.
    pub kind: OfferKind,
    /// The type's configured priority (lower first).
    pub priority: u32,
    /// Why this member gets it, from their own numbers.
    pub reason: Reason,
    /// The category the offer is about: the due category (replenishment; for an item, the
    /// item's category), the never-bought category (cross-sell), the first order's only
    /// category (second purchase); `None` for offers about the member as a whole.
    pub category: Option<u32>,
    /// The due item of an item replenishment offer.
    pub item: Option<u32>,
    /// Item ids from the ranked item list, best first, at most `suggested_items`: in
    /// `category` when the offer has one, otherwise in categories the member has bought.
    /// Never an item of a category the member has not bought, except in a cross-sell offer
    /// for that category.
    pub suggested_items: Vec<u32>,
    /// From the type's fixed level or the incentive table.
    pub incentive: IncentiveLevel,
    /// The last day the offer's rule holds when it has an end: the birthday period's last
    /// day, the day before a tier review, the last day of the second-purchase window, the
    /// last day before a replenishment lapses. `None` otherwise.
    pub valid_until: Option<Day>,
}
