use super::*;
use crate::answer::{ChurnAnswer, MemberAnswer, OwnPick, Portrait};
use crate::churn::{Reason, ReasonKind};
use crate::recommend::Pick;
use crate::{Day, Kind};

fn snapshot() -> AnswerSnapshot {
    let as_of = Day(20_000);
    let full = MemberAnswer {
        as_of,
        churn: Some(ChurnAnswer {
            probability: 0.734_567_9,
            band: "high",
            expected_purchases: 0.25,
            days_since_last_purchase: 61.0,
            reasons: vec![
                Reason {
                    kind: ReasonKind::NoPurchaseFor,
                    values: [61.0, 0.0, 0.0],
                },
                Reason {
                    kind: ReasonKind::SpendingLess,
                    values: [0.0, 4_652.5, 0.0],
                },
            ],
        }),
        portrait: Portrait {
            purchase_days: 4,
            order_lines: 9,
            total_spend: 1_234.5,
            first_purchase: Some(Day(19_700)),
            last_purchase: Some(Day(19_939)),
        },
        own_categories: vec![OwnPick {
            id: 3,
            days: 2,
            last_day: Day(19_939),
        }],
        own_items: vec![
            OwnPick {
                id: 7,
                days: 1,
                last_day: Day(19_700),
            },
            OwnPick {
                id: 8,
                days: 1,
                last_day: Day(19_939),
            },
        ],
        learned: vec![
            vec![Pick {
                id: 3,
                score: 0.5,
                values: [1.0, 2.0, 3.0, f32::NAN, -5.0, 6.0],
            }],
            Vec::new(),
        ],
        segment: None,
    };
    let empty = MemberAnswer {
        as_of,
        churn: None,
        portrait: Portrait::default(),
        own_categories: Vec::new(),
        own_items: Vec::new(),
        learned: vec![Vec::new(), Vec::new()],
        segment: None,
    };
    AnswerSnapshot {
        as_of,
        kinds: vec![Kind::Category, Kind::Item],
        answers: vec![full, empty],
    }
}

#[test]
fn an_answer_snapshot_reads_back_exactly_as_written() {
    let s = snapshot();
    let bytes = encode_answers(&s);
    let back = decode_answers(&bytes).unwrap();
    assert_eq!(back.as_of, s.as_of);
    assert_eq!(back.kinds, s.kinds);
    assert_eq!(back.answers[1], s.answers[1]);
    let packed = s.pack();
    let n = packed.codec.numbers(packed.record(0)).unwrap();
    assert_eq!(
        (n.as_of, n.churn, n.total_spend),
        (s.as_of, Some((0.734_567_9, "high")), 1_234.5)
    );
    let n = packed.codec.numbers(packed.record(1)).unwrap();
    assert_eq!((n.churn, n.total_spend), (None, 0.0));
    let (got, want) = (&back.answers[0], &s.answers[0]);
    assert_eq!(got.churn, want.churn);
    assert_eq!(got.portrait, want.portrait);
    assert_eq!(got.own_items, want.own_items);
    let bits = |a: &MemberAnswer| -> Vec<u32> {
        a.learned[0][0].values.iter().map(|v| v.to_bits()).collect()
    };
    assert_eq!(bits(got), bits(want), "NaN kept to the bit");
}

/// An item pick the member bought (own values predicted from the own pick), one they did not
/// (store values predicted from the header) and one whose values match no prediction.
#[test]
fn predicted_pick_values_take_no_bytes_and_others_are_kept_in_full() {
    let mut s = snapshot();
    let as_of = s.as_of;
    let bought = Pick {
        id: 8,
        score: 0.25,
        values: [1.0, 0.0, 61.0, 0.0, 1.5, 0.125],
    };
    let unseen = Pick {
        id: 9,
        score: 0.125,
        values: [0.0, 0.0, crate::recommend::NEVER_DAYS, 0.0, 2.0, 0.5],
    };
    let odd = Pick {
        id: 9,
        score: 0.5,
        values: [2.0, 30.5, 3.0, 0.01, 2.5, 0.75],
    };
    s.answers[0].learned[1] = vec![bought, unseen];
    s.answers[1].learned[1] = vec![Pick { id: 8, ..bought }, odd];
    let packed = s.pack();
    let back: Vec<MemberAnswer> = packed
        .records()
        .map(|r| packed.codec.decode(r).unwrap())
        .collect();
    assert_eq!(back[0].learned[1], vec![bought, unseen]);
    assert_eq!(back[1].learned[1], vec![Pick { id: 8, ..bought }, odd]);
    assert_eq!(back[1].as_of, as_of);
    // Member 0's item list: a count, then id 8, its score, flags 0b111111 (all predicted),
    // id 9, the score's bit difference (2^23 zigzag = 2^24: 4 bytes), flags 0b111111.
    let tail = &packed.record(0)[packed.record(0).len() - 13..];
    let diff = {
        let mut w = Vec::new();
        crate::codec::put_signed(&mut w, 1 << 23);
        w
    };
    let mut want = vec![2u8, 8];
    want.extend_from_slice(&0.25f32.to_le_bytes());
    want.push(0b11_1111);
    want.push(9);
    want.extend_from_slice(&diff);
    want.push(0b11_1111);
    assert_eq!(tail, &want[..]);
    // Member 1 has no own item 8: days and days since are written; the odd pick (store values
    // of id 9 differ from the header's, which are those of its first pick) is written whole
    // but the own gap.
    let record = packed.record(1);
    let decoded = packed.codec.decode(record).unwrap();
    assert_eq!(decoded, s.answers[1]);
}

