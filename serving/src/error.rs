//! The error type of the serving core (startup, model loading, events).

use std::path::PathBuf;

/// Everything the serving core can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Settings or API keys are invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The model folder is missing a file, or a file does not match the others or this build.
    #[error("model folder {dir}: {reason}")]
    Model {
        /// The version folder.
        dir: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// One model file is unreadable, not in the form serving evaluates, or inconsistent.
    #[error("model file {path}: {reason}")]
    ModelFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// tract failed to load or run the churn model.
    #[error("churn model: {0:#}")]
    Inference(#[source] anyhow::Error),
    /// The NATS server, stream or a consumer cannot be reached or created.
    #[error("event stream: {0}")]
    Stream(String),
    /// An event batch or line is invalid (the message says which line and why).
    #[error("{0}")]
    BadEvent(String),
    /// An append-only journal (the event log, the campaign store) is corrupt beyond a torn
    /// last line.
    #[error("{what} {path}, line {line}: {reason}")]
    Journal {
        /// `event log` or `campaign store`.
        what: &'static str,
        /// The log file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}
