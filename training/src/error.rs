//! Errors of the `training` crate: one runtime [`Error`] enum, with hyperparameter and
//! configuration mistakes kept apart in [`ParamsError`].

use std::path::PathBuf;

/// Result alias used across the `training` crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Runtime failures of fitting, exporting or evaluating a model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Hyperparameters or configuration were rejected before any work started.
    #[error("invalid parameters")]
    InvalidParams(#[from] ParamsError),
    /// A model handed to an exporter is internally inconsistent.
    #[error("invalid model for export: {reason}")]
    InvalidModel {
        /// What is wrong with the model.
        reason: String,
    },
    /// An input row or batch has the wrong number of features.
    #[error("feature count mismatch: expected {expected}, got {got}")]
    FeatureCountMismatch {
        /// Number of features the model was built for.
        expected: usize,
        /// Number of features supplied.
        got: usize,
    },
    /// A per-member RFM record violates `0 <= t_x <= T` or `x = 0 <=> t_x = 0`.
    #[error("invalid RFM record {index}: {reason}")]
    InvalidRfm {
        /// Position of the record in the input slice.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// There is nothing to fit on.
    #[error("cannot fit on an empty data set")]
    EmptyData,
    /// The optimiser (and its fallback) did not reach the requested tolerance.
    #[error(
        "{model} fit did not converge after {iterations} iterations \
         (objective {objective}, gradient norm {grad_norm})"
    )]
    NotConverged {
        /// Which model was being fitted.
        model: &'static str,
        /// Iterations spent over all attempts.
        iterations: u64,
        /// Best objective value reached (mean negative log-likelihood plus penalty).
        objective: f64,
        /// Euclidean norm of the gradient at the best point.
        grad_norm: f64,
    },
    /// The numerical optimiser itself failed.
    #[error("optimiser failed while fitting {model}")]
    Optimiser {
        /// Which model was being fitted.
        model: &'static str,
        /// The optimiser's error.
        #[source]
        source: anyhow::Error,
    },
    /// Reading or writing a file failed.
    #[error("I/O error on {}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// tract could not parse, type or optimise an ONNX model.
    #[error("failed to load ONNX model {}", path.display())]
    OnnxLoad {
        /// The model file.
        path: PathBuf,
        /// tract's error chain.
        #[source]
        source: anyhow::Error,
    },
    /// tract failed while running a loaded model.
    #[error("inference failed for model {model}")]
    Inference {
        /// The model's file name.
        model: String,
        /// tract's error chain.
        #[source]
        source: anyhow::Error,
    },
}

/// Hyperparameter and configuration errors, reported before any fitting starts.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ParamsError {
    /// The L2 penalizer must be finite and `>= 0`.
    #[error("penalizer must be finite and >= 0, got {0}")]
    Penalizer(f64),
    /// The iteration budget must be at least 1.
    #[error("max_iter must be >= 1, got {0}")]
    MaxIter(u64),
    /// The convergence tolerance must be finite and `> 0`.
    #[error("tolerance must be finite and > 0, got {0}")]
    Tolerance(f64),
}
