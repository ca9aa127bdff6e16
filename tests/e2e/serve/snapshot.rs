//! The answer snapshot training writes is what serving would compute: every member of the
//! bundled sample, answered from scratch by serving's own code, equals the snapshot (churn
//! probabilities within the export tolerance, everything else exactly), and a folder of an
//! older format is refused naming the file and both versions.

use serving::domain::answer::{Names, answers};
use serving::domain::learned::LearnedRanker;
use serving::model::{Loaded, Models};

use super::helpers::*;

#[test]
fn every_member_s_snapshot_answer_equals_the_answer_serving_computes_from_scratch() {
    assert_snapshot_is_served(&trained().0);
}

/// A model fitted on a member sample read from member-hash buckets and written a bucket at a
/// time (its members in bucket order) is served the same way.
#[test]
fn a_bucketed_runs_snapshot_equals_the_answers_serving_computes_from_scratch() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::train::config(
        &crate::train::sample("sample/orders.csv"),
        dir.path(),
        "2024-12-04",
    );
    config.buckets = 3;
    config.chunk_members = 100;
    config.churn = training::pipeline::ChurnParams::new()
        .seed(config.seed)
        .fit_members(1_000)
        .check()
        .unwrap();
    training::pipeline::run(&config).unwrap();
    assert_snapshot_is_served(&dir.path().join("models"));
}

fn assert_snapshot_is_served(models_dir: &std::path::Path) {
    let Loaded {
        models,
        state,
        answers: snapshot,
    } = Models::load(models_dir).unwrap();
    let mut store = state;
    let params = models.recommend.as_ref().unwrap().candidates;
    let learned: Vec<LearnedRanker> = models
        .rankers
        .iter()
        .map(|r| LearnedRanker::resolve(r, &mut store, params))
        .collect();
    assert_eq!(
        snapshot.codec.kinds(),
        learned.iter().map(|r| r.kind).collect::<Vec<_>>()
    );
    let snapshot: Vec<_> = snapshot
        .records()
        .map(|r| snapshot.codec.decode(r).unwrap())
        .collect();
    let unpacked = store.unpacked();
    let members: Vec<_> = unpacked.iter().collect();
    let computed = answers(&members, &models, &learned, Names::of(&store)).unwrap();
    assert_eq!(computed.len(), snapshot.len());
    let mut with_churn = 0;
    for (i, (got, want)) in computed.iter().zip(&snapshot).enumerate() {
        let id = store.ids.name(i as u32);
        assert_eq!(got.as_of, want.as_of, "{id}");
        assert_eq!(got.portrait, want.portrait, "{id}");
        assert_eq!(got.own_categories, want.own_categories, "{id}");
        assert_eq!(got.own_items, want.own_items, "{id}");
        assert_eq!(got.learned, want.learned, "{id}: learned picks");
        match (&got.churn, &want.churn) {
            (Some(g), Some(w)) => {
                with_churn += 1;
                assert!(
                    (g.probability - w.probability).abs() <= 1e-5,
                    "{id}: tract {} snapshot {}",
                    g.probability,
                    w.probability
                );
                assert_eq!(g.band, w.band, "{id}");
                assert_eq!(g.reasons, w.reasons, "{id}");
                assert_eq!(g.expected_purchases, w.expected_purchases, "{id}");
                assert_eq!(
                    g.days_since_last_purchase, w.days_since_last_purchase,
                    "{id}"
                );
            }
            (None, None) => {}
            _ => panic!("{id}: churn answer in one only"),
        }
    }
    assert_eq!(with_churn, 2_134);
    assert!(snapshot.iter().any(|a| a.learned[1].len() == 30));
}

#[test]
fn a_folder_of_an_older_format_is_refused_naming_the_file_and_the_versions() {
    let dir = tempfile::tempdir().unwrap();
    let models = models_copy(dir.path());
    let card_path = std::fs::canonicalize(models.join("current"))
        .unwrap()
        .join("card.json");
    let mut card: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&card_path).unwrap()).unwrap();
    card.as_object_mut().unwrap().remove("format_version");
    std::fs::write(&card_path, card.to_string()).unwrap();
    let err = Models::load(&models)
        .expect_err("loaded an old folder")
        .to_string();
    assert!(
        err.contains("card.json has folder format version 0, this build reads version 5"),
        "{err}"
    );
}

#[test]
fn a_folder_without_its_answer_snapshot_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let models = models_copy(dir.path());
    let folder = std::fs::canonicalize(models.join("current")).unwrap();
    std::fs::remove_file(folder.join("answers.bin")).unwrap();
    let err = Models::load(&models)
        .expect_err("loaded without answers")
        .to_string();
    assert!(err.contains("answers.bin"), "{err}");
}
