use features::churn::Linear;
use features::spec::{LEN, idx};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, LogNormal, Normal};

use super::boosted::f32_threshold;
use super::calibrate::fit_platt_f64;
use super::*;
use crate::error::{Error, ParamsError};
use crate::metrics::{brier, roc_auc};
use crate::onnx::Node;

const D: usize = 6;

/// `n` rows of six columns: days (exponential, whole), a count (whole), money (log-normal),
/// a standard normal, a share in `[0, 1]` and a flag; churn follows a known logit.
fn synthetic(n: usize, seed: u64) -> (Vec<f32>, Vec<bool>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (days, money, normal) = (
        Exp::<f64>::new(1.0 / 40.0).unwrap(),
        LogNormal::new(3.0, 1.0).unwrap(),
        Normal::new(0.0, 1.0).unwrap(),
    );
    let mut data = Vec::with_capacity(n * D);
    let mut labels = Vec::with_capacity(n);
    for _ in 0..n {
        let row = [
            days.sample(&mut rng).floor(),
            f64::from(rng.random_range(0..12u8)),
            money.sample(&mut rng),
            normal.sample(&mut rng),
            rng.random::<f64>(),
            f64::from(u8::from(rng.random_bool(0.3))),
        ];
        let logit = 0.03 * row[0] - 0.6 * row[1].ln_1p() - 0.2 * row[2].ln_1p() + 0.8 * row[3]
            - row[4]
            + 0.5 * row[5];
        labels.push(rng.random_bool(sigmoid(logit)));
        data.extend(row.map(|v| v as f32));
    }
    (data, labels)
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

#[test]
fn params_defaults_are_the_documented_ones() {
    let logistic = LogisticParams::new().check().unwrap();
    let boosted = BoostedParams::new().check().unwrap();

    assert_eq!(
        (logistic.l2(), logistic.max_iter(), logistic.tol()),
        (1e-3, 200, 1e-5)
    );
    assert_eq!(logistic.log1p(), &Log1pColumns::FeatureSpec);
    assert_eq!(
        (
            boosted.iterations(),
            boosted.learning_rate(),
            boosted.max_depth()
        ),
        (100, 0.1, 4)
    );
    assert_eq!(
        (boosted.l2(), boosted.min_leaf_weight(), boosted.max_bin()),
        (1.0, 1.0, 256)
    );
    assert_eq!((boosted.num_threads(), boosted.seed()), (1, 0));
}

#[test]
fn params_reject_invalid_values_with_exact_variants() {
    assert!(matches!(
        LogisticParams::new().l2(-1.0).check(),
        Err(ParamsError::Penalizer(_))
    ));
    assert!(matches!(
        LogisticParams::new().max_iter(0).check(),
        Err(ParamsError::MaxIter(0))
    ));
    assert!(matches!(
        LogisticParams::new().tol(f64::NAN).check(),
        Err(ParamsError::Tolerance(_))
    ));
    assert!(matches!(
        BoostedParams::new().iterations(0).check(),
        Err(ParamsError::Iterations(0))
    ));
    assert!(matches!(
        BoostedParams::new().learning_rate(1.5).check(),
        Err(ParamsError::LearningRate(_))
    ));
    assert!(matches!(
        BoostedParams::new().max_depth(0).check(),
        Err(ParamsError::MaxDepth(0))
    ));
    assert!(matches!(
        BoostedParams::new().l2(-1.0).check(),
        Err(ParamsError::Penalizer(_))
    ));
    assert!(matches!(
        BoostedParams::new().min_leaf_weight(f32::NAN).check(),
        Err(ParamsError::MinLeafWeight(_))
    ));
    assert!(matches!(
        BoostedParams::new().max_bin(1).check(),
        Err(ParamsError::MaxBin(1))
    ));
    assert!(matches!(
        BoostedParams::new().num_threads(0).check(),
        Err(ParamsError::NumThreads(0))
    ));
    assert!(matches!(
        LogisticParams::new()
            .l2(-1.0)
            .fit(&[0.0, 1.0], 1, &[true, false]),
        Err(Error::InvalidParams(ParamsError::Penalizer(_)))
    ));
}

#[test]
fn params_deserialise_with_defaults_for_missing_fields() {
    let p: LogisticParams =
        serde_json::from_str(r#"{"l2": 0.01, "log1p": {"mask": [true, false]}}"#).unwrap();
    let b: BoostedParams = serde_json::from_str(r#"{"iterations": 50}"#).unwrap();

    assert_eq!(
        p,
        LogisticParams::new()
            .l2(0.01)
            .log1p(Log1pColumns::Mask(vec![true, false]))
    );
    assert_eq!(b, BoostedParams::new().iterations(50));
    assert!(serde_json::from_str::<BoostedParams>(r#"{"iteratons": 50}"#).is_err());
}

#[test]
fn feature_spec_rule_logs_counts_money_and_days_only() {
    let mask = Log1pColumns::FeatureSpec.mask(LEN + 2).unwrap();

    for j in [
        idx::RECENCY_DAYS,
        idx::FREQUENCY_DAYS,
        idx::MONETARY_NET,
        idx::BASKET_QUANTITY,
    ] {
        assert!(mask[j], "column {j}");
    }
    for j in [
        idx::REPEAT_LINE_SHARE,
        idx::RECENCY_OVER_GAP,
        idx::MEMBER_KNOWN,
        idx::AGE_YEARS,
        idx::TIER_RANK,
    ] {
        assert!(!mask[j], "column {j}");
    }
    assert_eq!(&mask[LEN..], [false, false]);
    assert!(matches!(
        Log1pColumns::Mask(vec![true]).mask(3),
        Err(Error::LengthMismatch {
            what: "log1p mask",
            expected: 3,
            got: 1
        })
    ));
}

#[test]
fn signed_log1p_is_odd_and_zero_at_zero() {
    let e1 = std::f64::consts::E - 1.0;

    assert_eq!(signed_log1p(0.0), 0.0);
    assert!((signed_log1p(e1) - 1.0).abs() < 1e-15);
    assert!((signed_log1p(-e1) + 1.0).abs() < 1e-15);
}

#[test]
fn fits_reject_malformed_designs_with_exact_variants() {
    let logistic = LogisticParams::new();
    let boosted = BoostedParams::new();

    assert!(matches!(logistic.fit(&[], 2, &[]), Err(Error::EmptyData)));
    assert!(matches!(
        logistic.fit(&[1.0, 2.0, 3.0], 2, &[true, false]),
        Err(Error::LengthMismatch {
            expected: 4,
            got: 3,
            ..
        })
    ));
    assert!(matches!(
        boosted.fit(&[1.0, 2.0, f32::NAN, 3.0], 2, &[true, false]),
        Err(Error::NonFinite { index: 2, .. })
    ));
    assert!(matches!(
        logistic.fit(&[1.0, 2.0], 1, &[true, true]),
        Err(Error::Degenerate { .. })
    ));
    assert!(matches!(
        boosted.fit(&[1.0, 2.0], 1, &[false, false]),
        Err(Error::Degenerate { .. })
    ));
}

/// Minimises `mean log loss + l2/2 ‖w‖²` on already standardised columns by plain Newton.
fn newton_reference(z: &[Vec<f64>], labels: &[bool], l2: f64) -> Vec<f64> {
    let (n, d) = (labels.len() as f64, z[0].len() + 1);
    let mut theta = vec![0.0; d];
    for _ in 0..50 {
        let mut grad = vec![0.0; d];
        let mut hess = vec![vec![0.0; d]; d];
        for (row, &y) in z.iter().zip(labels) {
            let x: Vec<f64> = row.iter().copied().chain([1.0]).collect();
            let p = sigmoid(x.iter().zip(&theta).map(|(a, b)| a * b).sum());
            for i in 0..d {
                grad[i] += (p - f64::from(u8::from(y))) * x[i] / n;
                for j in 0..d {
                    hess[i][j] += p * (1.0 - p) * x[i] * x[j] / n;
                }
            }
        }
        for i in 0..d - 1 {
            grad[i] += l2 * theta[i];
            hess[i][i] += l2;
        }
        let step = solve(hess, grad);
        theta.iter_mut().zip(&step).for_each(|(t, s)| *t -= s);
    }
    theta
}

/// Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let d = b.len();
    for c in 0..d {
        let p = (c..d)
            .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
            .unwrap();
        a.swap(c, p);
        b.swap(c, p);
        let pivot = a[c].clone();
        for r in c + 1..d {
            let f = a[r][c] / pivot[c];
            for (x, p) in a[r][c..].iter_mut().zip(&pivot[c..]) {
                *x -= f * p;
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = vec![0.0; d];
    for r in (0..d).rev() {
        x[r] = (b[r] - (r + 1..d).map(|k| a[r][k] * x[k]).sum::<f64>()) / a[r][r];
    }
    x
}

#[test]
fn logistic_matches_a_newton_solution_of_the_same_objective() {
    let (data, labels) = synthetic(3_000, 1);
    let mask = vec![true, true, true, false, false, false];
    let l2 = 1e-3;

    let fitted = LogisticParams::new()
        .l2(l2)
        .tol(1e-9)
        .log1p(Log1pColumns::Mask(mask.clone()))
        .fit(&data, D, &labels)
        .unwrap();

    assert_eq!(fitted.log1p, mask);
    assert_matches_newton(&fitted, &data, &labels, &mask, l2);
}

/// The fitted weights and intercept equal the Newton solution on the columns as the fit
/// transformed them (its own offsets and scales), to 1e-4.
fn assert_matches_newton(fitted: &Linear, data: &[f32], labels: &[bool], mask: &[bool], l2: f64) {
    let z: Vec<Vec<f64>> = data
        .chunks_exact(D)
        .map(|row| {
            (0..D)
                .map(|j| {
                    let x = f64::from(row[j]);
                    let t = if mask[j] { signed_log1p(x) } else { x };
                    (t - f64::from(fitted.offsets[j])) / f64::from(fitted.scales[j])
                })
                .collect()
        })
        .collect();
    let reference = newton_reference(&z, labels, l2);
    for (j, &w) in fitted.weights.iter().enumerate() {
        assert!(
            (f64::from(w) - reference[j]).abs() < 1e-4,
            "w[{j}] = {w}, want {}",
            reference[j]
        );
    }
    assert!((f64::from(fitted.intercept) - reference[D]).abs() < 1e-4);
}

#[test]
fn unscaled_columns_keep_offset_0_and_scale_1_and_match_newton_on_their_own_units() {
    // The share and the flag (columns 4 and 5) enter as they are; a strong ridge then acts on
    // their raw units, which the Newton reference on the same (partly unscaled) columns checks.
    let (data, labels) = synthetic(3_000, 2);
    let mask = vec![true, true, true, false, false, false];
    let l2 = 0.05;
    let fitted = LogisticParams::new()
        .l2(l2)
        .tol(1e-9)
        .log1p(Log1pColumns::Mask(mask.clone()))
        .unscaled_from(Some(4))
        .fit(&data, D, &labels)
        .unwrap();
    assert_eq!((fitted.offsets[4], fitted.scales[4]), (0.0, 1.0));
    assert_eq!((fitted.offsets[5], fitted.scales[5]), (0.0, 1.0));
    assert!(fitted.scales[3] != 1.0 && fitted.offsets[3] != 0.0);
    assert_matches_newton(&fitted, &data, &labels, &mask, l2);
    // Standardised, the flag's weight would be shrunk less: the same fit without the option
    // gives the flag a larger effect per unit.
    let scaled = LogisticParams::new()
        .l2(l2)
        .tol(1e-9)
        .log1p(Log1pColumns::Mask(mask))
        .fit(&data, D, &labels)
        .unwrap();
    let per_unit = |m: &Linear| f64::from(m.weights[5]) / f64::from(m.scales[5]);
    assert!(
        per_unit(&scaled) > per_unit(&fitted),
        "{} vs {}",
        per_unit(&scaled),
        per_unit(&fitted)
    );
}

#[test]
fn logistic_orients_its_logit_towards_churn_whichever_class_is_larger() {
    let x: Vec<f32> = (0..400).map(|i| (i % 100) as f32).collect();
    let mostly_churned: Vec<bool> = x.iter().map(|&v| v > 15.0).collect();
    let mostly_retained: Vec<bool> = x.iter().map(|&v| v > 85.0).collect();

    for labels in [&mostly_churned, &mostly_retained] {
        let fitted = LogisticParams::new()
            .log1p(Log1pColumns::None)
            .fit(&x, 1, labels)
            .unwrap();

        assert!(fitted.weights[0] > 0.0);
        assert!(fitted.predict_row(&[99.0]) > 0.9);
        assert!(fitted.predict_row(&[0.0]) < 0.1);
    }
}

#[test]
fn the_fitted_logistic_is_uncalibrated_valid_and_ranks_well() {
    let (data, labels) = synthetic(1_000, 2);
    let fitted = LogisticParams::new()
        .log1p(Log1pColumns::None)
        .fit(&data, D, &labels)
        .unwrap();

    assert_eq!(fitted.calibration, None);
    assert_eq!(validated(fitted.clone()).unwrap(), fitted);
    assert!(roc_auc(&checked_probs(&fitted, &data).unwrap(), &labels).unwrap() > 0.75);
    assert!(matches!(
        checked_probs(&fitted, &[f32::NAN; D]),
        Err(Error::NonFinite { .. })
    ));
}

/// Two models fitted on different halves (so different offsets and scales), blended: the
/// blend's logit is the weighted sum of theirs on every row.
#[test]
fn a_blend_of_two_logistic_models_gives_the_weighted_sum_of_their_logits() {
    let (data, labels) = synthetic(2_000, 5);
    let half = 1_000 * D;
    let a = LogisticParams::new()
        .fit(&data[..half], D, &labels[..1_000])
        .unwrap();
    let b = LogisticParams::new()
        .fit(&data[half..], D, &labels[1_000..])
        .unwrap();
    assert_ne!(a.offsets, b.offsets);
    for share in [0.0, 0.3, 1.0] {
        let blend = a.blend(&b, share);
        for row in data.chunks_exact(D) {
            let want = share * a.logit_row(row) + (1.0 - share) * b.logit_row(row);
            assert!((blend.logit_row(row) - want).abs() < 1e-4, "{share}");
        }
    }
}

#[test]
fn the_fitted_logistic_carries_the_log1p_mask_into_its_probability() {
    let (data, labels) = synthetic(300, 3);
    let mask = Log1pColumns::Mask(vec![true, false, false, false, false, false]);
    let fitted = LogisticParams::new()
        .log1p(mask)
        .fit(&data, D, &labels)
        .unwrap();

    assert_eq!(fitted.log1p, [true, false, false, false, false, false]);
    let row = &data[..D];
    let z: f64 = (0..D)
        .map(|j| {
            let x = f64::from(row[j]);
            let t = if j == 0 { x.ln_1p() } else { x };
            f64::from(fitted.weights[j]) * (t - f64::from(fitted.offsets[j]))
                / f64::from(fitted.scales[j])
        })
        .sum::<f64>()
        + f64::from(fitted.intercept);
    assert_eq!(fitted.predict_row(row), sigmoid(z) as f32);
}

#[test]
fn f32_threshold_is_the_smallest_f32_not_below_the_split() {
    assert_eq!(f32_threshold(2.5), Some(2.5));
    assert_eq!(f32_threshold(0.1), Some(0.1f32));
    assert!(f64::from(0.1f32) > 0.1);
    let above = f64::from(1.0f32) + 1e-12;
    assert_eq!(f32_threshold(above), Some(1.0f32.next_up()));
    assert_eq!(f32_threshold(f64::NAN), None);
    assert_eq!(f32_threshold(1e300), None);
}

#[test]
fn tree_ensemble_reproduces_forust_on_every_training_row() {
    let (data, labels) = synthetic(2_000, 4);

    let fitted = BoostedParams::new().fit(&data, D, &labels).unwrap();

    let reference = fitted.booster_logits(&data).unwrap();
    assert!(fitted.n_trees() > 1);
    let got = fitted.predict_proba(&data).unwrap();
    for (&p, &z) in got.iter().zip(&reference) {
        let want = sigmoid(z) as f32;
        assert!((p - want).abs() <= 1e-5, "{p} vs forust {want}");
    }
    assert!(roc_auc(&fitted.predict_proba(&data).unwrap(), &labels).unwrap() > 0.75);
}

#[test]
fn tree_ensemble_agrees_with_forust_at_and_just_below_every_threshold() {
    let (data, labels) = synthetic(1_000, 5);
    let fitted = BoostedParams::new()
        .iterations(20)
        .fit(&data, D, &labels)
        .unwrap();
    let mut probes = Vec::new();
    for tree in &fitted.ensemble().trees {
        for node in &tree.nodes {
            if let Node::Branch {
                feature, threshold, ..
            } = *node
            {
                for value in [threshold, threshold.next_down()] {
                    let mut row = data[..D].to_vec();
                    row[feature] = value;
                    probes.extend(row);
                }
            }
        }
    }

    let reference = fitted.booster_logits(&probes).unwrap();

    assert!(!reference.is_empty());
    let got = fitted.logits(&probes).unwrap();
    for ((row, &z), &mine) in probes.chunks_exact(D).zip(&reference).zip(&got) {
        assert!((f64::from(mine) - z).abs() < 1e-5, "row {row:?}");
    }
}

#[test]
fn iterations_set_the_number_of_trees() {
    let (data, labels) = synthetic(500, 6);

    let fitted = BoostedParams::new()
        .iterations(3)
        .fit(&data, D, &labels)
        .unwrap();

    assert_eq!(fitted.n_trees(), 3);
    fitted.ensemble().validate(D).unwrap();
}

#[test]
fn platt_is_exact_on_a_saturated_two_point_problem() {
    let f = [-1.0, -1.0, -1.0, -1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
    let y = [true, false, false, false, true, true, true, false, true];
    let (n_pos, n_neg) = (5.0, 4.0);
    let (hi, lo) = ((n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0));
    let m_lo: f64 = (hi + 3.0 * lo) / 4.0;
    let m_hi: f64 = (4.0 * hi + lo) / 5.0;
    let logit = |p: f64| (p / (1.0 - p)).ln();

    let (a, b) = fit_platt_f64(&f, &y).unwrap();

    assert!((a - (logit(m_hi) - logit(m_lo)) / 2.0).abs() < 1e-9);
    assert!((b - (logit(m_hi) + logit(m_lo)) / 2.0).abs() < 1e-9);
}

#[test]
fn platt_undoes_overconfidence_and_lowers_the_brier_score() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let normal = Normal::new(0.0, 1.5).unwrap();
    let truth: Vec<f64> = (0..20_000).map(|_| normal.sample(&mut rng)).collect();
    let labels: Vec<bool> = truth.iter().map(|&z| rng.random_bool(sigmoid(z))).collect();
    let overconfident: Vec<f32> = truth.iter().map(|&z| (3.0 * z + 1.0) as f32).collect();

    let (a, b) = fit_platt(&overconfident, &labels).unwrap();

    assert!((a - 1.0 / 3.0).abs() < 0.03, "a = {a}");
    assert!((b + 1.0 / 3.0).abs() < 0.05, "b = {b}");
    let raw: Vec<f32> = overconfident
        .iter()
        .map(|&z| sigmoid(f64::from(z)) as f32)
        .collect();
    let calibrated: Vec<f32> = overconfident
        .iter()
        .map(|&z| apply_platt((a, b), z))
        .collect();
    assert!(brier(&calibrated, &labels).unwrap() < brier(&raw, &labels).unwrap() - 0.01);
}

#[test]
fn platt_rejects_one_class_and_bad_logits() {
    assert!(matches!(
        fit_platt(&[0.1, 0.2], &[true, true]),
        Err(Error::Degenerate { .. })
    ));
    assert!(matches!(
        fit_platt(&[0.1, f32::INFINITY], &[true, false]),
        Err(Error::NonFinite { index: 1, .. })
    ));
    assert!(matches!(
        fit_platt(&[0.1], &[true, false]),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(
        logits_from_probs(&[0.0, 1.0, 0.5])
            .iter()
            .all(|z| z.is_finite())
    );
    assert_eq!(logits_from_probs(&[0.5]), [0.0]);
}

// Labels T F F F T; `high_ap` ranks T F F F T (AP 0.7, AUC 0.5), `high_auc` ranks
// F T T F F (AP 7/12, AUC 2/3), `perfect` ranks both positives first.
const LABELS: [bool; 5] = [true, false, false, false, true];
const HIGH_AP: [f32; 5] = [0.9, 0.8, 0.7, 0.6, 0.1];
const HIGH_AUC: [f32; 5] = [0.8, 0.9, 0.2, 0.1, 0.7];
const PERFECT: [f32; 5] = [0.9, 0.2, 0.2, 0.1, 0.8];

#[test]
fn selection_takes_the_best_average_precision() {
    let candidates = [
        Candidate {
            name: "high_ap",
            probs: &HIGH_AP,
        },
        Candidate {
            name: "perfect",
            probs: &PERFECT,
        },
    ];

    let selection = select_model(&candidates, &LABELS, 0.0).unwrap();

    assert_eq!(selection.winner().name, "perfect");
    assert_eq!(selection.candidates[1].average_precision, 1.0);
}

#[test]
fn selection_breaks_near_ties_in_average_precision_by_auc() {
    let candidates = [
        Candidate {
            name: "high_ap",
            probs: &HIGH_AP,
        },
        Candidate {
            name: "high_auc",
            probs: &HIGH_AUC,
        },
    ];

    let strict = select_model(&candidates, &LABELS, 0.0).unwrap();
    let tolerant = select_model(&candidates, &LABELS, 0.2).unwrap();

    assert!((strict.candidates[0].average_precision - 0.7).abs() < 1e-12);
    assert!((strict.candidates[1].auc - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(strict.chosen, 0);
    assert_eq!(tolerant.chosen, 1);
}

#[test]
fn selection_gives_exact_ties_to_the_earlier_candidate() {
    let candidates = [
        Candidate {
            name: "simple",
            probs: &HIGH_AP,
        },
        Candidate {
            name: "complex",
            probs: &HIGH_AP,
        },
    ];

    assert_eq!(
        select_model(&candidates, &LABELS, 0.0)
            .unwrap()
            .winner()
            .name,
        "simple"
    );
    assert!(matches!(
        select_model(&[], &LABELS, 0.0),
        Err(Error::EmptyData)
    ));
    assert!(matches!(
        select_model(&candidates, &LABELS, -0.1),
        Err(Error::InvalidParams(ParamsError::SelectionTolerance(_)))
    ));
}
