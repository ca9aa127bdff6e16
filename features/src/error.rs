//! The error type of the `features` crate.

use std::path::PathBuf;

/// Everything that can go wrong while reading order data or building features.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened or read.
    #[error("cannot read {path}")]
    Io {
        /// The file that failed.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A column named by the mapping is not in the file.
    #[error("{path}: column `{column}` (for `{field}`) is not in the file; columns found: {found}")]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The canonical field the column was mapped to.
        field: &'static str,
        /// The column name that was looked for.
        column: String,
        /// The columns the file has, comma-separated.
        found: String,
    },
    /// The file is not valid CSV or Parquet (structure, not values).
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// Rows with bad values were found and the policy is to stop.
    #[error("{}", .0)]
    BadRows(crate::RowProblems),
    /// The column mapping or reader configuration is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A date range or parameter makes no sense (for example a horizon of zero days).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
