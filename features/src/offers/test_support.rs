//! Small hand-made stores and answers for the offer tests.

use super::*;
use crate::answer::ChurnAnswer;
use crate::segments::tiers::Downgrade;
use crate::segments::{
    Lifecycle, RfmScore, SegmentAnswer, TierAnswer, TierLevel, TierProgram, TierStatus,
    ValidTierProgram,
};
use crate::{Day, OrderBook, OrderBookBuilder};

/// The day `d` days after 2024-01-01.
pub(super) fn day(d: i32) -> Day {
    Day::from_date(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()).plus(d)
}

/// A book of `(member, day, item, category, amount)` lines at noon; items are named
/// `<category>-<letter>`.
pub(super) fn book(lines: &[(&str, i32, &str, f64)]) -> OrderBook {
    let mut b = OrderBookBuilder::new();
    for &(member, d, item, amount) in lines {
        let category = item.split('-').next().unwrap();
        b.push_line(
            member,
            day(d).start_ts() + 43_200,
            item,
            category,
            1.0,
            amount,
        );
    }
    b.finish()
}

/// Ranked items by name (their category is the name before `-`).
pub(super) fn items(book: &OrderBook, names: &[&str]) -> Vec<RankedItem> {
    names
        .iter()
        .map(|n| RankedItem {
            id: book.items().get(n).unwrap(),
            category: book.categories().get(n.split('-').next().unwrap()).unwrap(),
            score: None,
        })
        .collect()
}

pub(super) fn categories(book: &OrderBook, ranked: &[(&str, Option<f32>)]) -> Vec<RankedCategory> {
    ranked
        .iter()
        .map(|&(n, score)| RankedCategory {
            id: book.categories().get(n).unwrap(),
            score,
        })
        .collect()
}

pub(super) fn names(book: &OrderBook) -> Names<'_> {
    Names {
        categories: book.categories(),
        items: book.items(),
    }
}

pub(super) fn offers(
    params: &OfferParams,
    book: &OrderBook,
    member: &str,
    as_of: i32,
) -> Vec<Offer> {
    let m = book.members().get(member).unwrap();
    let inputs = OfferInputs::new(book.history(m), day(as_of), names(book));
    offers_for(&params.clone().check().unwrap(), &inputs)
}

pub(super) fn kinds(offers: &[Offer]) -> Vec<OfferKind> {
    offers.iter().map(|o| o.kind).collect()
}

pub(super) fn item_names(book: &OrderBook, ids: &[u32]) -> Vec<String> {
    ids.iter()
        .map(|&i| book.items().name(i).to_string())
        .collect()
}

pub(super) fn churn(band: &'static str) -> ChurnAnswer {
    ChurnAnswer {
        probability: 0.5,
        band,
        expected_purchases: 0.1,
        days_since_last_purchase: 0.0,
        reasons: vec![],
    }
}

pub(super) fn segment(value_band: Option<&'static str>, tier: Option<TierAnswer>) -> SegmentAnswer {
    SegmentAnswer {
        rfm: RfmScore { r: 1, f: 1, m: 1 },
        group: "x".into(),
        previous_group: None,
        lifecycle: Lifecycle::Active,
        tier,
        value: None,
        value_band,
    }
}

/// A two-level programme: 普卡, then 金卡 from 10,000 within 365 days, valid 365 days.
pub(super) fn program() -> ValidTierProgram {
    let level = |id: &str, label: &str, spend: Option<f64>| TierLevel {
        id: id.into(),
        label: label.into(),
        spend,
        single_order: None,
        renew: None,
    };
    TierProgram {
        window_days: Some(365),
        validity_days: Some(365),
        downgrade: Downgrade::OneStep,
        levels: vec![
            level("regular", "普卡", None),
            level("gold", "金卡", Some(10_000.0)),
        ],
    }
    .check()
    .unwrap()
}

/// A tier answer at `level` (0 = 普卡) reviewed on day 365 when it has spend to renew.
pub(super) fn tier(
    level: usize,
    to_next: Option<f64>,
    to_renew: Option<f64>,
    keep: Option<f64>,
) -> TierAnswer {
    TierAnswer {
        id: ["regular", "gold"][level].into(),
        label: ["普卡", "金卡"][level].into(),
        status: TierStatus {
            level,
            since: Some(day(0)),
            expiry: to_renew.map(|_| day(365)),
            qualifying_spend: 0.0,
            spend_to_next: to_next,
            renewal_spend: None,
            spend_to_renew: to_renew,
        },
        keep_probability: keep,
    }
}