#[test]
fn a_truncated_snapshot_is_refused_naming_the_member() {
    let bytes = encode_answers(&snapshot());
    let err = decode_answers(&bytes[..bytes.len() - 3]).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    assert_eq!(
        err.to_string(),
        "member 1 of 2: the bytes end early (truncated)"
    );
}

#[test]
fn another_format_version_and_trailing_bytes_are_refused() {
    let mut bytes = encode_answers(&snapshot());
    bytes[8..12].copy_from_slice(&9u32.to_le_bytes());
    assert_eq!(
        decode_answers(&bytes).unwrap_err().to_string(),
        "answer-snapshot format version 9, this build reads 3"
    );
    let mut bytes = encode_answers(&snapshot());
    bytes.push(0);
    assert_eq!(
        decode_answers(&bytes).unwrap_err().to_string(),
        "1 bytes after the last of 2 members"
    );
    assert_eq!(
        decode_answers(b"TIEFENMS\x01\x00\x00\x00")
            .unwrap_err()
            .to_string(),
        "not a tiefen answer snapshot (bad magic)"
    );
}

fn card() -> Card {
    Card {
        format_version: FOLDER_FORMAT_VERSION,
        version: "2024-12-04-0123456789".into(),
        created_at: "2026-12-01T00:00:00Z".into(),
        data: DataRecord {
            file: "orders.csv".into(),
            sha256: "ab".into(),
            first_day: Day(19_000),
            last_day: Day(20_000),
            rows_read: 10,
            rows_rejected: 0,
            members_file: None,
            mapping: "canonical".into(),
        },
        as_of: Day(20_001),
        horizon_days: 28,
        feature_spec: FeatureSpecRecord::of_this_build(),
        churn: ChurnRecord {
            file: layout::CHURN_MODEL_FILE.into(),
            inputs: crate::churn::input_names(),
            model_kind: "logistic".into(),
            training: serde_json::json!({}),
            bgnbd_at_as_of: None,
            evaluation: None,
            fallback: None,
        },
        recommendations: RecommendationsRecord {
            rank_schema_hash: crate::recommend::rank_schema_hash(),
            params: serde_json::json!({}),
            training: serde_json::json!({}),
            metrics: None,
        },
        fallbacks: vec![Fallback {
            part: "next_item".into(),
            rule: "personal_top_then_popular".into(),
            reason: "one item".into(),
        }],
        artifacts: Vec::new(),
        training_rows: 5,
        seed: 7,
        crate_versions: Default::default(),
        params: None,
    }
}

#[test]
fn a_card_of_this_build_passes_its_check_and_reads_back_equal() {
    let c = card();
    c.check().unwrap();
    let back = Card::from_json(&serde_json::to_vec(&c).unwrap()).unwrap();
    assert_eq!(back, c);
    assert_eq!(
        back.fallback("next_item").as_deref(),
        Some("personal_top_then_popular: one item")
    );
    assert_eq!(back.fallback("churn"), None);
}

