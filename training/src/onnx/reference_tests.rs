//! Parity with onnxruntime: the committed fixture holds onnxruntime's outputs on models this
//! exporter wrote (see `tests/fixtures/onnx_reference.py`).

use std::path::Path;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use tract_onnx::pb::ModelProto;

use super::test_support::{
    assert_close, export_and_load, grid_rows, meta, random_ensemble, random_linear, tree_probs,
};
use super::*;

/// Models and inputs evaluated once by onnxruntime (see tests/fixtures/onnx_reference.py).
#[derive(Serialize, Deserialize)]
struct OnnxReference {
    logistic: Linear,
    trees: TreeEnsemble,
    positive_trees: TreeEnsemble,
    n_features: usize,
    logistic_rows: Vec<f32>,
    tree_rows: Vec<f32>,
    #[serde(default)]
    onnxruntime: Option<OrtOutputs>,
}

#[derive(Serialize, Deserialize)]
struct OrtOutputs {
    version: String,
    logistic: Vec<f32>,
    trees: Vec<f32>,
    positive_trees: Vec<f32>,
}

const N_REF_ROWS: usize = 200;

fn reference_spec() -> OnnxReference {
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    let d = 6;
    let logistic = random_linear(&mut rng, d);
    let trees = random_ensemble(&mut rng, d, 25);
    let logistic_rows = grid_rows(&mut rng, N_REF_ROWS, d, None);
    let tree_rows = grid_rows(&mut rng, N_REF_ROWS, d, Some(&trees));
    let mut positive_trees = random_ensemble(&mut rng, d, 10);
    positive_trees.base_score = 0.25;
    positive_trees.calibration = None;
    for node in positive_trees.trees.iter_mut().flat_map(|t| &mut t.nodes) {
        if let Node::Leaf { value } = node {
            *value = value.abs();
        }
    }
    OnnxReference {
        logistic,
        trees,
        positive_trees,
        n_features: d,
        logistic_rows,
        tree_rows,
        onnxruntime: None,
    }
}

fn reference_models(spec: &OnnxReference) -> [(&'static str, ModelProto); 3] {
    let d = spec.n_features;
    [
        (
            "logistic",
            export_logistic(&spec.logistic, &meta("churn", d)),
        ),
        ("trees", export_tree_ensemble(&spec.trees, &meta("next", d))),
        (
            "positive_trees",
            export_tree_ensemble(&spec.positive_trees, &meta("next", d)),
        ),
    ]
    .map(|(name, proto)| (name, proto.expect("export")))
}

#[test]
fn tract_agrees_with_onnxruntime_on_the_committed_fixture() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/onnx_reference.json"
    );
    let text = std::fs::read_to_string(path).expect("fixture");
    let fixture: OnnxReference = serde_json::from_str(&text).expect("parse");
    let ort = fixture
        .onnxruntime
        .as_ref()
        .expect("fixture holds onnxruntime outputs");
    let d = fixture.n_features;
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, proto) in reference_models(&fixture) {
        let (rows, want, rust): (&[f32], &[f32], Vec<f32>) = match name {
            "logistic" => {
                let rows = &fixture.logistic_rows;
                (rows, &ort.logistic, fixture.logistic.predict(rows))
            }
            "trees" => {
                let rows = &fixture.tree_rows;
                (rows, &ort.trees, tree_probs(&fixture.trees, d, rows))
            }
            _ => {
                let rows = &fixture.tree_rows;
                let rust = tree_probs(&fixture.positive_trees, d, rows);
                (rows, &ort.positive_trees, rust)
            }
        };
        let got = export_and_load(&proto, dir.path(), "m.onnx", d).predict(rows, N_REF_ROWS);
        assert_close(
            &got.expect("predict"),
            want.iter().copied(),
            &format!("{name}: tract vs ORT"),
        );
        assert_close(
            &rust,
            want.iter().copied(),
            &format!("{name}: the evaluator vs ORT"),
        );
    }
}

/// Writes the models and inputs that `tests/fixtures/onnx_reference.py` feeds to onnxruntime.
#[test]
#[ignore = "fixture generation: run by tests/fixtures/onnx_reference.py"]
fn write_onnx_reference_inputs() {
    let dir = std::env::var("TIEFEN_ONNX_REF_DIR").expect("TIEFEN_ONNX_REF_DIR is set");
    let dir = Path::new(&dir);
    let spec = reference_spec();
    for (name, proto) in reference_models(&spec) {
        write_model(&proto, dir.join(format!("{name}.onnx"))).expect("write");
    }
    let json = serde_json::to_string(&spec).expect("json");
    std::fs::write(dir.join("spec.json"), json).expect("write spec");
}

/// The gather encoding of the fixture's tree ensembles, run by tract, gives onnxruntime's
/// outputs for the `TreeEnsembleClassifier` encoding of the same trees.
#[test]
fn gather_export_agrees_with_onnxruntime_on_the_committed_fixture() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/onnx_reference.json"
    );
    let text = std::fs::read_to_string(path).expect("fixture");
    let fixture: OnnxReference = serde_json::from_str(&text).expect("parse");
    let ort = fixture.onnxruntime.as_ref().expect("onnxruntime outputs");
    let d = fixture.n_features;
    let dir = tempfile::tempdir().expect("tempdir");
    for (trees, want, name) in [
        (&fixture.trees, &ort.trees, "trees"),
        (
            &fixture.positive_trees,
            &ort.positive_trees,
            "positive_trees",
        ),
    ] {
        let proto = export_tree_ensemble_gather(trees, &meta("next", d)).expect("export");
        let got = export_and_load(&proto, dir.path(), "g.onnx", d)
            .predict(&fixture.tree_rows, N_REF_ROWS)
            .expect("predict");
        assert_close(
            &got,
            want.iter().copied(),
            &format!("{name}: gather export in tract vs ORT"),
        );
    }
}
