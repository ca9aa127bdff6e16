//! The model card (`card.json`) and the model version.

use features::spec;

use super::churn::ChurnFit;
use super::design::{Design, input_names};
use super::evaluate::ChurnEvaluation;
use super::load::LoadedData;
use crate::TrainConfig;

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
}

/// The card as JSON.
pub fn card(c: &CardInputs<'_>) -> serde_json::Value {
    let (first, last) = c.data.book.day_range().unwrap_or((c.as_of, c.as_of));
    let features: Vec<serde_json::Value> = spec::FEATURES
        .iter()
        .map(|f| serde_json::json!({"name": f.name, "unit": f.unit, "doc": f.doc}))
        .collect();
    serde_json::json!({
        "version": null,
        "created_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "data": {
            "file": c.config.transactions.display().to_string(),
            "sha256": c.data.fingerprint,
            "first_day": first,
            "last_day": last,
            "rows_read": c.data.rows_read,
            "rows_rejected": c.data.rows_rejected,
            "members_file": c.config.members.as_ref().map(|p| p.display().to_string()),
            "mapping": c.config.mapping_source,
        },
        "as_of": c.as_of,
        "horizon_days": c.config.horizon_days,
        "feature_spec": {
            "version": spec::SCHEMA_VERSION,
            "hash": spec::schema_hash(),
            "features": features,
        },
        "churn": {
            "file": "churn.onnx",
            "inputs": input_names(),
            "model_kind": c.fit.model.kind(),
            "training": &c.fit.training,
            "bgnbd_at_as_of": c.at_t.bgnbd.as_ref().map(|m| serde_json::json!({"r": m.r, "alpha": m.alpha, "a": m.a, "b": m.b})),
            "evaluation": c.evaluation,
        },
        "training_rows": c.fit.training.training_rows,
        "seed": c.config.seed,
        "crate_versions": {
            "tiefen": env!("CARGO_PKG_VERSION"),
            "tract-onnx": "0.23.9",
            "linfa": "0.8.1",
            "forust-ml": "0.8.0",
        },
    })
}
