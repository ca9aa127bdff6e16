use super::test_support::*;
use super::*;
use crate::segments::TierAnswer;
use crate::{MemberAttributes, OrderBook, OrderBookBuilder};

/// Shampoo on days 0, 30, 60 (gap 30).
fn shampoo() -> OrderBook {
    book(&[
        ("m", 0, "洗髮精-a", 349.0),
        ("m", 30, "洗髮精-a", 349.0),
        ("m", 60, "洗髮精-b", 349.0),
    ])
}

#[test]
fn replenishment_is_due_from_factor_to_max_factor_times_the_own_median_gap() {
    let b = shampoo();
    let p = OfferParams::default();
    let only = |as_of| kinds(&offers(&p, &b, "m", as_of));

    assert_eq!(only(89), [], "29 days since, gap 30");
    assert_eq!(only(90), [OfferKind::Replenishment]);
    assert_eq!(
        only(150),
        [OfferKind::Replenishment],
        "90 days = 3 x 30 still due"
    );
    assert_eq!(only(151), [], "lapsed past max_factor");
    let o = &offers(&p, &b, "m", 101)[0];
    assert_eq!(
        o.reason.en,
        "Bought 洗髮精 every ~30 days; last 41 days ago"
    );
    assert_eq!(o.reason.zh_tw, "平均每 30 天購買洗髮精，距上次已 41 天");
    assert_eq!(o.valid_until, Some(day(150)));
    assert_eq!(o.category, b.categories().get("洗髮精"));
    assert_eq!(
        o.incentive,
        IncentiveLevel::Small,
        "no bands: medium x medium"
    );
    let mut three = p.clone();
    three.replenishment.min_purchase_days = 4;
    assert_eq!(kinds(&offers(&three, &b, "m", 100)), []);
}

#[test]
fn replenishment_uses_the_median_gap_and_can_work_by_item() {
    let b = book(&[
        ("m", 0, "茶葉-a", 1.0),
        ("m", 10, "茶葉-b", 1.0),
        ("m", 60, "茶葉-a", 1.0),
        ("m", 72, "茶葉-a", 1.0),
    ]);
    let mut p = OfferParams::default();

    let o = offers(&p, &b, "m", 84);
    assert_eq!(
        o[0].reason.en, "Bought 茶葉 every ~12 days; last 12 days ago",
        "gaps 10, 50, 12"
    );
    p.replenishment.by = crate::Kind::Item;
    let by_item = offers(&p, &b, "m", 144);
    assert_eq!(
        by_item[0].reason.en,
        "Bought 茶葉-a every ~36 days; last 72 days ago"
    );
    assert_eq!(by_item[0].item, b.items().get("茶葉-a"));
    let m = b.members().get("m").unwrap();
    let ranked = items(&b, &["茶葉-b", "茶葉-a"]);
    let inputs = OfferInputs::new(b.history(m), day(144), names(&b)).with_ranked(&[], &ranked);
    let valid = p.check().unwrap();
    let suggested = &offers_for(&valid, &inputs)[0].suggested_items;
    assert_eq!(
        item_names(&b, suggested),
        ["茶葉-a", "茶葉-b"],
        "the due item first"
    );
}

fn with_bands(
    b: &OrderBook,
    p: &OfferParams,
    band: &'static str,
    value: Option<&'static str>,
    as_of: i32,
) -> Vec<Offer> {
    let (c, s) = (churn(band), segment(value, None));
    let m = b.members().get("m").unwrap();
    let inputs = OfferInputs::new(b.history(m), day(as_of), names(b))
        .with_churn(Some(&c))
        .with_segment(Some(&s), None);
    offers_for(&p.clone().check().unwrap(), &inputs)
}

#[test]
fn win_back_takes_the_configured_churn_bands_and_minimum_value_band() {
    let b = shampoo();
    let mut p = OfferParams::default();
    let first = |p: &OfferParams, band, value| with_bands(&b, p, band, value, 200).first().cloned();

    let o = first(&p, "high", Some("high")).unwrap();
    assert_eq!(
        (o.kind, o.incentive),
        (OfferKind::WinBack, IncentiveLevel::Large)
    );
    assert_eq!(
        o.reason.en,
        "No purchase for 140 days (usually every ~30 days); churn risk high"
    );
    assert_eq!(
        o.reason.zh_tw,
        "已 140 天未購買（平常約每 30 天），流失風險高"
    );
    assert_eq!(
        first(&p, "medium", Some("low")).unwrap().incentive,
        IncentiveLevel::None
    );
    assert_eq!(first(&p, "low", Some("high")), None);
    p.win_back.min_value_band = Band::Medium;
    assert_eq!(first(&p, "high", Some("low")), None);
    assert_eq!(
        first(&p, "high", None),
        None,
        "no value band passes only a `low` minimum"
    );
    assert!(first(&p, "high", Some("medium")).is_some());
    let once = book(&[("m", 0, "洗髮精-a", 349.0)]);
    let o = with_bands(&once, &OfferParams::default(), "high", None, 90);
    assert_eq!(
        o[0].reason.en,
        "No purchase since the first order 90 days ago; churn risk high"
    );
    assert_eq!(o[0].reason.zh_tw, "首購後已 90 天未再購買，流失風險高");
}

