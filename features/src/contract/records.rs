//! The card's typed records of how a version was trained and how it evaluated: the effective
//! hyperparameters ([`ParamsRecord`], the same keys as the training configuration's tables) and
//! the backtest at as-of ([`ChurnEvaluationRecord`], [`RankerEvaluationRecord`]), which the
//! promotion gate and `tiefen-train --compare` read.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The effective hyperparameters of a version (`card.json` `params`). Its keys are those of the
/// training configuration's tables (`[churn]`, `[churn.logistic]`, `[churn.boosted]`,
/// `[recommend]`, `[recommend.ranker]`), so a card's `params` written out as TOML is a
/// configuration that trains with the same hyperparameters. The trees' seed is the card's
/// `seed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamsRecord {
    /// The churn model's (`[churn]`).
    pub churn: ChurnParamsRecord,
    /// The rankers' (`[recommend]`).
    pub recommend: RecommendParamsRecord,
}

/// `[churn]`: how the churn candidates are fitted and chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChurnParamsRecord {
    /// Candidates whose validation average precision is within this of the best count as tied
    /// (the highest AUC among them wins).
    pub selection_tolerance: f64,
    /// Fewest members at the latest training cutoff for a fitted churn model (fewer: the
    /// documented fallback rule).
    pub min_members: usize,
    /// At most this many members (a member-hash sample) the candidates were fitted on; absent
    /// in folders written before the fit was sampled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fit_members: Option<usize>,
    /// Whether boosted trees (and their blends with the best linear model) are candidates.
    pub trees: bool,
    /// The logistic candidates (`[churn.logistic]`).
    pub logistic: LogisticRecord,
    /// The boosted trees (`[churn.boosted]`).
    pub boosted: BoostedRecord,
}

/// `[churn.logistic]`: the logistic candidates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticRecord {
    /// Ridge on the summed log loss of the standardised columns (scikit-learn's `1 / C`).
    pub ridge: f64,
    /// L-BFGS iteration budget.
    pub max_iter: u64,
    /// Gradient-norm tolerance on the mean penalised log loss.
    pub tol: f64,
}

/// `[churn.boosted]` and `[recommend.ranker]`: gradient-boosted trees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoostedRecord {
    /// Boosting rounds (trees).
    pub iterations: usize,
    /// Shrinkage of every leaf.
    pub learning_rate: f32,
    /// Maximum tree depth.
    pub max_depth: usize,
    /// L2 penalty on leaf weights.
    pub l2: f32,
    /// Minimum hessian sum in a leaf.
    pub min_leaf_weight: f32,
    /// Histogram bins per feature.
    pub max_bin: u16,
    /// Worker threads (the trees do not depend on it).
    pub num_threads: usize,
}

/// `[recommend]`: how the rankers' training rows are drawn, and `ranker` their trees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecommendParamsRecord {
    /// Days between the rankers' training cutoffs.
    pub cutoff_step_days: u32,
    /// Most training cutoffs of the rankers.
    pub max_cutoffs: usize,
    /// Days of history a ranker cutoff needs before it.
    pub min_history_days: u32,
    /// Whether each member's rows weigh `1 / |truth|`.
    pub weight_by_truth: bool,
    /// Members sampled per cutoff for the next-category ranker.
    pub category_members_per_cutoff: usize,
    /// Share of negative candidates kept for the next-category ranker.
    pub category_negative_rate: f64,
    /// Members sampled per cutoff for the next-item ranker.
    pub item_members_per_cutoff: usize,
    /// Share of negative candidates kept for the next-item ranker.
    pub item_negative_rate: f64,
    /// The rankers' trees (`[recommend.ranker]`).
    pub ranker: BoostedRecord,
}

