use super::*;

const E1: f32 = std::f32::consts::E - 1.0;

fn linear() -> Linear {
    Linear {
        log1p: vec![true, false],
        offsets: vec![1.0, 2.0],
        scales: vec![2.0, 4.0],
        weights: vec![0.5, -1.0],
        intercept: 0.25,
        calibration: Some((2.0, -0.5)),
    }
}

/// Tree 0 splits on column 1 at 5 (left leaf 0.3, right leaf -0.7); tree 1 is one leaf 0.2.
fn trees() -> TreeArrays {
    TreeArrays {
        levels: 1,
        arrays: GatherArrays {
            roots: vec![0, 3],
            feature: vec![1, 0, 0, 0],
            threshold: vec![5.0, 0.0, 0.0, 0.0],
            left: vec![1, 1, 2, 3],
            right: vec![2, 1, 2, 3],
            value: vec![0.0, 0.3, -0.7, 0.2],
            base_logit: 0.1,
        },
    }
}

fn sigmoid64(z: f64) -> f32 {
    (1.0 / (1.0 + (-z).exp())) as f32
}

#[test]
fn the_linear_logit_is_the_hand_computed_one() {
    // t0 = ln(1 + (e - 1)) = 1: term 0 = 0.5 (1 - 1) / 2 = 0; term 1 = -(6 - 2) / 4 = -1;
    // raw = -1 + 0.25 = -0.75; calibrated = 2 (-0.75) - 0.5 = -2.
    let m = linear();
    assert!((m.raw_logit_row(&[E1, 6.0]) + 0.75).abs() < 1e-6);
    assert!((m.logit_row(&[E1, 6.0]) + 2.0).abs() < 1e-6);
    // The signed log1p is odd: t0 = -1, term 0 = 0.5 (-1 - 1) / 2 = -0.5, calibrated -3.
    assert!((m.logit_row(&[-E1, 6.0]) + 3.0).abs() < 1e-6);
    assert!((m.predict_row(&[E1, 6.0]) - 0.119_202_92).abs() < 1e-6);
}

#[test]
fn each_kind_evaluates_its_parts_and_the_blend_adds_their_logits() {
    let rows = [E1, 6.0, E1, 4.0];
    let logistic = ScoringModel::Logistic { linear: linear() };
    let trees_only = ScoringModel::BoostedTrees { trees: trees() };
    let blend = ScoringModel::LogisticTreesBlend {
        linear: linear(),
        trees: trees(),
    };
    let l = ChurnEvaluator::new(&logistic, 2).unwrap().logits(&rows);
    let t = ChurnEvaluator::new(&trees_only, 2).unwrap().logits(&rows);
    let b = ChurnEvaluator::new(&blend, 2).unwrap();
    // Trees: 6 goes right (-0.7), 4 goes left (0.3); plus the leaf 0.2 and base 0.1.
    assert!(
        (t[0] + 0.4).abs() < 1e-6 && (t[1] - 0.6).abs() < 1e-6,
        "{t:?}"
    );
    // Row 2: term 1 = -(4 - 2) / 4 = -0.5, raw = -0.25, calibrated 2 (-0.25) - 0.5 = -1.
    assert!(
        (l[0] + 2.0).abs() < 1e-6 && (l[1] + 1.0).abs() < 1e-6,
        "{l:?}"
    );
    assert_eq!(b.logits(&rows), vec![l[0] + t[0], l[1] + t[1]]);
    let p = b.predict(&rows);
    assert_eq!(p, vec![sigmoid64(l[0] + t[0]), sigmoid64(l[1] + t[1])]);
    assert_eq!(b.predict_row(&rows[2..]), p[1]);
}

#[test]
fn a_model_that_does_not_fit_the_rows_is_refused_naming_the_part() {
    let wide = ScoringModel::Logistic { linear: linear() };
    let err = ChurnEvaluator::new(&wide, 3).unwrap_err();
    assert_eq!(err, "linear part: 2 columns, the rows have 3");
    let mut bad = linear();
    bad.scales[1] = 0.0;
    let err = ChurnEvaluator::new(&ScoringModel::Logistic { linear: bad }, 2).unwrap_err();
    assert_eq!(err, "linear part: the linear model has a zero scale");
    let mut t = trees();
    t.arrays.feature[0] = 7;
    let err = ChurnEvaluator::new(&ScoringModel::BoostedTrees { trees: t }, 2).unwrap_err();
    assert!(err.starts_with("trees part: node_feature[0] = 7"), "{err}");
}

#[test]
fn the_stored_form_names_its_kind_and_reads_back_equal() {
    let blend = ScoringModel::LogisticTreesBlend {
        linear: linear(),
        trees: trees(),
    };
    let json = serde_json::to_value(&blend).unwrap();
    assert_eq!(json["kind"], "logistic_trees_blend");
    assert_eq!(json["trees"]["levels"], 1);
    let back: ScoringModel = serde_json::from_value(json).unwrap();
    assert_eq!(back, blend);
    assert_eq!(back.kind(), "logistic_trees_blend");
}
