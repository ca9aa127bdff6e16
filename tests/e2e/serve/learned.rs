//! The served recommendations are the learned rankers' lists: the same ids, order and scores as
//! the `recommendations.csv` training wrote (to the bit), computed by serving from the exported
//! ONNX rankers and tables, with and without the storefront options.

use std::collections::BTreeMap;
use std::path::Path;

use super::helpers::*;

/// `(member, kind)` -> `(id, score)` in rank order, from a `recommendations.csv`.
type Batch = BTreeMap<(String, String), Vec<(String, f32)>>;

fn batch(out: &Path) -> Batch {
    let mut reader = csv::Reader::from_path(out.join("recommendations.csv")).unwrap();
    let mut batch = Batch::default();
    for r in reader.records() {
        let r = r.unwrap();
        batch
            .entry((r[0].to_string(), r[1].to_string()))
            .or_default()
            .push((r[3].to_string(), r[4].parse().unwrap()));
    }
    batch
}

fn served(c: &Client, member: &str, query: &str) -> Vec<(String, f32)> {
    let v = c
        .get(
            &format!("/v1/members/{member}/recommendations?{query}"),
            Some(STOREFRONT),
        )
        .json();
    assert_eq!(v["ranker"], "learned", "{member} {query}: {v}");
    assert_eq!(v["cold_start"], false, "{member} {query}");
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_string(),
                i["score"].as_f64().unwrap() as f32,
            )
        })
        .collect()
}

/// The same ids in the same order with the same scores: training scores its lists in the
/// arithmetic of serving's evaluator, so even near-ties sort alike.
fn assert_same_list(got: &[(String, f32)], want: &[(String, f32)], what: &str) {
    assert_eq!(got, want, "{what}");
}

#[test]
fn served_recommendations_equal_the_batch_file_training_wrote() {
    let (_server, c, _dir, _) = spawn();
    let mut checked = 0;
    for ((member, kind), want) in batch(&trained().1).iter().step_by(37) {
        let got = served(&c, member, &format!("k=20&kind={kind}"));
        assert_same_list(&got, want, &format!("{member} {kind}"));
        checked += 1;
    }
    assert!(checked >= 100, "checked {checked}");
}

/// Storefront options over HTTP give the lists `tiefen-train` writes with the same options,
/// including when they skip past the picks serving keeps per member (one item per category
/// skips most of them), and long lists extend the default ones.
#[test]
fn served_storefront_options_equal_the_batch_file_with_the_same_options() {
    let dir = tempfile::tempdir().unwrap();
    let orders = crate::train::sample("sample/orders.csv");
    let mut config = crate::train::config(&orders, dir.path(), "2024-12-04");
    config.storefront.exclude_recent_days = Some(14);
    config.storefront.max_per_category = Some(1);
    training::pipeline::run(&config).unwrap();
    let s = settings(
        &config.models_dir,
        &dir.path().join("events.log"),
        Some(64 * 1024),
    );
    let server = Server::start(s);
    let c = Client::new(&server);
    let shaped = batch(&config.out_dir);
    let plain = batch(&trained().1);
    let mut checked = 0;
    for ((member, kind), want) in shaped.iter().step_by(5) {
        let query = match kind.as_str() {
            "item" => "k=20&kind=item&exclude_recent_days=14&max_per_category=1",
            _ => "k=20&kind=category&exclude_recent_days=14",
        };
        let got = served(&c, member, query);
        assert_same_list(&got, want, &format!("{member} {query}"));
        checked += 1;
    }
    assert!(checked >= 100, "checked {checked}");
    let mut longer = 0;
    for ((member, kind), want) in plain.iter().step_by(11) {
        let got = served(&c, member, &format!("k=50&kind={kind}"));
        assert_same_list(&got[..want.len()], want, &format!("{member} {kind} k=50"));
        longer += usize::from(got.len() > 30);
    }
    assert!(longer > 0, "no list longer than the 30 kept picks");
}

#[test]
fn storefront_options_out_of_range_are_refused() {
    let (_server, c, _dir, _) = spawn();
    let member = batch(&trained().1).keys().next().unwrap().0.clone();
    for (query, message) in [
        (
            "kind=item&max_per_category=0",
            "max_per_category must be between 1 and 20",
        ),
        (
            "kind=item&max_per_category=21",
            "max_per_category must be between 1 and 20",
        ),
        (
            "kind=category&max_per_category=2",
            "max_per_category applies to kind=item only",
        ),
        (
            "kind=item&exclude_recent_days=0",
            "exclude_recent_days must be between 1 and 365",
        ),
        (
            "kind=item&exclude_recent_days=366",
            "exclude_recent_days must be between 1 and 365",
        ),
    ] {
        let r = c.get(
            &format!("/v1/members/{member}/recommendations?{query}"),
            Some(STOREFRONT),
        );
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (400, "bad_request"),
            "{query}"
        );
        assert!(r.body.contains(message), "{query}: {}", r.body);
    }
}
