//! `churn.json`: the churn model and what serving needs with it to answer a member's churn
//! question.

use super::band::RiskBands;
use super::bgnbd::BgNbd;
use super::model::{Linear, ScoringModel};
use crate::{Day, StoreContext};

/// File name of [`ChurnArtifact`] in a model version folder.
pub const CHURN_ARTIFACT_FILE: &str = "churn.json";

/// The churn model and its companion parameters, written by training next to `churn.onnx`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChurnArtifact {
    /// The as-of date `T` the model scored the population at.
    pub as_of: Day,
    /// Horizon `H` in days: churn is no purchase in `[T, T + H)`.
    pub horizon_days: u32,
    /// BG/NBD parameters fitted at `T`; `None` when the fit failed (columns then constant).
    pub bgnbd: Option<BgNbd>,
    /// The churn model itself, evaluated by [`super::ChurnEvaluator`] (the same numbers as
    /// the exported ONNX file).
    pub model: ScoringModel,
    /// The logistic model whose terms explain a score (the reasons).
    pub explainer: Linear,
    /// The risk band thresholds.
    pub risk_bands: RiskBands,
    /// The feature-spec hash the model was trained on.
    pub schema_hash: String,
    /// The model's input names, in column order.
    pub inputs: Vec<String>,
    /// The population values at `as_of` that every member's vector is computed with.
    pub context: StoreContext,
}
