//! A member's next best offers, live: [`features::offers::offers_for`] over the member's
//! current answer (churn, segment), lines and attributes, with the ranked lists the storefront
//! would show (the recommendation policy with the request's options), named for the API.

use features::offers::{
    IncentiveLevel, Names, Offer, OfferInputs, RankedCategory, RankedItem, Reason, offers_for,
};
use features::{Day, Kind, NO_CATEGORY};

use super::MemberAnswer;
use super::policy::{Context, Lines, recommendations};
use super::recommend::RecommendOptions;
use super::store::Member;

/// Length of the ranked category and item lists the offers draw on: that of the lists
/// `tiefen-train` writes (so `offers.csv` and the live offers agree).
fn ranked_len() -> usize {
    features::recommend::SelectOptions::default().k
}

/// One offer, with names instead of ids.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OfferView {
    /// `win_back`, `tier_at_risk`, `birthday`, `replenishment`, `second_purchase`,
    /// `cross_sell` or `tier_upgrade`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Lower is more important.
    pub priority: u32,
    /// Why, in English and zh-TW.
    pub reason: Reason,
    /// The offer's category.
    pub category: Option<String>,
    /// The offer's item (item replenishment).
    pub item: Option<String>,
    /// Suggested items, best first.
    pub suggested_items: Vec<String>,
    /// `none`, `small`, `medium` or `large`.
    pub incentive: IncentiveLevel,
    /// Last day the offer applies (birthday offers).
    pub valid_until: Option<Day>,
}

/// The offers of `member` (with its current answer), best first.
pub fn member_offers(
    c: &Context<'_>,
    member: &Member,
    answer: &MemberAnswer,
    options: RecommendOptions,
) -> Vec<OfferView> {
    let store = c.store;
    let categories: Vec<RankedCategory> = recommendations(
        c,
        Some((Lines::Unpacked(member), answer)),
        Kind::Category,
        ranked_len(),
        options,
    )
    .items
    .iter()
    .filter_map(|r| {
        Some(RankedCategory {
            id: store.categories.get(&r.id)?,
            score: Some(r.score),
        })
    })
    .collect();
    let item_tables = c
        .learned
        .iter()
        .find(|r| r.kind == Kind::Item)
        .map(|r| &r.tables);
    let parent = |item: u32| {
        item_tables
            .map(|t| t.parent(item))
            .filter(|&p| p != NO_CATEGORY)
            .or_else(|| {
                member
                    .lines
                    .iter()
                    .find(|l| l.item == item)
                    .map(|l| l.category)
            })
            .unwrap_or(NO_CATEGORY)
    };
    let items: Vec<RankedItem> = recommendations(
        c,
        Some((Lines::Unpacked(member), answer)),
        Kind::Item,
        ranked_len(),
        options,
    )
    .items
    .iter()
    .filter_map(|r| {
        let id = store.items.get(&r.id)?;
        Some(RankedItem {
            id,
            category: parent(id),
            score: Some(r.score),
        })
    })
    .collect();
    let names = Names {
        categories: &store.categories,
        items: &store.items,
    };
    let tiers = c.models.segments.as_ref().and_then(|s| s.tiers());
    let inputs = OfferInputs::new(member.history(), answer.as_of, names)
        .with_churn(answer.churn.as_ref())
        .with_segment(answer.segment.as_ref(), tiers)
        .with_ranked(&categories, &items);
    offers_for(&c.models.offers, &inputs)
        .into_iter()
        .map(|o| view(o, names))
        .collect()
}

fn view(o: Offer, names: Names<'_>) -> OfferView {
    OfferView {
        kind: o.kind.as_str(),
        priority: o.priority,
        reason: o.reason,
        category: o.category.map(|c| names.categories.name(c).to_string()),
        item: o.item.map(|i| names.items.name(i).to_string()),
        suggested_items: o
            .suggested_items
            .iter()
            .map(|&i| names.items.name(i).to_string())
            .collect(),
        incentive: o.incentive,
        valid_until: o.valid_until,
    }
}
