//! Reading the transactions and members files into an order book.

use features::OrderBook;
use features::io::{BadRowPolicy, ReadOptions, read_members, read_orders};

use crate::{Result, TrainConfig};

/// The order book of a run and what reading it found.
#[derive(Debug)]
pub struct LoadedData {
    /// Every kept order line and member row.
    pub book: OrderBook,
    /// Data rows read from the transactions file.
    pub rows_read: u64,
    /// Rows skipped as bad (transactions and members together).
    pub rows_rejected: u64,
    /// Lines that are returns or cancellations.
    pub return_lines: u64,
    /// SHA-256 of the transactions file.
    pub fingerprint: String,
}

/// Reads the configured files; bad rows stop the run unless `skip_bad_rows` is set, in which
/// case they go to `OUT/rejects.csv` (and `OUT/members-rejects.csv`).
pub fn load(config: &TrainConfig) -> Result<LoadedData> {
    let options = |file: &str| {
        let policy = if config.skip_bad_rows {
            BadRowPolicy::Skip {
                rejects: config.out_dir.join(file),
            }
        } else {
            BadRowPolicy::Stop
        };
        ReadOptions::new(config.mapping.clone()).with_policy(policy)
    };
    let mut report = read_orders(&config.transactions, &options("rejects.csv"))?;
    let mut rows_rejected = report.rows_rejected;
    if let Some(members) = &config.members {
        rows_rejected += read_members(
            members,
            &options("members-rejects.csv"),
            &mut report.builder,
        )?
        .rows_rejected;
    }
    if rows_rejected > 0 {
        tracing::warn!(
            rows_rejected,
            "skipped bad rows; every one is listed in the rejects files"
        );
    }
    Ok(LoadedData {
        rows_read: report.rows_read,
        rows_rejected,
        return_lines: report.returns,
        fingerprint: report.fingerprint.clone(),
        book: report.into_book(),
    })
}
