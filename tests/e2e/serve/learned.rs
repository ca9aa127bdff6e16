//! The served recommendations are the learned rankers' lists: the same ids, order and scores as
//! the `recommendations.csv` training wrote, computed by serving from the exported ONNX rankers
//! and tables.

use super::helpers::*;

#[test]
fn served_recommendations_equal_the_batch_file_training_wrote() {
    let (_server, c, _dir, _) = spawn();
    let mut reader = csv::Reader::from_path(trained().1.join("recommendations.csv")).unwrap();
    let mut batch: std::collections::BTreeMap<(String, String), Vec<(String, f32)>> =
        Default::default();
    for r in reader.records() {
        let r = r.unwrap();
        batch
            .entry((r[0].to_string(), r[1].to_string()))
            .or_default()
            .push((r[3].to_string(), r[4].parse().unwrap()));
    }
    let mut checked = 0;
    for ((member, kind), want) in batch.iter().step_by(37) {
        let v = c
            .get(
                &format!("/v1/members/{member}/recommendations?k=20&kind={kind}"),
                Some(STOREFRONT),
            )
            .json();
        assert_eq!(v["ranker"], "learned");
        assert_eq!(v["cold_start"], false);
        let got: Vec<(String, f32)> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["id"].as_str().unwrap().to_string(),
                    i["score"].as_f64().unwrap() as f32,
                )
            })
            .collect();
        assert_eq!(got.len(), want.len(), "{member} {kind}");
        for ((gi, gs), (wi, ws)) in got.iter().zip(want) {
            assert_eq!(gi, wi, "{member} {kind}: {got:?} vs {want:?}");
            assert!((gs - ws).abs() < 1e-5, "{member} {kind} {gi}: {gs} vs {ws}");
        }
        checked += 1;
    }
    assert!(checked >= 100, "checked {checked}");
}
