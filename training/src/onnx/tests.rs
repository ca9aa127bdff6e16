use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tract_onnx::prelude::Framework;

use super::test_support::*;
use super::*;
use crate::error::Error;

#[test]
fn exported_logistic_matches_the_evaluator_on_random_rows() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let dir = tempfile::tempdir().expect("tempdir");
    for (d, calibrated) in [(1, false), (7, true), (23, true)] {
        let mut model = random_linear(&mut rng, d);
        if !calibrated {
            model.calibration = None;
        }
        let loaded = export_and_load(
            &export_logistic(&model, &meta("churn", d)).expect("export"),
            dir.path(),
            "l.onnx",
            d,
        );
        let rows: Vec<f32> = (0..3000 * d).map(|_| rng.random_range(-6.0..6.0)).collect();
        let got = loaded.predict(&rows, 3000).expect("predict");
        assert_close(&got, model.predict(&rows).into_iter(), "logistic");
    }
}

#[test]
fn exported_logistic_applies_the_signed_log1p_mask_like_the_evaluator() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let dir = tempfile::tempdir().expect("tempdir");
    let d = 9;
    let mut model = random_linear(&mut rng, d);
    model.log1p = (0..d).map(|j| j % 3 != 0).collect();
    let loaded = export_and_load(
        &export_logistic(&model, &meta("churn", d)).expect("export"),
        dir.path(),
        "log.onnx",
        d,
    );
    let rows: Vec<f32> = (0..2000 * d)
        .map(|i| match i % 4 {
            0 => rng.random_range(-50_000.0..50_000.0),
            1 => rng.random_range(-1.0..1.0),
            2 => 0.0,
            _ => rng.random_range(0.0..400.0),
        })
        .collect();
    let got = loaded.predict(&rows, 2000).expect("predict");
    assert_close(
        &got,
        model.predict(&rows).into_iter(),
        "logistic with log1p",
    );
    let plain = Linear {
        log1p: Vec::new(),
        ..model.clone()
    };
    let row = [1000.0f32; 9];
    assert_ne!(
        plain.predict_row(&row),
        model.predict_row(&row),
        "the mask must change the prediction"
    );
}

#[test]
fn exported_trees_match_the_evaluator_including_rows_on_thresholds() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let dir = tempfile::tempdir().expect("tempdir");
    // tract's tree kernel is slow in debug builds (~0.2 ms per 100 tree-rows), hence the sizes.
    for (d, n_trees, n_rows, calibrated) in [
        (1, 1, 1000, false),
        (5, 30, 1500, true),
        (12, 60, 500, false),
    ] {
        let mut model = random_ensemble(&mut rng, d, n_trees);
        if !calibrated {
            model.calibration = None;
        }
        let proto = export_tree_ensemble(&model, &meta("next", d)).expect("export");
        let loaded = export_and_load(&proto, dir.path(), "t.onnx", d);
        let rows = grid_rows(&mut rng, n_rows, d, Some(&model));
        let got = loaded.predict(&rows, n_rows).expect("predict");
        assert_close(&got, tree_probs(&model, d, &rows).into_iter(), "trees");
    }
}

#[test]
fn metadata_round_trips_through_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = random_linear(&mut ChaCha8Rng::seed_from_u64(3), 3);
    let path = dir.path().join("churn.onnx");
    write_model(
        &export_logistic(&model, &meta("churn", 3)).expect("export"),
        &path,
    )
    .expect("write");
    let props = read_metadata(&path).expect("metadata");
    assert_eq!(props["model_name"], "churn");
    assert_eq!(props["version"], "2024.1");
    assert_eq!(props["schema_hash"], "feedbeef");
    assert_eq!(props["feature_names"], r#"["f0","f1","f2"]"#);
    assert_eq!(props["n_features"], "3");
    assert_eq!(props["model_kind"], "logistic");
    assert_eq!(props["auc"], "0.81");
    let proto = tract_onnx::onnx()
        .proto_model_for_path(&path)
        .expect("proto");
    assert_eq!(proto.producer_name, PRODUCER_NAME);
}

#[test]
fn write_model_replaces_the_file_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("m.onnx");
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    for _ in 0..2 {
        let proto = export_logistic(&random_linear(&mut rng, 2), &meta("m", 2)).expect("export");
        write_model(&proto, &path).expect("write");
        let bytes = std::fs::read(&path).expect("read back");
        assert_eq!(bytes, prost::Message::encode_to_vec(&proto));
    }
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("ls")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("m.onnx")]);
    let missing_dir = dir.path().join("nope").join("m.onnx");
    let proto = export_logistic(&random_linear(&mut rng, 2), &meta("m", 2)).expect("export");
    assert!(matches!(
        write_model(&proto, &missing_dir),
        Err(Error::Io { .. })
    ));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            |p: &std::path::Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
        let plain = dir.path().join("plain");
        std::fs::File::create(&plain).expect("create");
        assert_eq!(
            mode(&path),
            mode(&plain) & 0o644,
            "readable like a normally created file"
        );
    }
}

