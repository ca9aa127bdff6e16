//! Offers on the trained sample: `GET /v1/members/{id}/offers` gives exactly the rows of
//! `offers.csv` for every member, and no offer pushes a category on a member who never
//! bought it unless it is a cross-sell to it (the skirts-not-trousers promise).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::helpers::*;
use crate::train::sample;

fn offers_csv() -> BTreeMap<String, Vec<csv::StringRecord>> {
    let (_, out) = trained();
    let mut by_member: BTreeMap<String, Vec<csv::StringRecord>> = BTreeMap::new();
    for r in csv::Reader::from_path(out.join("offers.csv"))
        .unwrap()
        .records()
    {
        let r = r.unwrap();
        by_member.entry(r[0].to_string()).or_default().push(r);
    }
    by_member
}

#[test]
fn served_offers_equal_offers_csv_for_every_member() {
    let (_server, c, _dir, _) = spawn();
    let written = offers_csv();
    assert!(
        written.len() > 2_000,
        "{} members with offers",
        written.len()
    );
    for (member, rows) in &written {
        let served = c.get(&format!("/v1/members/{member}/offers"), Some(STOREFRONT));
        assert_eq!(served.status, 200, "{}", served.body);
        let offers = served.json()["offers"].as_array().unwrap().clone();
        assert_eq!(offers.len(), rows.len(), "{member}: {offers:?} vs {rows:?}");
        for (o, r) in offers.iter().zip(rows) {
            let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
            let items: Vec<String> = o["suggested_items"]
                .as_array()
                .unwrap()
                .iter()
                .map(text)
                .collect();
            assert_eq!(
                (text(&o["type"]), text(&o["category"]), items.join("|")),
                (r[2].to_string(), r[4].to_string(), r[6].to_string()),
                "{member}"
            );
            assert_eq!(text(&o["reason"]["zh-TW"]), &r[9], "{member}");
            assert_eq!(text(&o["incentive"]), &r[7], "{member}");
        }
    }
    assert_eq!(
        c.get("/v1/members/nobody/offers", Some(STOREFRONT)).status,
        404
    );
}

#[test]
fn no_offer_suggests_a_category_the_member_never_bought_except_a_cross_sell_to_it() {
    let mut bought: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut category_of: HashMap<String, String> = HashMap::new();
    let orders = sample("sample/orders.csv");
    for r in csv::Reader::from_path(orders).unwrap().records() {
        let r = r.unwrap();
        if r[1] < *"2024-12-04" {
            bought
                .entry(r[0].to_string())
                .or_default()
                .insert(r[3].to_string());
        }
        category_of.insert(r[2].to_string(), r[3].to_string());
    }
    let mut checked = 0;
    for (member, rows) in offers_csv() {
        let own = &bought[&member];
        for r in rows {
            let (kind, category) = (&r[2], &r[4]);
            let items = r[6].split('|').filter(|s| !s.is_empty());
            if kind == "cross_sell" {
                assert!(
                    !own.contains(category),
                    "{member} cross-sold {category} they buy"
                );
                assert!(
                    items.clone().all(|i| category_of[i] == category),
                    "{member}: {r:?}"
                );
                continue;
            }
            if !category.is_empty() {
                assert!(own.contains(category), "{member} offered {category}: {r:?}");
            }
            for i in items {
                let c = &category_of[i];
                assert!(own.contains(c), "{member} was suggested {i} of {c}: {r:?}");
                assert!(category.is_empty() || c == category, "{member}: {r:?}");
                checked += 1;
            }
        }
    }
    assert!(checked > 3_000, "{checked} suggested items checked");
}
