//! The model card (`card.json`), built once as `features::contract::Card`; [`super::publish`]
//! fills in the version and the folder's file list.

use features::contract::{
    BinaryMetrics, Card, ChurnEvaluationRecord, ChurnRecord, DataRecord, FOLDER_FORMAT_VERSION,
    Fallback, FeatureSpecRecord, ParamsRecord, RankerEvaluationRecord, RankingMetrics,
    RecommendationsRecord, ReliabilityRecord, layout,
};

use super::churn::ChurnFit;
use super::design::{Design, input_names};
use super::evaluate::ChurnEvaluation;
use super::load::LoadedData;
use super::recommend::RecommendEvaluation;
use crate::TrainConfig;
use crate::metrics::{BinaryReport, RankingReport};

/// Everything the card records.
pub struct CardInputs<'a> {
    /// The run configuration.
    pub config: &'a TrainConfig,
    /// What was loaded.
    pub data: &'a LoadedData,
    /// The as-of date.
    pub as_of: features::Day,
    /// The fitted churn model.
    pub fit: &'a ChurnFit,
    /// The design at as-of (its BG/NBD parameters go to serving).
    pub at_t: &'a Design,
    /// The evaluation, when the data reaches past as-of.
    pub evaluation: Option<&'a ChurnEvaluation>,
    /// The churn part's fallback, when it fell back.
    pub churn_fallback: Option<&'a Fallback>,
    /// Every fallback of the run.
    pub fallbacks: &'a [Fallback],
    /// The rankers' record.
    pub recommendations: RecommendationsRecord,
}

/// The card, with an empty version and file list (filled in when the folder is published).
pub fn card(c: CardInputs<'_>) -> Card {
    let (first, last) = c.data.day_range().unwrap_or((c.as_of, c.as_of));
    Card {
        format_version: FOLDER_FORMAT_VERSION,
        version: String::new(),
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        data: DataRecord {
            file: c.config.transactions.display().to_string(),
            sha256: c.data.fingerprint.clone(),
            first_day: first,
            last_day: last,
            rows_read: c.data.rows_read,
            rows_rejected: c.data.rows_rejected,
            members_file: c.config.members.as_ref().map(|p| p.display().to_string()),
            mapping: c.config.mapping_source.clone(),
        },
        as_of: c.as_of,
        horizon_days: c.config.horizon_days,
        feature_spec: FeatureSpecRecord::of_this_build(),
        churn: ChurnRecord {
            file: layout::CHURN_MODEL_FILE.to_string(),
            inputs: input_names(),
            model_kind: if c.churn_fallback.is_some() {
                "fallback".to_string()
            } else {
                c.fit.model.kind().to_string()
            },
            training: json(&c.fit.training),
            bgnbd_at_as_of: c.at_t.bgnbd.as_ref().map(|m| m.params()),
            evaluation: c.evaluation.map(churn_evaluation),
            fallback: c.churn_fallback.cloned(),
        },
        recommendations: c.recommendations,
        fallbacks: c.fallbacks.to_vec(),
        artifacts: Vec::new(),
        training_rows: c.fit.training.training_rows,
        seed: c.config.seed,
        crate_versions: [
            ("tiefen", env!("CARGO_PKG_VERSION")),
            ("tract-onnx", "0.23.9"),
            ("linfa", "0.8.1"),
            ("forust-ml", "0.8.0"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
        params: Some(ParamsRecord {
            churn: c.config.churn.record(),
            recommend: c.config.recommend.record(),
        }),
    }
}

/// The card's record of the churn backtest.
fn churn_evaluation(e: &ChurnEvaluation) -> ChurnEvaluationRecord {
    ChurnEvaluationRecord {
        churn: binary(&e.churn),
        churn_baselines: e
            .churn_baselines
            .iter()
            .map(|(name, r)| (name.clone(), binary(r)))
            .collect(),
        churn_reliability: e
            .churn_reliability
            .iter()
            .map(|b| ReliabilityRecord {
                lower: b.lower,
                upper: b.upper,
                count: b.count,
                mean_predicted: b.mean_predicted,
                observed_rate: b.observed_rate,
            })
            .collect(),
        label_window_complete: e.label_window_complete,
    }
}

fn binary(r: &BinaryReport) -> BinaryMetrics {
    BinaryMetrics {
        population: r.population,
        base_rate: r.base_rate,
        auc: r.auc,
        average_precision: r.average_precision,
        brier: r.brier,
        lift_top_decile: r.lift_top_decile,
        log_loss: r.log_loss,
    }
}

/// The card's record of the rankers' backtest.
pub(super) fn ranker_evaluation(e: &RecommendEvaluation) -> RankerEvaluationRecord {
    RankerEvaluationRecord {
        models: e
            .models
            .iter()
            .map(|(task, r)| (task.clone(), ranking(r)))
            .collect(),
        baselines: e
            .baselines
            .iter()
            .map(|(key, by_name)| {
                let by_name = by_name
                    .iter()
                    .map(|(name, r)| (name.clone(), ranking(r)))
                    .collect();
                (key.clone(), by_name)
            })
            .collect(),
    }
}

fn ranking(r: &RankingReport) -> RankingMetrics {
    RankingMetrics {
        evaluated_members: r.evaluated_members,
        recall_at_10: r.recall_at_10,
        ndcg_at_10: r.ndcg_at_10,
        hit_rate_at_10: r.hit_rate_at_10,
        recall_at_20: r.recall_at_20,
    }
}

/// A training record as the card keeps it.
pub(super) fn json<T: serde::Serialize + ?Sized>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}
