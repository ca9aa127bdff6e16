//! Errors of the synthetic-data generator.

use std::path::PathBuf;

use super::params::SynthParamsError;

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
    /// Writing CSV failed.
    #[error("cannot write CSV")]
    Csv(#[from] csv::Error),
}

/// Result with the generator's [`enum@Error`].
pub type Result<T> = std::result::Result<T, Error>;
