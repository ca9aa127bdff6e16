use serde::Deserialize;

use super::*;
use crate::error::{Error, ParamsError};

fn assert_close(got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "got {got}, want {want} (tol {tol})"
    );
}

#[test]
fn roc_auc_counts_ordered_pairs() {
    let auc = roc_auc(&[0.9_f32, 0.8, 0.3, 0.2], &[true, false, true, false]).unwrap();

    assert_eq!(auc, 0.75);
}

#[test]
fn roc_auc_counts_tied_pairs_as_one_half() {
    let auc = roc_auc(&[0.5, 0.5, 0.5, 0.1], &[true, false, false, false]).unwrap();

    assert_close(auc, 2.0 / 3.0, 1e-15);
}

#[test]
fn roc_auc_is_one_when_perfect_and_zero_when_inverted() {
    let labels = [true, true, false, false];

    assert_eq!(roc_auc(&[4.0, 3.0, 2.0, 1.0], &labels).unwrap(), 1.0);
    assert_eq!(roc_auc(&[1.0, 2.0, 3.0, 4.0], &labels).unwrap(), 0.0);
}

#[test]
fn average_precision_sums_precision_at_each_recall_step() {
    let ap = average_precision(&[0.9, 0.8, 0.3, 0.2], &[true, false, true, false]).unwrap();

    assert_close(ap, 0.5 + 1.0 / 3.0, 1e-15);
}

#[test]
fn average_precision_takes_tied_scores_together() {
    let ap = average_precision(&[0.7, 0.7, 0.2], &[true, false, true]).unwrap();

    assert_close(ap, 0.5 * 0.5 + 0.5 * 2.0 / 3.0, 1e-15);
}

#[test]
fn brier_is_the_mean_squared_error_of_probabilities() {
    assert_close(
        brier(&[1.0, 0.0, 0.5], &[true, false, true]).unwrap(),
        1.0 / 12.0,
        1e-15,
    );
}

#[test]
fn log_loss_is_ln2_at_one_half_and_clips_certain_mistakes() {
    assert_close(
        log_loss(&[0.5, 0.5], &[true, false]).unwrap(),
        2f64.ln(),
        1e-15,
    );

    let clipped = log_loss(&[1.0, 1.0], &[false, true]).unwrap();

    assert_close(clipped, -f64::EPSILON.ln() / 2.0, 1e-9);
}

#[test]
fn lift_takes_the_top_decile_by_score() {
    let scores: Vec<f64> = (0..20).map(|i| f64::from(20 - i)).collect();
    let labels: Vec<bool> = (0..20).map(|i| [0, 1, 10, 11].contains(&i)).collect();

    let lift = lift_top_fraction(&scores, &labels, 0.1).unwrap();

    assert_close(lift, 1.0 / 0.2, 1e-12);
}

#[test]
fn lift_breaks_ties_by_lower_index() {
    let labels = [
        false, true, true, false, false, false, false, false, false, false,
    ];

    let lift = lift_top_fraction(&[0.5; 10], &labels, 0.1).unwrap();

    assert_eq!(lift, 0.0);
}

#[test]
fn lift_forgives_float_noise_in_the_top_count() {
    // 30 * 0.1 = 3.0000000000000004 in f64; the top must still hold 3 rows, not 4.
    let scores: Vec<f64> = (0..30).map(|i| f64::from(30 - i)).collect();
    let labels: Vec<bool> = (0..30).map(|i| [0, 1, 2, 29].contains(&i)).collect();

    let lift = lift_top_fraction(&scores, &labels, 0.1).unwrap();

    assert_close(lift, 1.0 / (4.0 / 30.0), 1e-12);
}

#[test]
fn reliability_table_bins_by_floor_and_keeps_empty_bins() {
    let probs = [0.05, 0.15, 0.12, 0.95, 1.0];
    let labels = [false, true, false, true, true];

    let table = reliability_table(&probs, &labels, 10).unwrap();

    assert_eq!(table.len(), 10);
    assert_eq!(
        table.iter().map(|b| b.count).collect::<Vec<_>>(),
        [1, 2, 0, 0, 0, 0, 0, 0, 0, 2]
    );
    assert_close(table[1].mean_predicted.unwrap(), 0.135, 1e-15);
    assert_eq!(table[1].observed_rate, Some(0.5));
    assert_eq!(table[9].observed_rate, Some(1.0));
    assert_eq!(table[9].upper, 1.0);
    assert_eq!(table[4].mean_predicted, None);
}