/// The churn backtest at as-of (`card.json` `churn.evaluation`): the model and the baselines
/// on `[as_of, as_of + horizon)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChurnEvaluationRecord {
    /// The model's metrics.
    pub churn: BinaryMetrics,
    /// The baselines' metrics, by name.
    pub churn_baselines: BTreeMap<String, BinaryMetrics>,
    /// Predicted against observed churn, ten bins.
    pub churn_reliability: Vec<ReliabilityRecord>,
    /// False when the data ended before `as_of + horizon`.
    pub label_window_complete: bool,
}

/// A binary classifier's metrics on one labelled population.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinaryMetrics {
    /// Rows evaluated.
    pub population: usize,
    /// Share of positive labels.
    #[serde(deserialize_with = "f64_or_nan")]
    pub base_rate: f64,
    /// ROC AUC (higher is better).
    #[serde(deserialize_with = "f64_or_nan")]
    pub auc: f64,
    /// Average precision (higher is better).
    #[serde(deserialize_with = "f64_or_nan")]
    pub average_precision: f64,
    /// Brier score (lower is better).
    #[serde(deserialize_with = "f64_or_nan")]
    pub brier: f64,
    /// Lift of the top 10% by probability.
    #[serde(deserialize_with = "f64_or_nan")]
    pub lift_top_decile: f64,
    /// Log loss in nats (lower is better).
    #[serde(deserialize_with = "f64_or_nan")]
    pub log_loss: f64,
}

/// One bin of a reliability table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityRecord {
    /// Lower edge of the predicted probability.
    pub lower: f64,
    /// Upper edge.
    pub upper: f64,
    /// Rows in the bin.
    pub count: usize,
    /// Mean predicted probability (none for an empty bin).
    pub mean_predicted: Option<f64>,
    /// Observed churn rate (none for an empty bin).
    pub observed_rate: Option<f64>,
}

/// The rankers' backtest at as-of (`card.json` `recommendations.metrics`): per task
/// (`next_category`, `next_item`) the model's metrics, and under `<task>_baselines` the
/// baselines' by name. Read from and written as one flat JSON object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "BTreeMap<String, Value>")]
pub struct RankerEvaluationRecord {
    /// The model's metrics per task.
    #[serde(flatten)]
    pub models: BTreeMap<String, RankingMetrics>,
    /// The baselines' metrics per `<task>_baselines`, by baseline name.
    #[serde(flatten)]
    pub baselines: BTreeMap<String, BTreeMap<String, RankingMetrics>>,
}

/// Suffix of the baselines' entries of a [`RankerEvaluationRecord`].
const BASELINES_SUFFIX: &str = "_baselines";

impl TryFrom<BTreeMap<String, Value>> for RankerEvaluationRecord {
    type Error = serde_json::Error;

    fn try_from(flat: BTreeMap<String, Value>) -> Result<Self, Self::Error> {
        let mut record = RankerEvaluationRecord {
            models: BTreeMap::new(),
            baselines: BTreeMap::new(),
        };
        for (key, value) in flat {
            if key.ends_with(BASELINES_SUFFIX) {
                record.baselines.insert(key, serde_json::from_value(value)?);
            } else {
                record.models.insert(key, serde_json::from_value(value)?);
            }
        }
        Ok(record)
    }
}

/// Top-k ranking metrics averaged over the members with a purchase in the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankingMetrics {
    /// Members with a non-empty truth set.
    pub evaluated_members: usize,
    /// Mean recall at 10 (higher is better).
    #[serde(deserialize_with = "f64_or_nan")]
    pub recall_at_10: f64,
    /// Mean NDCG at 10 (higher is better).
    #[serde(deserialize_with = "f64_or_nan")]
    pub ndcg_at_10: f64,
    /// Share of members with a hit in their top 10 (higher is better).
    #[serde(deserialize_with = "f64_or_nan")]
    pub hit_rate_at_10: f64,
    /// Mean recall at 20 (higher is better).
    #[serde(deserialize_with = "f64_or_nan")]
    pub recall_at_20: f64,
}

/// A metric as JSON writes it: a number, or `null` for a non-finite one (read as NaN), so a
/// reader never refuses a card over a metric it does not compute with.
fn f64_or_nan<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}
