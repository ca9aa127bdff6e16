//! The contract of a model version folder, shared by every writer and reader: the card as
//! serde types ([`Card`]), the file names ([`layout`]), the folder's format version and the
//! answer snapshot ([`answers`]). Training writes a folder through these types once; serving
//! (and any other reader) reads it through them and runs [`Card::check`] against its build,
//! which refuses a folder of another format naming the file and both versions.
//!
//! The format version changes when a reader of one version could not read a folder of the
//! other: a file added, removed or laid out anew, a card field added as required or changed in
//! meaning. A card field added as optional (absent reads as "not recorded") or a JSON value
//! given a type with the same JSON shape leaves it as it is: readers of either build read
//! both.
//!
//! Format history: 1 (no `format_version` in the card, read as 0) had no answer snapshot;
//! 2 adds [`layout::ANSWERS_FILE`] and `format_version`; 3 stores the churn model itself in
//! [`layout::CHURN_ARTIFACT_FILE`] (`model`, evaluated by [`crate::churn::ChurnEvaluator`])
//! and its explainer as a full [`crate::churn::Linear`]; 4 adds [`layout::SEGMENTS_FILE`];
//! 5 lays [`layout::ANSWERS_FILE`] out compactly (answer-snapshot format 3).
//! Within 4, without a change of version: the card's `params` ([`ParamsRecord`], optional)
//! and typed backtests (`churn.evaluation`, `recommendations.metrics`, same JSON as before).

pub mod answers;
mod card;
mod records;

pub use answers::{
    ANSWERS_FORMAT_VERSION, AnswerCodec, AnswerSnapshot, PackedAnswers, RecordNumbers,
    decode_answers, encode_answers, read_packed_answers, store_values,
};
pub use card::{
    ArtifactRecord, Card, ChurnRecord, DataRecord, Fallback, FeatureRecord, FeatureSpecRecord,
    RecommendationsRecord,
};
pub use records::{
    BinaryMetrics, BoostedRecord, ChurnEvaluationRecord, ChurnParamsRecord, LogisticRecord,
    ParamsRecord, RankerEvaluationRecord, RankingMetrics, RecommendParamsRecord, ReliabilityRecord,
};

/// The layout version of a model folder this build writes and reads.
pub const FOLDER_FORMAT_VERSION: u32 = 5;

/// File names of a model version folder and of the models directory, in one place.
pub mod layout {
    pub use crate::churn::CHURN_ARTIFACT_FILE;
    pub use crate::recommend::RECOMMEND_FILE;
    pub use crate::segments::SEGMENTS_FILE;
    pub use crate::state::MEMBER_STATE_FILE;

    /// The symlink in the models directory naming the version serving loads.
    pub const CURRENT: &str = "current";
    /// The model card.
    pub const CARD_FILE: &str = "card.json";
    /// The churn model (ONNX).
    pub const CHURN_MODEL_FILE: &str = "churn.onnx";
    /// The answer snapshot (see [`super::answers`]).
    pub const ANSWERS_FILE: &str = "answers.bin";

    /// The task name of a kind's ranker: `next_category` or `next_item`.
    pub fn ranker_task(kind: crate::Kind) -> &'static str {
        match kind {
            crate::Kind::Category => "next_category",
            crate::Kind::Item => "next_item",
        }
    }

    /// A kind's ranker model (ONNX): `next_category.onnx`, `next_item.onnx`.
    pub fn ranker_model_file(kind: crate::Kind) -> String {
        format!("{}.onnx", ranker_task(kind))
    }

    /// A kind's store tables: `next_category.tables.json`, `next_item.tables.json`.
    pub fn ranker_tables_file(kind: crate::Kind) -> String {
        format!("{}.tables.json", ranker_task(kind))
    }
}

/// Why a model folder does not meet the contract.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContractError {
    /// A file could not be parsed.
    #[error("{file}: {reason}")]
    Unreadable {
        /// The file.
        file: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The folder was written in another layout.
    #[error(
        "{file} has folder format version {found}, this build reads version {expected}: retrain with this build (or serve it with the build that wrote it)"
    )]
    FormatVersion {
        /// The file.
        file: &'static str,
        /// Its version (0: written before format versions were recorded).
        found: u32,
        /// This build's.
        expected: u32,
    },
    /// The folder was written for another schema.
    #[error(
        "{file} has {what} {found}, this build computes {expected}: retrain or run a matching build"
    )]
    Schema {
        /// The file.
        file: &'static str,
        /// Which schema.
        what: &'static str,
        /// The folder's.
        found: String,
        /// This build's.
        expected: String,
    },
}

#[cfg(test)]
mod tests;