fn tier_offers(t: TierAnswer) -> Vec<Offer> {
    let b = book(&[("m", 0, "洗髮精-a", 349.0)]);
    let (s, program) = (segment(None, Some(t)), program());
    let m = b.members().get("m").unwrap();
    let inputs =
        OfferInputs::new(b.history(m), day(3), names(&b)).with_segment(Some(&s), Some(&program));
    offers_for(&ValidOfferParams::default(), &inputs)
}

#[test]
fn tier_nudges_fire_within_the_share_of_the_next_threshold_or_below_the_keep_probability() {
    let up = tier_offers(tier(0, Some(2_000.0), None, None));
    assert_eq!(kinds(&up), [OfferKind::TierUpgrade]);
    assert_eq!(up[0].reason.en, "2,000 more reaches 金卡");
    assert_eq!(up[0].reason.zh_tw, "再消費 2,000 即可升級金卡");
    assert_eq!(kinds(&tier_offers(tier(0, Some(2_000.01), None, None))), []);

    let risk = tier_offers(tier(1, None, Some(3_200.0), Some(0.49)));
    assert_eq!(kinds(&risk), [OfferKind::TierAtRisk]);
    assert_eq!(
        risk[0].reason.en,
        "金卡 is reviewed on 2024-12-31: 3,200 more keeps it (chance of keeping it 49%)"
    );
    assert_eq!(risk[0].valid_until, Some(day(364)));
    assert_eq!(
        kinds(&tier_offers(tier(1, None, Some(3_200.0), Some(0.5)))),
        []
    );
    assert_eq!(kinds(&tier_offers(tier(1, None, Some(3_200.0), None))), []);
}

#[test]
fn a_member_without_history_gets_only_the_birthday_offer_once_in_its_month() {
    let mut b = OrderBookBuilder::new();
    b.push_line("m", day(0).start_ts(), "洗髮精-a", "洗髮精", 1.0, 1.0);
    let born = chrono::NaiveDate::from_ymd_opt(1990, 3, 15);
    b.set_attributes(
        "new",
        MemberAttributes {
            birthday: born,
            ..Default::default()
        },
    );
    let b = b.finish();
    let p = OfferParams::default();

    let march = offers(&p, &b, "new", 60 + 5);
    assert_eq!(kinds(&march), [OfferKind::Birthday]);
    assert_eq!(
        march[0].reason.en,
        "Birthday on 03-15; offer valid until 2024-03-31"
    );
    assert_eq!(march[0].reason.zh_tw, "03-15 生日，優惠至 2024-03-31 止");
    assert_eq!(
        (march[0].valid_until, march[0].incentive),
        (Some(day(90)), IncentiveLevel::Small)
    );
    assert_eq!(march[0].suggested_items, Vec::<u32>::new());
    assert_eq!(kinds(&offers(&p, &b, "new", 59)), [], "29 February");
    assert_eq!(kinds(&offers(&p, &b, "new", 91)), [], "1 April");
}

#[test]
fn the_second_purchase_nudge_covers_min_to_max_days_after_the_only_purchase_day() {
    let b = book(&[
        ("m", 0, "面膜-a", 1.0),
        ("n", 0, "面膜-a", 1.0),
        ("n", 0, "口紅-a", 1.0),
    ]);
    let p = OfferParams::default();

    assert_eq!(kinds(&offers(&p, &b, "m", 6)), []);
    let o = offers(&p, &b, "m", 7);
    assert_eq!(kinds(&o), [OfferKind::SecondPurchase]);
    assert_eq!(
        o[0].reason.en,
        "First order (面膜) 7 days ago, no second order yet"
    );
    assert_eq!(o[0].reason.zh_tw, "首購面膜已 7 天，尚未回購");
    assert_eq!(
        (o[0].category, o[0].valid_until),
        (b.categories().get("面膜"), Some(day(60)))
    );
    assert_eq!(kinds(&offers(&p, &b, "m", 60)), [OfferKind::SecondPurchase]);
    assert_eq!(kinds(&offers(&p, &b, "m", 61)), []);
    let two = offers(&p, &b, "n", 10);
    assert_eq!(
        (two[0].category, two[0].reason.en.as_str()),
        (None, "First order 10 days ago, no second order yet")
    );
}
