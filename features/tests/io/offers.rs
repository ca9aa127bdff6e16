//! The offer rules on the bundled sample, read through `features::io`: suggested items stay
//! in the offer's category, and only a cross-sell names a category the member has not bought.

use std::collections::BTreeMap;
use std::path::PathBuf;

use features::answer::ChurnAnswer;
use features::churn::BgNbd;
use features::io::{ColumnMapping, ReadOptions, read_members, read_orders};
use features::offers::{
    Names, OfferInputs, OfferKind, OfferParams, RankedCategory, RankedItem, offers_for,
};
use features::recommend::{
    CandidateParams, MemberContext, SelectOptions, StoreTables, TableParams, candidates, col,
    select,
};
use features::segments::{GroupTable, LifecycleParams, SegmentModel, TierProgram};
use features::value::{SpendModel, ValueModel};
use features::{Day, Kind, OrderBook, PurchaseHistory, preferences};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../notebooks-data")
        .join(name)
}

fn sample() -> OrderBook {
    let mapping = ColumnMapping::from_toml_file(data("mappings/canonical.toml")).unwrap();
    let opts = ReadOptions::new(mapping);
    let mut report = read_orders(data("sample/orders.csv"), &opts).unwrap();
    read_members(data("sample/members.csv"), &opts, &mut report.builder).unwrap();
    report.into_book()
}

/// A stand-in ranker: the member's own habit, co-purchase and store popularity, through the
/// real candidate generation and storefront selection (default options).
fn ranked(history: &PurchaseHistory<'_>, as_of: Day, tables: &StoreTables) -> Vec<(u32, f32)> {
    let ctx = MemberContext::new(history, as_of, tables.kind);
    let set = candidates(&ctx, tables, &CandidateParams::default());
    let scores: Vec<f32> = (0..set.len())
        .map(|i| {
            let r = set.row(i);
            (r[col::OWN_BASKET_DECAY] + r[col::COPURCHASE_SCORE] + r[col::STORE_SHARE_28D]).min(1.0)
        })
        .collect();
    select(&set, &scores, tables, &SelectOptions::default())
        .into_iter()
        .map(|r| (r.id, r.score))
        .collect()
}

#[test]
fn sample_offers_suggest_only_items_of_their_category_or_of_categories_the_member_bought() {
    let book = sample();
    let as_of = book.day_range().unwrap().1.plus(1);
    let tiers = std::fs::read_to_string(data("sample/tiers.toml")).unwrap();
    let tiers = toml::from_str::<TierProgram>(&tiers)
        .unwrap()
        .check()
        .unwrap();
    let value = ValueModel {
        bgnbd: BgNbd {
            r: 0.5,
            alpha: 30.0,
            a: 0.8,
            b: 3.0,
        },
        spend: SpendModel::ShrunkMean {
            store_mean: 1000.0,
            prior_purchases: 1.0,
        },
    };
    let (groups, lifecycle) = (
        GroupTable::default().check().unwrap(),
        LifecycleParams::default(),
    );
    let segments = SegmentModel::fit(
        &book,
        as_of,
        28,
        &groups,
        &lifecycle.check().unwrap(),
        Some(&tiers),
        Some((value, 365)),
    )
    .check()
    .unwrap();
    let category_tables = book.store_tables(as_of, Kind::Category, &TableParams::default());
    let item_tables = book.store_tables(as_of, Kind::Item, &TableParams::default());
    let params = OfferParams::default().check().unwrap();
    let names = Names {
        categories: book.categories(),
        items: book.items(),
    };
    let mut counts: BTreeMap<OfferKind, usize> = BTreeMap::new();
    let mut next_best: BTreeMap<OfferKind, usize> = BTreeMap::new();

    for m in 0..book.members().len() as u32 {
        let history = book.history(m);
        let bought: Vec<u32> = preferences(&history, as_of, Kind::Category)
            .iter()
            .map(|p| p.id)
            .collect();
        let categories: Vec<RankedCategory> = ranked(&history, as_of, &category_tables)
            .into_iter()
            .map(|(id, s)| RankedCategory { id, score: Some(s) })
            .collect();
        let items: Vec<RankedItem> = ranked(&history, as_of, &item_tables)
            .into_iter()
            .map(|(id, s)| RankedItem {
                id,
                category: item_tables.parent(id),
                score: Some(s),
            })
            .collect();
        let segment = segments.answer(&history, as_of);
        // A stand-in churn band from the recency score (3 = the most recent quarter).
        let churn = segment.as_ref().map(|s| ChurnAnswer {
            probability: 0.0,
            band: ["high", "high", "medium", "low"][usize::from(s.rfm.r.min(3))],
            expected_purchases: 0.0,
            days_since_last_purchase: 0.0,
            reasons: vec![],
        });
        let inputs = OfferInputs::new(history, as_of, names)
            .with_churn(churn.as_ref())
            .with_segment(segment.as_ref(), Some(&tiers))
            .with_ranked(&categories, &items);

        let offers = offers_for(&params, &inputs);

        let member = book.members().name(m);
        for o in &offers {
            *counts.entry(o.kind).or_default() += 1;
            let parents: Vec<u32> = o
                .suggested_items
                .iter()
                .map(|&i| item_tables.parent(i))
                .collect();
            if let Some(c) = o.category {
                assert!(parents.iter().all(|&p| p == c), "{member}: {o:?}");
            }
            if o.kind == OfferKind::CrossSell {
                assert!(
                    bought.binary_search(&o.category.unwrap()).is_err(),
                    "{member}: {o:?}"
                );
            } else {
                let named = o.category.into_iter().chain(parents);
                assert!(
                    named.into_iter().all(|c| bought.binary_search(&c).is_ok()),
                    "{member}: {o:?}"
                );
            }
            assert!(!o.reason.en.is_empty() && !o.reason.zh_tw.is_empty());
        }
        if let Some(first) = offers.first() {
            *next_best.entry(first.kind).or_default() += 1;
        }
    }

    eprintln!("sample offers as of {as_of}: {counts:?}; next best: {next_best:?}");
    for kind in [
        OfferKind::WinBack,
        OfferKind::Birthday,
        OfferKind::Replenishment,
        OfferKind::SecondPurchase,
        OfferKind::CrossSell,
        OfferKind::TierUpgrade,
    ] {
        assert!(
            counts.get(&kind).copied().unwrap_or(0) > 0,
            "no {kind:?} offer on the sample"
        );
    }
    assert_eq!(
        counts.get(&OfferKind::TierAtRisk),
        None,
        "the sample's tiers never expire"
    );
}
