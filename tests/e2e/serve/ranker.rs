//! The native ranker serving evaluates, read from the ONNX files training exports, agrees with
//! tract's plan of the same files and, to the bit, with the evaluator training scores with;
//! ranker files that are not a well-formed gather-tree graph are refused with an error naming
//! the file and the problem.

use std::path::{Path, PathBuf};

use features::recommend::RANK_LEN;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serving::Error;
use serving::domain::learned::LearnedRanker;
use serving::model::{Models, TractPlan};
use tract_onnx::pb::{ModelProto, TensorProto};
use tract_onnx::prelude::Framework;
use training::onnx::testing::{grid_rows, random_tree};
use training::onnx::{ExportMeta, TreeEnsemble, export_tree_ensemble_gather, write_model};

use super::helpers::*;

const TOL: f32 = 1e-5;

/// Rows on the grid of `training::onnx::testing::grid_rows` (a third of the cells on a
/// threshold of the ensemble), with one cell in 20 `NaN`.
fn rows_for(rng: &mut ChaCha8Rng, model: &TreeEnsemble, n: usize, d: usize) -> Vec<f32> {
    let mut rows = grid_rows(rng, n, d, Some(model));
    for _ in 0..n * d / 20 {
        rows[rng.random_range(0..n * d)] = f32::NAN;
    }
    rows
}

fn assert_agree(native: &[f32], tract: &[f32], what: &str) {
    assert_eq!(native.len(), tract.len(), "{what}");
    for (i, (a, b)) in native.iter().zip(tract).enumerate() {
        assert!(
            (a - b).abs() <= TOL,
            "{what} row {i}: native {a}, tract {b}"
        );
    }
}

#[test]
fn native_ranker_agrees_with_tract_on_random_exported_ensembles() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(20261123);
    for (case, (n_trees, depth, d)) in [
        (1, 1, 2),
        (7, 3, 5),
        (100, 5, RANK_LEN),
        (30, 7, 4),
        (5, 0, 3),
    ]
    .into_iter()
    .enumerate()
    {
        let model = TreeEnsemble {
            trees: (0..n_trees)
                .map(|_| random_tree(&mut rng, d, depth))
                .collect(),
            base_score: rng.random_range(-1.0..1.0),
            calibration: Some((rng.random_range(0.5..1.5), rng.random_range(-0.5..0.5))),
        };
        let meta = ExportMeta {
            model_name: "ranker".into(),
            version: "1".into(),
            schema_hash: "test".into(),
            feature_names: (0..d).map(|i| format!("f{i}")).collect(),
            extra: Vec::new(),
        };
        let path = dir.path().join(format!("ranker{case}.onnx"));
        write_model(&export_tree_ensemble_gather(&model, &meta).unwrap(), &path).unwrap();
        let native = serving::model::trees::load(&path, d).unwrap();
        let tract = TractPlan::load_checked(&path, d, "test").unwrap();
        for n in [1, 8, 13, 300] {
            let rows = rows_for(&mut rng, &model, n, d);
            let what = format!("{n_trees} trees of depth {depth}, {n} rows");
            assert_agree(
                &native.predict_vec(&rows),
                &tract.predict(&rows).unwrap(),
                &what,
            );
            // Training scores its batch lists in the native evaluator's arithmetic, so the two
            // agree to the bit (and near-ties sort the same way in both).
            let served: Vec<u32> = native
                .predict_vec(&rows)
                .iter()
                .map(|p| p.to_bits())
                .collect();
            let batch: Vec<u32> = model
                .gather_trees(d)
                .unwrap()
                .predict_vec(&rows)
                .iter()
                .map(|p| p.to_bits())
                .collect();
            assert_eq!(
                served, batch,
                "{what}: the loaded file and training's evaluator"
            );
        }
    }
}

#[test]
fn native_ranker_agrees_with_tract_on_every_sample_member_s_candidates() {
    let serving::model::Loaded { models, state, .. } = Models::load(&trained().0).unwrap();
    let mut store = state;
    let params = models.recommend.as_ref().unwrap().candidates;
    assert_eq!(models.rankers.len(), 2);
    for loaded in &models.rankers {
        let ranker = LearnedRanker::resolve(loaded, &mut store, params);
        let rows: Vec<f32> = store
            .unpacked()
            .iter()
            .filter(|m| !m.lines.is_empty())
            .flat_map(|m| ranker.candidates(m, m.answer_day(models.churn.as_of)).rows)
            .collect();
        assert!(
            rows.len() / RANK_LEN > 10_000,
            "{} rows",
            rows.len() / RANK_LEN
        );
        let what = format!("{:?}", loaded.kind);
        assert_agree(
            &ranker.ranker.predict_vec(&rows),
            &loaded.reference.predict(&rows).unwrap(),
            &what,
        );
    }
}

