//! Errors of the `training` crate: one runtime [`Error`] enum, with hyperparameter and
//! configuration mistakes kept apart in [`ParamsError`].

use std::path::PathBuf;

/// Result alias used across the `training` crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Runtime failures of fitting, exporting or evaluating a model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or validating the input data failed (the message names the file, row and problem).
    #[error(transparent)]
    Data(#[from] features::Error),
    /// A part of the run failed: `part` names it (`churn model`, `next_category ranker`,
    /// `churn evaluation`, ...), `source` says why.
    #[error("{part} failed")]
    Part {
        /// The part of the run.
        part: String,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },
    /// The data has too little history for what was asked.
    #[error("not enough history: {0}")]
    NoHistory(String),
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
        "{model} fit did not converge after {evaluations} objective evaluations \
         (objective {objective}, gradient norm {grad_norm})"
    )]
    NotConverged {
        /// Which model was being fitted.
        model: &'static str,
        /// Objective evaluations spent over all attempts.
        evaluations: u64,
        /// Best objective value reached (mean negative log-likelihood plus penalty).
        objective: f64,
        /// Euclidean norm of the gradient at the best point.
        grad_norm: f64,
    },
    /// The optimum is a flat ridge or a boundary (e.g. `r -> 0`): some parameter is not
    /// identified by the data. A positive penalizer usually fixes it.
    #[error("{model} fit is degenerate: {reason}")]
    Degenerate {
        /// Which model was being fitted.
        model: &'static str,
        /// Why the optimum was rejected.
        reason: String,
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
    /// Two inputs that must be parallel (scores and labels, rows and labels, a column mask
    /// and the columns) differ in length.
    #[error("length mismatch for {what}: expected {expected}, got {got}")]
    LengthMismatch {
        /// Which input has the wrong length.
        what: &'static str,
        /// Length implied by the other inputs.
        expected: usize,
        /// Length supplied.
        got: usize,
    },
    /// An input holds a NaN or infinite value where a finite one is required.
    #[error("non-finite value in {what} at index {index}")]
    NonFinite {
        /// Which input holds the value.
        what: &'static str,
        /// Position of the value in that input (flat, row-major for matrices).
        index: usize,
    },
    /// A probability lies outside `[0, 1]` (or is NaN).
    #[error("probability at index {index} is {value}, outside [0, 1]")]
    InvalidProbability {
        /// Position of the value in the input.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A metric is undefined on the given data (e.g. AUC when only one class is present).
    #[error("{metric} is undefined: {reason}")]
    UndefinedMetric {
        /// Which metric.
        metric: &'static str,
        /// Why it cannot be computed.
        reason: &'static str,
    },
}

impl Error {
    /// True when the error comes from the shape of the data rather than from bad input or a
    /// bug: too little history or too few rows, labels of one class, a metric undefined on
    /// the data, a fit that is degenerate or does not converge. A run falls back for these
    /// (see `pipeline::fallback`) and fails for everything else.
    pub fn is_data_shape(&self) -> bool {
        match self {
            Error::NoHistory(_)
            | Error::EmptyData
            | Error::Degenerate { .. }
            | Error::NotConverged { .. }
            | Error::UndefinedMetric { .. } => true,
            Error::Part { source, .. } => source.is_data_shape(),
            _ => false,
        }
    }

    /// Wraps `self` as a failure of `part`.
    pub fn in_part(self, part: impl Into<String>) -> Error {
        Error::Part {
            part: part.into(),
            source: Box::new(self),
        }
    }
}

/// Hyperparameter and configuration errors, reported before any fitting starts.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ParamsError {
    /// A command-line flag or configuration-file value is invalid.
    #[error("{0}")]
    Config(String),
    /// The L2 penalizer must be finite and `>= 0`.
    #[error("penalizer must be finite and >= 0, got {0}")]
    Penalizer(f64),
    /// The iteration budget must be at least 1.
    #[error("max_iter must be >= 1, got {0}")]
    MaxIter(u64),
    /// The convergence tolerance must be finite and `> 0`.
    #[error("tolerance must be finite and > 0, got {0}")]
    Tolerance(f64),
    /// The number of boosting rounds (trees) must be at least 1.
    #[error("iterations must be >= 1, got {0}")]
    Iterations(usize),
    /// The boosting learning rate must lie in `(0, 1]`.
    #[error("learning_rate must lie in (0, 1], got {0}")]
    LearningRate(f32),
    /// Trees must be allowed at least one split.
    #[error("max_depth must be >= 1, got {0}")]
    MaxDepth(usize),
    /// The minimum hessian sum per leaf must be finite and `>= 0`.
    #[error("min_leaf_weight must be finite and >= 0, got {0}")]
    MinLeafWeight(f32),
    /// The number of histogram bins per feature must be at least 2.
    #[error("max_bin must be >= 2, got {0}")]
    MaxBin(u16),
    /// A thread count must be at least 1.
    #[error("num_threads must be >= 1, got {0}")]
    NumThreads(usize),
    /// A reliability table needs at least one bin.
    #[error("bins must be >= 1, got {0}")]
    Bins(usize),
    /// A population fraction must lie in `(0, 1]`.
    #[error("fraction must lie in (0, 1], got {0}")]
    Fraction(f64),
    /// A selection tolerance must be finite and `>= 0`.
    #[error("selection tolerance must be finite and >= 0, got {0}")]
    SelectionTolerance(f64),
    /// A hyperparameter of the training configuration is out of range; `table` and `key` name
    /// it as the TOML file does (`[churn.boosted] learning_rate`).
    #[error("[{table}] {key}: {reason}")]
    OutOfRange {
        /// The TOML table: `churn`, `churn.logistic`, `churn.boosted`, `recommend`,
        /// `recommend.ranker`, `promotion` or `scale`.
        table: &'static str,
        /// The key in it.
        key: &'static str,
        /// The valid range and the value given.
        reason: String,
    },
}

impl ParamsError {
    /// `self` as the error of `key` in configuration table `table`.
    pub fn at(self, table: &'static str, key: &'static str) -> ParamsError {
        ParamsError::OutOfRange {
            table,
            key,
            reason: self.to_string(),
        }
    }

    /// An error of [`BoostedParams::check`](crate::churn::BoostedParams::check) or
    /// [`LogisticParams::check`](crate::churn::LogisticParams::check) as the error of the key
    /// it is about in configuration table `table` (`l2` for the penalizer).
    pub fn in_table(self, table: &'static str) -> ParamsError {
        let key = match &self {
            ParamsError::Penalizer(_) => "l2",
            ParamsError::MaxIter(_) => "max_iter",
            ParamsError::Tolerance(_) => "tol",
            ParamsError::Iterations(_) => "iterations",
            ParamsError::LearningRate(_) => "learning_rate",
            ParamsError::MaxDepth(_) => "max_depth",
            ParamsError::MinLeafWeight(_) => "min_leaf_weight",
            ParamsError::MaxBin(_) => "max_bin",
            ParamsError::NumThreads(_) => "num_threads",
            ParamsError::SelectionTolerance(_) => "selection_tolerance",
            _ => return self,
        };
        self.at(table, key)
    }
}