#[test]
fn a_card_of_another_format_or_schema_is_refused_naming_the_file() {
    let mut c = card();
    c.format_version = 1;
    assert!(matches!(
        c.check(),
        Err(ContractError::FormatVersion {
            file: "card.json",
            found: 1,
            expected: FOLDER_FORMAT_VERSION
        })
    ));
    let mut c = card();
    c.feature_spec.hash = "feedface".into();
    let err = c.check().unwrap_err();
    assert!(matches!(
        err,
        ContractError::Schema {
            file: "card.json",
            what: "feature-spec hash",
            ..
        }
    ));
    assert!(
        err.to_string()
            .starts_with("card.json has feature-spec hash feedface, this build computes")
    );
    let mut c = card();
    c.recommendations.rank_schema_hash = "x".into();
    assert!(matches!(
        c.check(),
        Err(ContractError::Schema {
            what: "ranker-row schema hash",
            ..
        })
    ));
    let mut json = serde_json::to_value(card()).unwrap();
    json.as_object_mut().unwrap().remove("format_version");
    let old = Card::from_json(json.to_string().as_bytes()).unwrap();
    assert_eq!(
        old.check().unwrap_err().to_string(),
        "card.json has folder format version 0, this build reads version 5: retrain with this build (or serve it with the build that wrote it)"
    );
}

fn ranking(recall: f64) -> serde_json::Value {
    serde_json::json!({
        "evaluated_members": 40,
        "recall_at_10": recall,
        "ndcg_at_10": 0.2,
        "hit_rate_at_10": 0.5,
        "recall_at_20": 0.4
    })
}

fn boosted(max_depth: usize) -> BoostedRecord {
    BoostedRecord {
        iterations: 100,
        learning_rate: 0.1,
        max_depth,
        l2: 1.0,
        min_leaf_weight: 50.0,
        max_bin: 256,
        num_threads: 2,
    }
}

#[test]
fn the_backtests_read_typed_from_the_json_training_writes_and_params_read_back() {
    let metrics = serde_json::json!({
        "population": 100, "base_rate": 0.3, "auc": 0.75, "average_precision": 0.6,
        "brier": 0.18, "lift_top_decile": 2.1, "log_loss": 0.55
    });
    let churn = serde_json::json!({
        "churn": metrics,
        "churn_baselines": { "recency": metrics },
        "churn_reliability": [
            { "lower": 0.0, "upper": 0.1, "count": 0, "mean_predicted": null, "observed_rate": null }
        ],
        "label_window_complete": true
    });
    let rankers = serde_json::json!({
        "next_item": ranking(0.3),
        "next_item_baselines": { "global_top": ranking(0.1), "personal_top": ranking(0.2) }
    });
    let mut c = card();
    c.churn.evaluation = Some(serde_json::from_value(churn.clone()).unwrap());
    c.recommendations.metrics = Some(serde_json::from_value(rankers.clone()).unwrap());
    c.params = Some(ParamsRecord {
        churn: ChurnParamsRecord {
            selection_tolerance: 0.002,
            min_members: 50,
            fit_members: Some(100_000),
            trees: true,
            logistic: LogisticRecord {
                ridge: 500.0,
                max_iter: 200,
                tol: 1e-5,
            },
            boosted: boosted(3),
        },
        recommend: RecommendParamsRecord {
            cutoff_step_days: 14,
            max_cutoffs: 4,
            min_history_days: 14,
            weight_by_truth: false,
            category_members_per_cutoff: 16_000,
            category_negative_rate: 0.2,
            item_members_per_cutoff: 4_000,
            item_negative_rate: 0.3,
            ranker: boosted(5),
        },
    });
    let written = serde_json::to_value(&c).unwrap();
    assert_eq!(written["churn"]["evaluation"], churn, "same JSON as before");
    assert_eq!(
        written["recommendations"]["metrics"], rankers,
        "one flat object"
    );
    let back = Card::from_json(&serde_json::to_vec(&c).unwrap()).unwrap();
    assert_eq!(back, c);
    back.check().unwrap();
    let r = back.recommendations.metrics.as_ref().unwrap();
    assert_eq!(r.models["next_item"].recall_at_10, 0.3);
    assert_eq!(
        r.baselines["next_item_baselines"]["personal_top"].recall_at_10,
        0.2
    );
    assert_eq!(back.churn.evaluation.as_ref().unwrap().churn.auc, 0.75);
}

#[test]
fn a_null_metric_reads_as_nan_and_a_card_without_params_reads_as_none() {
    let mut json = serde_json::to_value(card()).unwrap();
    json["recommendations"]["metrics"] = serde_json::json!({
        "next_item": { "evaluated_members": 0, "recall_at_10": null, "ndcg_at_10": 0.1,
                       "hit_rate_at_10": 0.1, "recall_at_20": 0.1 }
    });
    assert!(json.get("params").is_none());
    let c = Card::from_json(json.to_string().as_bytes()).unwrap();
    assert!(
        c.recommendations.metrics.unwrap().models["next_item"]
            .recall_at_10
            .is_nan()
    );
    assert_eq!(c.params, None);
}