#[test]
fn a_ranker_that_tract_reads_differently_is_refused_naming_the_file() {
    let serving::model::Loaded { models, state, .. } = Models::load(&trained().0).unwrap();
    let mut store = state;
    let params = models.recommend.as_ref().unwrap().candidates;
    let categories = LearnedRanker::resolve(&models.rankers[0], &mut store, params);
    let mut swapped = models.rankers[0].clone();
    swapped.reference = models.rankers[1].reference.clone();
    let members = store.unpacked();
    let dated: Vec<_> = members
        .iter()
        .filter(|m| !m.lines.is_empty())
        .map(|m| (m, m.answer_day(models.churn.as_of)))
        .collect();
    assert!(
        categories
            .check_against_tract(&models.rankers[0], &dated)
            .unwrap()
            > 1_000
    );
    let err = categories
        .check_against_tract(&swapped, &dated)
        .expect_err("accepted another model's tract plan");
    let Error::ModelFile { path, reason } = &err else {
        panic!("{err}");
    };
    assert_eq!(path, &swapped.path);
    assert!(
        reason.contains("the two read the ranker differently"),
        "{reason}"
    );
}

fn initializer<'p>(proto: &'p mut ModelProto, name: &str) -> &'p mut TensorProto {
    let graph = proto.graph.as_mut().unwrap();
    graph
        .initializer
        .iter_mut()
        .find(|t| t.name == name)
        .unwrap()
}

/// A private copy of the sample models with `next_category.onnx` rewritten by `edit`;
/// returns the models folder and the ranker file.
fn broken_copy(dir: &Path, edit: impl FnOnce(&mut ModelProto)) -> (PathBuf, PathBuf) {
    let models = models_copy(dir);
    let version = std::fs::canonicalize(models.join("current")).unwrap();
    let file = version.join("next_category.onnx");
    let mut proto = tract_onnx::onnx().proto_model_for_path(&file).unwrap();
    edit(&mut proto);
    write_model(&proto, &file).unwrap();
    (models, file)
}

/// Loads the sample models with `next_category.onnx` rewritten by `edit`, expects the
/// refusal to name that file, and returns the reason.
fn refusal(edit: impl FnOnce(&mut ModelProto)) -> String {
    let dir = tempfile::tempdir().unwrap();
    let (models, file) = broken_copy(dir.path(), edit);
    let err = Models::load(&models).expect_err("loaded a malformed ranker");
    assert!(
        err.to_string().contains(&file.display().to_string()),
        "{err}"
    );
    match err {
        Error::ModelFile { path, reason } if path == file => reason,
        other => panic!("not a ModelFile error for {}: {other}", file.display()),
    }
}

#[test]
fn a_ranker_with_a_wrongly_shaped_initializer_is_refused_naming_the_file() {
    let mut m = 0;
    let reason = refusal(|p| {
        let t = initializer(p, "node_threshold");
        m = t.dims[0];
        t.dims = vec![m, 1];
    });
    assert_eq!(
        reason,
        format!("initializer \"node_threshold\" has shape [{m}, 1], expected [{m}]")
    );
}

#[test]
fn a_ranker_missing_an_initializer_is_refused_naming_the_file() {
    let reason = refusal(|p| {
        let graph = p.graph.as_mut().unwrap();
        graph.initializer.retain(|t| t.name != "node_right");
    });
    assert_eq!(reason, "initializer \"node_right\" is missing");
}

#[test]
fn a_ranker_with_a_child_outside_the_nodes_is_refused_naming_the_file() {
    let (mut at, mut m) = (0, 0);
    let reason = refusal(|p| {
        let left = &mut initializer(p, "node_left").int64_data;
        m = left.len() as i64;
        at = (0..left.len()).find(|&i| left[i] != i as i64).unwrap();
        left[at] = m + 7;
    });
    assert_eq!(
        reason,
        format!("node_left[{at}] = {} is outside the {m} nodes", m + 7)
    );
}

#[test]
fn a_ranker_with_a_cycle_is_refused_and_the_server_does_not_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut tree = 0;
    let (models, file) = broken_copy(dir.path(), |p| {
        let roots = initializer(p, "roots").int64_data.clone();
        let left = &mut initializer(p, "node_left").int64_data;
        tree = (0..roots.len())
            .find(|&t| {
                let child = left[roots[t] as usize];
                child != roots[t] && left[child as usize] != child
            })
            .unwrap();
        let root = roots[tree];
        let child = left[root as usize] as usize;
        left[child] = root;
    });
    let settings = settings(&models, &dir.path().join("events.log"), None);
    let err = Server::try_start(settings)
        .err()
        .expect("started on a ranker with a cycle");
    let Error::ModelFile { path, reason } = &err else {
        panic!("{err}");
    };
    assert_eq!(path, &file);
    assert!(
        reason.starts_with(&format!("tree {tree} has a cycle through node ")),
        "{reason}"
    );
}

#[test]
fn a_ranker_graph_that_is_not_the_gather_tree_form_is_refused_naming_the_file() {
    let reason = refusal(|p| {
        let graph = p.graph.as_mut().unwrap();
        let less = graph.node.iter_mut().find(|n| n.op_type == "Less").unwrap();
        less.op_type = "Greater".into();
    });
    assert!(
        reason.contains("is Greater(") && reason.contains("the gather-tree form has Less("),
        "{reason}"
    );
    let reason = refusal(|p| {
        let kind = p
            .metadata_props
            .iter_mut()
            .find(|m| m.key == "model_kind")
            .unwrap();
        kind.value = "tree_ensemble".into();
    });
    assert!(
        reason.starts_with("model_kind is Some(\"tree_ensemble\")"),
        "{reason}"
    );
}
