//! A member's offers: every rule that holds, with priority, incentive and suggested items,
//! best first.

use super::check::ValidOfferParams;
use super::incentive::Band;
use super::inputs::{Offer, OfferInputs};
use super::kind::OfferKind;
use super::replenish::replenishment;
use super::rules::{
    Draft, birthday, cross_sell, second_purchase, tier_at_risk, tier_upgrade, win_back,
};
use crate::segments::MemberFacts;
use crate::{Kind, preferences};

/// The member's offers as of `inputs.as_of`, best first; the first is the next best offer.
///
/// Every enabled rule is evaluated (see each type's table in
/// [`OfferParams`](super::OfferParams)); a member without a purchase before `as_of` gets at
/// most the birthday offer. Offers are sorted by priority, then by the default order of
/// their kinds ([`OfferKind::ALL`]), then within a kind by the rule's own order (the most
/// overdue replenishment first, ties by name), and cut to `max_offers`. The result depends
/// only on the inputs, not on how ids are numbered (ranked lists keep their given order).
pub fn offers_for(params: &ValidOfferParams, inputs: &OfferInputs<'_>) -> Vec<Offer> {
    let p = params.as_params();
    let on = |kind| params.common(kind).enabled;
    let mut drafts: Vec<Draft> = Vec::new();
    let facts = MemberFacts::of(&inputs.history, inputs.as_of);
    let bought: Vec<u32> = preferences(&inputs.history, inputs.as_of, Kind::Category)
        .into_iter()
        .map(|c| c.id)
        .collect();
    let tier = inputs.segment.and_then(|s| s.tier.as_ref());
    if let Some(f) = &facts {
        if on(OfferKind::WinBack) {
            drafts.extend(win_back(&p.win_back, inputs, f));
        }
        if on(OfferKind::TierAtRisk) {
            drafts.extend(tier.and_then(|t| tier_at_risk(&p.tier_at_risk, t, inputs.as_of)));
        }
    }
    if on(OfferKind::Birthday) {
        drafts.extend(birthday(&p.birthday, inputs));
    }
    if let Some(f) = &facts {
        if on(OfferKind::Replenishment) {
            let names = match p.replenishment.by {
                Kind::Category => inputs.names.categories,
                Kind::Item => inputs.names.items,
            };
            let name = |id| names.name(id);
            drafts.extend(replenishment(
                &p.replenishment,
                &inputs.history,
                inputs.as_of,
                name,
            ));
        }
        if on(OfferKind::SecondPurchase) {
            drafts.extend(second_purchase(&p.second_purchase, inputs, f));
        }
        if on(OfferKind::CrossSell) {
            drafts.extend(cross_sell(&p.cross_sell, inputs, &bought));
        }
        if on(OfferKind::TierUpgrade) {
            drafts.extend(tier_upgrade(&p.tier_upgrade, inputs));
        }
    }
    let churn = inputs.churn.and_then(|c| Band::parse(c.band));
    let value = inputs
        .segment
        .and_then(|s| s.value_band)
        .and_then(Band::parse);
    let mut offers: Vec<Offer> = drafts
        .into_iter()
        .map(|d| {
            let common = params.common(d.kind);
            Offer {
                kind: d.kind,
                priority: common.priority,
                suggested_items: suggest(&d, inputs, &bought, p.suggested_items),
                incentive: common
                    .incentive
                    .unwrap_or_else(|| p.incentives.level(churn, value)),
                reason: d.reason,
                category: d.category,
                item: d.item,
                valid_until: d.valid_until,
            }
        })
        .collect();
    offers.sort_by_key(|o| (o.priority, o.kind));
    offers.truncate(p.max_offers);
    offers
}

/// At most `n` ranked items for a draft, best first: in its category when it has one (an
/// item replenishment's own item first when ranked), otherwise in a category of `bought`
/// (ascending).
fn suggest(d: &Draft, inputs: &OfferInputs<'_>, bought: &[u32], n: usize) -> Vec<u32> {
    let fits = |category: u32| match d.category {
        Some(c) => category == c,
        None => bought.binary_search(&category).is_ok(),
    };
    let own = d
        .item
        .filter(|id| inputs.items.iter().any(|r| r.id == *id && fits(r.category)));
    own.into_iter()
        .chain(
            inputs
                .items
                .iter()
                .filter(|r| Some(r.id) != own && fits(r.category))
                .map(|r| r.id),
        )
        .take(n)
        .collect()
}
