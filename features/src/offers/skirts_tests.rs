use super::test_support::*;
use super::*;
use crate::OrderBook;

/// A member who buys only skirts (裙子) every 30 days, while the rankers like trousers (褲子).
fn skirts() -> OrderBook {
    book(&[
        ("m", 0, "裙子-a", 990.0),
        ("m", 30, "裙子-b", 990.0),
        ("m", 60, "裙子-a", 990.0),
        ("x", 1, "褲子-a", 890.0),
        ("x", 1, "褲子-b", 890.0),
        ("x", 1, "襪子-a", 90.0),
    ])
}

fn skirt_offers(
    p: &OfferParams,
    ranked: &[(&str, Option<f32>)],
    churn_band: &'static str,
) -> Vec<Offer> {
    let b = skirts();
    let (c, s) = (churn(churn_band), segment(Some("high"), None));
    let ranked_items = items(&b, &["褲子-a", "襪子-a", "裙子-b", "褲子-b", "裙子-a"]);
    let ranked_categories = categories(&b, ranked);
    let m = b.members().get("m").unwrap();
    let inputs = OfferInputs::new(b.history(m), day(95), names(&b))
        .with_churn(Some(&c))
        .with_segment(Some(&s), None)
        .with_ranked(&ranked_categories, &ranked_items);
    offers_for(&p.clone().check().unwrap(), &inputs)
}

#[test]
fn a_skirt_buyer_is_never_offered_trousers_except_as_a_cross_sell_to_trousers() {
    let b = skirts();
    let p = OfferParams::default();
    let ranked = [
        ("褲子", Some(0.3)),
        ("裙子", Some(0.6)),
        ("襪子", Some(0.1)),
    ];

    let o = skirt_offers(&p, &ranked, "medium");

    assert_eq!(
        kinds(&o),
        [
            OfferKind::WinBack,
            OfferKind::Replenishment,
            OfferKind::CrossSell
        ]
    );
    assert_eq!(item_names(&b, &o[0].suggested_items), ["裙子-b", "裙子-a"]);
    assert_eq!(item_names(&b, &o[1].suggested_items), ["裙子-b", "裙子-a"]);
    assert_eq!(o[2].category, b.categories().get("褲子"));
    assert_eq!(o[2].reason.en, "Likely next: 褲子, not bought yet");
    assert_eq!(o[2].reason.zh_tw, "可能想買：褲子（尚未購買過）");
    assert_eq!(item_names(&b, &o[2].suggested_items), ["褲子-a", "褲子-b"]);
    let no_trousers = skirt_offers(&p, &[("裙子", Some(0.6))], "medium");
    assert!(no_trousers.iter().all(|o| {
        item_names(&b, &o.suggested_items)
            .iter()
            .all(|n| n.starts_with("裙子"))
    }));
}

#[test]
fn cross_sell_skips_categories_below_the_minimum_score_and_priorities_reorder_offers() {
    let b = skirts();
    let mut p = OfferParams::default();
    p.cross_sell.min_score = 0.2;
    let ranked = [("褲子", Some(0.1)), ("裙子", Some(0.6)), ("襪子", None)];

    let o = skirt_offers(&p, &ranked, "medium");
    assert_eq!(o[2].category, b.categories().get("襪子"), "no score passes");

    p.cross_sell.priority = 0;
    p.win_back.enabled = false;
    p.max_offers = 2;
    let o = skirt_offers(&p, &ranked, "medium");
    assert_eq!(kinds(&o), [OfferKind::CrossSell, OfferKind::Replenishment]);
    p.max_offers = 1;
    assert_eq!(skirt_offers(&p, &ranked, "medium").len(), 1);
}
