//! `recommend.json`: what a model version folder holds for recommendations, written by
//! training and read by serving.

use super::CandidateParams;
use crate::{Day, Kind};

/// The file naming the recommendation models of a version folder.
pub const RECOMMEND_FILE: &str = "recommend.json";

/// Contents of `recommend.json`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RecommendManifest {
    /// The cutoff of the tables.
    pub as_of: Day,
    /// Horizon the rankers predict.
    pub horizon_days: u32,
    /// Ranker row schema hash ([`super::rank_schema_hash`]).
    pub rank_schema_hash: String,
    /// Ranker input names in order.
    pub inputs: Vec<String>,
    /// Candidate generation settings.
    pub candidates: CandidateParams,
    /// Per kind: `(kind, onnx file, tables file)`.
    pub models: Vec<(Kind, String, String)>,
}
