//! The model card (`card.json`) as serde types: what a version was trained on, with which
//! schema and settings, how it evaluated, what fell back, and every file of the folder.
//! Training writes it once through [`Card`]; serving and any other reader deserialise it and
//! run [`Card::check`] against their own build. The effective hyperparameters and the
//! backtests are typed ([`super::records`]): the promotion gate compares them. Training's
//! other detailed records (the churn fit, the rankers' training and settings) are kept as JSON
//! values: readers show them, no reader computes with them.

use std::collections::BTreeMap;

use serde_json::Value;

use super::records::{ChurnEvaluationRecord, ParamsRecord, RankerEvaluationRecord};
use super::{ContractError, FOLDER_FORMAT_VERSION, layout};
use crate::Day;
use crate::churn::BgNbd;

/// `card.json`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Card {
    /// The layout of the version folder ([`FOLDER_FORMAT_VERSION`] when written by this
    /// build). Absent (0) in folders written before the contract existed.
    #[serde(default)]
    pub format_version: u32,
    /// The version name: the as-of date and a digest of the folder's model files.
    pub version: String,
    /// When the card was written (RFC 3339, UTC).
    pub created_at: String,
    /// The training data.
    pub data: DataRecord,
    /// The as-of date `T`.
    pub as_of: Day,
    /// Horizon `H` in days.
    pub horizon_days: u32,
    /// The member feature spec the models were trained on.
    pub feature_spec: FeatureSpecRecord,
    /// The churn model.
    pub churn: ChurnRecord,
    /// The recommendation rankers.
    pub recommendations: RecommendationsRecord,
    /// Every part that could not be fitted and the rule that replaced it.
    pub fallbacks: Vec<Fallback>,
    /// Every file of the version folder, `card.json` last (without size and digest).
    pub artifacts: Vec<ArtifactRecord>,
    /// Rows the churn model was trained on.
    pub training_rows: usize,
    /// The run's random seed.
    pub seed: u64,
    /// Versions of tiefen and of the model crates.
    pub crate_versions: BTreeMap<String, String>,
    /// The effective (checked) hyperparameters of the run; absent in folders written before
    /// they were configurable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<ParamsRecord>,
}

/// The training data of a version.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DataRecord {
    /// The transactions file as given.
    pub file: String,
    /// Its SHA-256.
    pub sha256: String,
    /// First day with a line.
    pub first_day: Day,
    /// Last day with a line.
    pub last_day: Day,
    /// Rows read.
    pub rows_read: u64,
    /// Rows rejected as bad.
    pub rows_rejected: u64,
    /// The members file, when given.
    pub members_file: Option<String>,
    /// The column mapping (a name or a file).
    pub mapping: String,
}

/// The feature spec of a version.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FeatureSpecRecord {
    /// [`crate::spec::SCHEMA_VERSION`] of the writing build.
    pub version: u32,
    /// [`crate::spec::schema_hash`] of the writing build.
    pub hash: String,
    /// Name, unit and meaning of each feature, in order.
    pub features: Vec<FeatureRecord>,
}

/// One feature as documented in the card.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FeatureRecord {
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Meaning.
    pub doc: String,
}

impl FeatureSpecRecord {
    /// This build's feature spec.
    pub fn of_this_build() -> FeatureSpecRecord {
        FeatureSpecRecord {
            version: crate::spec::SCHEMA_VERSION,
            hash: crate::spec::schema_hash(),
            features: crate::spec::FEATURES
                .iter()
                .map(|f| FeatureRecord {
                    name: f.name.to_string(),
                    unit: f.unit.to_string(),
                    doc: f.doc.to_string(),
                })
                .collect(),
        }
    }
}

/// The churn model of a version.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChurnRecord {
    /// The model file ([`layout::CHURN_MODEL_FILE`]).
    pub file: String,
    /// The model's input names, in column order.
    pub inputs: Vec<String>,
    /// `logistic`, `boosted_trees`, `blend` or `fallback`.
    pub model_kind: String,
    /// Training's record of the fit (candidates, choice, calibration).
    pub training: Value,
    /// BG/NBD parameters at as-of, when fitted.
    pub bgnbd_at_as_of: Option<BgNbd>,
    /// The backtest at as-of, when the data reaches past as-of.
    pub evaluation: Option<ChurnEvaluationRecord>,
    /// The rule the churn part fell back to, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Fallback>,
}

/// The recommendation rankers of a version.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RecommendationsRecord {
    /// [`crate::recommend::rank_schema_hash`] of the writing build.
    pub rank_schema_hash: String,
    /// The ranker settings.
    pub params: Value,
    /// Training's record per task.
    pub training: Value,
    /// The backtest at as-of, when the data reaches past as-of.
    pub metrics: Option<RankerEvaluationRecord>,
}

/// One part of a run that could not be fitted and what replaced it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fallback {
    /// The part: `cutoffs`, `churn`, `next_category`, `next_item`, `bgnbd@<day>`,
    /// `churn_evaluation` or `recommend_evaluation`.
    pub part: String,
    /// The rule used instead.
    pub rule: String,
    /// Why the part could not be fitted.
    pub reason: String,
}

/// One file of the version folder.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ArtifactRecord {
    /// File name in the folder.
    pub file: String,
    /// Size in bytes (absent for `card.json` itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// SHA-256 (absent for `card.json` itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

impl Card {
    /// Parses `card.json`'s bytes; the error names the file.
    pub fn from_json(bytes: &[u8]) -> Result<Card, ContractError> {
        serde_json::from_slice(bytes).map_err(|e| ContractError::Unreadable {
            file: layout::CARD_FILE,
            reason: e.to_string(),
        })
    }

    /// Checks the card against this build: the folder format, the feature-spec hash and the
    /// ranker-row schema hash must be this build's.
    pub fn check(&self) -> Result<(), ContractError> {
        if self.format_version != FOLDER_FORMAT_VERSION {
            return Err(ContractError::FormatVersion {
                file: layout::CARD_FILE,
                found: self.format_version,
                expected: FOLDER_FORMAT_VERSION,
            });
        }
        let hash = crate::spec::schema_hash();
        if self.feature_spec.hash != hash {
            return Err(ContractError::Schema {
                file: layout::CARD_FILE,
                what: "feature-spec hash",
                found: self.feature_spec.hash.clone(),
                expected: hash,
            });
        }
        let rank = crate::recommend::rank_schema_hash();
        if self.recommendations.rank_schema_hash != rank {
            return Err(ContractError::Schema {
                file: layout::CARD_FILE,
                what: "ranker-row schema hash",
                found: self.recommendations.rank_schema_hash.clone(),
                expected: rank,
            });
        }
        Ok(())
    }

    /// The fallback recorded for `part` (`churn`, `next_category`, `next_item`) as
    /// `"<rule>: <reason>"`; `None` when the part was fitted.
    pub fn fallback(&self, part: &str) -> Option<String> {
        self.fallbacks
            .iter()
            .find(|f| f.part == part)
            .map(|f| format!("{}: {}", f.rule, f.reason))
    }
}