#[test]
fn exporters_reject_inconsistent_models() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut model = random_linear(&mut rng, 3);
    assert!(matches!(
        export_logistic(&model, &meta("m", 4)),
        Err(Error::FeatureCountMismatch {
            expected: 3,
            got: 4
        })
    ));
    model.scales[1] = 0.0;
    assert!(matches!(
        export_logistic(&model, &meta("m", 3)),
        Err(Error::InvalidModel { .. })
    ));
    let mut reserved = meta("m", 3);
    reserved.extra.push(("schema_hash".into(), "x".into()));
    let ok = random_linear(&mut rng, 3);
    assert!(matches!(
        export_logistic(&ok, &reserved),
        Err(Error::InvalidModel { .. })
    ));
    let trees = random_ensemble(&mut rng, 6, 3);
    assert!(matches!(
        export_tree_ensemble(&trees, &meta("t", 2)),
        Err(Error::InvalidModel { .. })
    ));
    let cyclic = TreeEnsemble {
        trees: vec![Tree {
            nodes: vec![Node::Branch {
                feature: 0,
                threshold: 0.0,
                left: 0,
                right: 0,
                missing_goes_left: true,
            }],
        }],
        base_score: 0.0,
        calibration: None,
    };
    assert!(matches!(
        export_tree_ensemble(&cyclic, &meta("t", 1)),
        Err(Error::InvalidModel { .. })
    ));
}

#[test]
fn predict_rejects_a_batch_of_the_wrong_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = random_linear(&mut ChaCha8Rng::seed_from_u64(6), 3);
    let loaded = export_and_load(
        &export_logistic(&model, &meta("m", 3)).expect("export"),
        dir.path(),
        "m.onnx",
        3,
    );
    assert!(matches!(
        loaded.predict(&[1.0; 7], 2),
        Err(Error::FeatureCountMismatch {
            expected: 6,
            got: 7
        })
    ));
    assert_eq!(
        loaded.predict(&[], 0).expect("empty batch"),
        Vec::<f32>::new()
    );
    assert!(matches!(
        LoadedModel::load(dir.path().join("absent.onnx"), 3),
        Err(Error::OnnxLoad { .. })
    ));
}

#[test]
fn exported_trees_route_nan_as_each_split_says() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let dir = tempfile::tempdir().expect("tempdir");
    let model = random_ensemble(&mut rng, 4, 20);
    let proto = export_tree_ensemble(&model, &meta("next", 4)).expect("export");
    let loaded = export_and_load(&proto, dir.path(), "t.onnx", 4);
    let mut rows = grid_rows(&mut rng, 400, 4, Some(&model));
    for cell in rows.iter_mut().step_by(3) {
        *cell = f32::NAN;
    }
    let got = loaded.predict(&rows, 400).expect("predict");
    assert_close(
        &got,
        rows.chunks(4).map(|r| walk_with_missing(&model, r)),
        "trees with NaN",
    );
}

#[test]
fn gather_export_matches_the_evaluator_including_rows_on_thresholds() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let dir = tempfile::tempdir().expect("tempdir");
    for (d, n_trees, n_rows, calibrated) in [
        (1, 1, 500, false),
        (5, 30, 2000, true),
        (29, 100, 2000, false),
    ] {
        let mut model = random_ensemble(&mut rng, d, n_trees);
        if !calibrated {
            model.calibration = None;
        }
        let proto = export_tree_ensemble_gather(&model, &meta("next", d)).expect("export");
        let loaded = export_and_load(&proto, dir.path(), "g.onnx", d);
        let rows = grid_rows(&mut rng, n_rows, d, Some(&model));
        let got = loaded.predict(&rows, n_rows).expect("predict");
        assert_close(&got, tree_probs(&model, d, &rows).into_iter(), "gather");
    }
}

#[test]
fn gather_export_of_single_leaf_trees_is_the_constant_probability() {
    let model = TreeEnsemble {
        trees: vec![
            Tree {
                nodes: vec![Node::Leaf { value: 0.5 }],
            },
            Tree {
                nodes: vec![Node::Leaf { value: -1.5 }],
            },
        ],
        base_score: 0.25,
        calibration: None,
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let proto = export_tree_ensemble_gather(&model, &meta("next", 3)).expect("export");
    let loaded = export_and_load(&proto, dir.path(), "c.onnx", 3);
    let got = loaded
        .predict(&[1.0, 2.0, 3.0, -4.0, 0.0, 9.0], 2)
        .expect("predict");
    let p = 1.0 / (1.0 + (0.75f32).exp());
    assert_close(&got, [p, p].into_iter(), "single leaves");
}

#[test]
fn logit_sum_export_matches_the_evaluator_and_is_the_sum_of_both_logits() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let dir = tempfile::tempdir().expect("tempdir");
    let d = 9;
    let mut linear = random_linear(&mut rng, d);
    linear.log1p = (0..d).map(|j| j % 2 == 0).collect();
    let trees = random_ensemble(&mut rng, d, 40);
    let model = LogitSum {
        linear: linear.clone(),
        trees: trees.clone(),
    };
    let proto = export_logit_sum(&model, &meta("churn", d)).expect("export");
    let loaded = export_and_load(&proto, dir.path(), "s.onnx", d);
    let rows = grid_rows(&mut rng, 2000, d, Some(&trees));
    let got = loaded.predict(&rows, 2000).expect("predict");
    let summed = sum_probs(&model, &rows);
    assert_close(&got, summed.iter().copied(), "sum");
    // The sum of the parts' logits, each with its own calibration.
    let logit = |p: f32| (f64::from(p) / (1.0 - f64::from(p))).ln();
    let tree_p = tree_probs(&trees, d, &rows);
    for (i, r) in rows.chunks(d).take(50).enumerate() {
        let both = logit(linear.predict_row(r)) + logit(tree_p[i]);
        let want = 1.0 / (1.0 + (-both).exp());
        assert!((f64::from(summed[i]) - want).abs() < 1e-5);
    }
    // The parts must agree on the width.
    let narrow = LogitSum {
        linear: random_linear(&mut rng, 2),
        trees,
    };
    assert!(export_logit_sum(&narrow, &meta("churn", 2)).is_err());
}