#[test]
fn binary_report_serialises_with_the_manifest_key_names() {
    let report =
        BinaryReport::compute(&[0.9_f32, 0.8, 0.3, 0.2], &[true, false, true, false]).unwrap();

    let json = serde_json::to_value(&report).unwrap();

    for key in [
        "population",
        "base_rate",
        "auc",
        "average_precision",
        "brier",
        "lift_top_decile",
        "log_loss",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert_eq!(json["population"], 4);
    assert_eq!(json["auc"], 0.75);
}

#[test]
fn binary_metrics_reject_bad_inputs_with_exact_variants() {
    let labels = [true, false];

    assert!(matches!(roc_auc::<f64>(&[], &[]), Err(Error::EmptyData)));
    assert!(matches!(
        roc_auc(&[0.1], &labels),
        Err(Error::LengthMismatch {
            what: "scores",
            expected: 2,
            got: 1
        })
    ));
    assert!(matches!(
        roc_auc(&[0.1, f64::NAN], &labels),
        Err(Error::NonFinite { index: 1, .. })
    ));
    assert!(matches!(
        brier(&[0.1, 1.5], &labels),
        Err(Error::InvalidProbability { index: 1, .. })
    ));
    assert!(matches!(
        roc_auc(&[0.1, 0.2], &[true, true]),
        Err(Error::UndefinedMetric {
            metric: "roc_auc",
            ..
        })
    ));
    assert!(matches!(
        average_precision(&[0.1, 0.2], &[false, false]),
        Err(Error::UndefinedMetric { .. })
    ));
    assert!(matches!(
        lift_top_fraction(&[0.1, 0.2], &labels, 0.0),
        Err(Error::InvalidParams(ParamsError::Fraction(_)))
    ));
    assert!(matches!(
        reliability_table(&[0.1, 0.2], &labels, 0),
        Err(Error::InvalidParams(ParamsError::Bins(0)))
    ));
}

#[test]
fn recall_hit_and_ndcg_at_k_on_a_hand_worked_list() {
    let (ranked, truth) = ([5, 3, 9, 1], [3, 1, 7]);
    let d = |pos: f64| 1.0 / (pos + 2.0).log2();

    assert_eq!(recall_at_k(&ranked, &truth, 2), Some(1.0 / 3.0));
    assert_eq!(hit_at_k(&ranked, &truth, 1), Some(0.0));
    assert_eq!(hit_at_k(&ranked, &truth, 2), Some(1.0));
    assert_close(
        ndcg_at_k(&ranked, &truth, 2).unwrap(),
        d(1.0) / (d(0.0) + d(1.0)),
        1e-15,
    );
    assert_eq!(recall_at_k(&ranked, &truth, 4), Some(2.0 / 3.0));
    assert_close(
        ndcg_at_k(&ranked, &truth, 4).unwrap(),
        (d(1.0) + d(3.0)) / (d(0.0) + d(1.0) + d(2.0)),
        1e-15,
    );
}

#[test]
fn ranking_metrics_read_ids_as_sets_and_do_not_cap_recall() {
    let truth: Vec<u32> = (0..12).collect();

    assert_eq!(recall_at_k(&[3, 3, 1], &[3, 3], 2), Some(1.0));
    assert_eq!(ndcg_at_k(&[3, 3, 1], &[3, 3], 2), Some(1.0));
    assert_eq!(recall_at_k(&truth, &truth, 10), Some(10.0 / 12.0));
    assert_eq!(ndcg_at_k(&truth, &truth, 10), Some(1.0));
}

#[test]
fn ranking_metrics_are_none_for_empty_truth_and_zero_at_k_zero() {
    assert_eq!(recall_at_k(&[1, 2], &[], 10), None);
    assert_eq!(ndcg_at_k(&[1, 2], &[], 10), None);
    assert_eq!(hit_at_k(&[1, 2], &[], 10), None);
    assert_eq!(recall_at_k(&[1, 2], &[1], 0), Some(0.0));
    assert_eq!(ndcg_at_k(&[1, 2], &[1], 0), Some(0.0));
}

#[test]
fn ranking_report_averages_over_members_with_truth_only() {
    let top: Vec<u32> = (0..20).collect();
    let members: [(&[u32], &[u32]); 3] = [(&top, &[0, 15]), (&top, &[]), (&top, &[99])];

    let report = RankingReport::compute(members).unwrap();

    assert_eq!(report.evaluated_members, 2);
    assert_eq!(report.recall_at_10, 0.25);
    assert_eq!(report.recall_at_20, 0.5);
    assert_eq!(report.hit_rate_at_10, 0.5);
    let ndcg_first = 1.0 / (1.0 + 1.0 / 3f64.log2());
    assert_close(report.ndcg_at_10, ndcg_first / 2.0, 1e-15);
    assert!(matches!(
        RankingReport::compute([(&top[..], &[][..])]),
        Err(Error::UndefinedMetric { .. })
    ));
}

#[derive(Deserialize)]
struct Reference {
    binary: Vec<BinaryCase>,
    ranking: Vec<RankingCase>,
}

#[derive(Deserialize)]
struct BinaryCase {
    name: String,
    scores: Vec<f64>,
    labels: Vec<bool>,
    roc_auc: f64,
    average_precision: f64,
    brier: f64,
    log_loss: f64,
    lift_top_decile: f64,
}

#[derive(Deserialize)]
struct RankingCase {
    ranked: Vec<u32>,
    truth: Vec<u32>,
    k: usize,
    ndcg: f64,
}

fn reference() -> Reference {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/metrics_reference.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("parse")
}

#[test]
fn binary_metrics_match_scikit_learn_on_the_committed_fixture() {
    let fixture = reference();
    assert!(!fixture.binary.is_empty());
    for case in &fixture.binary {
        let (s, y) = (&case.scores, &case.labels);
        let report = BinaryReport::compute(s, y).unwrap();
        for (metric, got, want) in [
            ("roc_auc", report.auc, case.roc_auc),
            (
                "average_precision",
                report.average_precision,
                case.average_precision,
            ),
            ("brier", report.brier, case.brier),
            ("log_loss", report.log_loss, case.log_loss),
            (
                "lift_top_decile",
                report.lift_top_decile,
                case.lift_top_decile,
            ),
        ] {
            assert!(
                (got - want).abs() <= 1e-9,
                "{} {metric}: got {got}, want {want}",
                case.name
            );
        }
    }
}

#[test]
fn ndcg_matches_scikit_learn_on_the_committed_fixture() {
    let fixture = reference();
    assert!(!fixture.ranking.is_empty());
    for case in &fixture.ranking {
        let got = ndcg_at_k(&case.ranked, &case.truth, case.k).unwrap();

        assert_close(got, case.ndcg, 1e-9);
    }
}
