//! How to read a file, and what reading it gave.

use std::path::PathBuf;

use crate::io::ColumnMapping;
use crate::{Error, OrderBook, OrderBookBuilder, Result};

/// What to do with rows that have bad values.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum BadRowPolicy {
    /// Read the whole file, then fail with [`Error::BadRows`] (the first
    /// [`crate::RowProblems::KEEP`] problems and the number of bad rows) if any row is bad.
    /// Nothing is loaded. The default.
    #[default]
    Stop,
    /// Leave bad rows out and write every one of them to a CSV file at `rejects` (created or
    /// replaced, header only when no row is bad). Columns: `row` (1-based data row),
    /// `line` (1-based line where the row starts in a CSV input, empty for Parquet), `field`,
    /// `value`, `reason`, then the raw values of the mapped columns under their names in the
    /// input. There is one line per bad row: when a row has several problems, `field`, `value`
    /// and `reason` each list them in the same order, joined by `"; "`.
    Skip {
        /// Where to write the rejected rows.
        rejects: PathBuf,
    },
}

/// Options of [`crate::io::read_orders`] and [`crate::io::read_members`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// Which columns hold which fields. Defaults to [`ColumnMapping::canonical`].
    pub mapping: ColumnMapping,
    /// What to do with bad rows. Defaults to [`BadRowPolicy::Stop`].
    pub policy: BadRowPolicy,
    /// Rows per Arrow record batch, at least 1. Defaults to [`ReadOptions::DEFAULT_BATCH_SIZE`].
    /// It changes memory use and speed, never the result.
    pub batch_size: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            mapping: ColumnMapping::canonical(),
            policy: BadRowPolicy::Stop,
            batch_size: Self::DEFAULT_BATCH_SIZE,
        }
    }
}

impl ReadOptions {
    /// Rows per batch unless set: 65,536.
    pub const DEFAULT_BATCH_SIZE: usize = 65_536;

    /// Default options with `mapping`.
    pub fn new(mapping: ColumnMapping) -> Self {
        ReadOptions {
            mapping,
            ..Self::default()
        }
    }

    /// Sets the bad-row policy.
    pub fn with_policy(mut self, policy: BadRowPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets the rows per batch.
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    pub(crate) fn check(&self) -> Result<()> {
        if self.batch_size == 0 {
            return Err(Error::Config("batch_size must be at least 1".into()));
        }
        self.mapping.check()
    }
}

/// The result of [`crate::io::read_orders`]: the lines read, still open for more input (such as a
/// members table), and what was found on the way.
#[derive(Debug)]
pub struct LoadReport {
    /// Every good line of the file (and member attributes from `[members_from_orders]`).
    pub builder: OrderBookBuilder,
    /// Data rows in the file (header not counted), good and bad.
    pub rows_read: u64,
    /// Rows left out under [`BadRowPolicy::Skip`] (0 otherwise).
    pub rows_rejected: u64,
    /// Lines kept that are returns or cancellations (negative quantity or amount).
    pub returns: u64,
    /// SHA-256 of the file's bytes, lowercase hex: identifies the training data.
    pub fingerprint: String,
}

impl LoadReport {
    /// Finishes the order book.
    pub fn into_book(self) -> OrderBook {
        self.builder.finish()
    }
}

/// The result of [`crate::io::read_members`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembersReport {
    /// Data rows in the file (header not counted), good and bad.
    pub rows_read: u64,
    /// Rows left out under [`BadRowPolicy::Skip`] (0 otherwise).
    pub rows_rejected: u64,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub fingerprint: String,
}
