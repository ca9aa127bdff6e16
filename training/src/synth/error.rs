//! Errors of the synthetic-data generator.

use std::path::PathBuf;

use super::assignment::AssignmentProblem;
use super::params::SynthParamsError;
use super::treatment::OutcomeParamsError;

/// Anything that stops a dataset from being generated or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The parameters failed [`super::SynthParams::check`].
    #[error("invalid synthetic-data parameters")]
    InvalidParams(#[from] SynthParamsError),
    /// Creating, writing or renaming a file or folder failed.
    #[error("cannot write {path}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The outcome-window parameters failed [`super::OutcomeParams::check`].
    #[error("invalid outcome parameters")]
    InvalidOutcome(#[from] OutcomeParamsError),
    /// A row of a campaign assignment file is unusable.
    #[error("{file}, row {row}, column {column}: {problem}")]
    BadAssignment {
        /// The assignment file.
        file: PathBuf,
        /// Line of the file (the header is row 1).
        row: usize,
        /// The column at fault.
        column: &'static str,
        /// What is wrong with it.
        problem: AssignmentProblem,
    },
    /// Opening or parsing a CSV file failed.
    #[error("cannot read {path}")]
    ReadCsv {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: csv::Error,
    },
    /// Writing CSV failed.
    #[error("cannot write CSV")]
    Csv(#[from] csv::Error),
}

/// Result with the generator's [`enum@Error`].
pub type Result<T> = std::result::Result<T, Error>;
