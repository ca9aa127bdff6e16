//! Reading the transactions and members files into an order book.

use features::io::{BadRowPolicy, Buckets, ReadOptions, bucket_orders, read_members, read_orders};
use features::{Day, OrderBook};

use crate::{Result, TrainConfig};

/// The order book of a run and what reading it found.
#[derive(Debug)]
pub struct LoadedData {
    /// Every kept order line and member row; with `buckets`, the lines and rows of the models'
    /// member sample only.
    pub book: OrderBook,
    /// The order lines split into member-hash buckets on disk (`[scale] buckets`), when the
    /// store has more members than `[churn] fit_members`; `None` when `book` holds every line.
    pub buckets: Option<Buckets>,
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
/// case they go to `OUT/rejects.csv` (and `OUT/members-rejects.csv`). With `[scale] buckets`,
/// the lines go to that many member-hash buckets under `OUT/buckets` instead, and the book is
/// the models' member sample read back from them (every line when the store is no larger
/// than the sample; the buckets are then removed).
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
    if config.buckets > 0 {
        return load_buckets(
            config,
            &options("rejects.csv"),
            &options("members-rejects.csv"),
        );
    }
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
    warn_rejected(rows_rejected);
    Ok(LoadedData {
        rows_read: report.rows_read,
        rows_rejected,
        return_lines: report.returns,
        fingerprint: report.fingerprint.clone(),
        book: report.into_book(),
        buckets: None,
    })
}

fn load_buckets(
    config: &TrainConfig,
    orders: &ReadOptions,
    members: &ReadOptions,
) -> Result<LoadedData> {
    let dir = config.out_dir.join("buckets");
    let mut pass = bucket_orders(&config.transactions, orders, &dir, config.buckets)?;
    let mut rows_rejected = 0;
    if let Some(path) = &config.members {
        rows_rejected += pass.read_members(path, members)?.rows_rejected;
    }
    let buckets = pass.finish();
    rows_rejected += buckets.rows_rejected;
    warn_rejected(rows_rejected);
    tracing::info!(
        buckets = buckets.len(),
        lines = buckets.lines,
        members = buckets.buyer_count(),
        "order lines split into member-hash buckets"
    );
    let (rows_read, return_lines) = (buckets.rows_read, buckets.returns);
    let fingerprint = buckets.fingerprint.clone();
    let (book, buckets) = match buckets.sample(config.churn.fit_members())? {
        Some(sample) => (sample, Some(buckets)),
        None => {
            let book = buckets.all()?;
            drop(buckets);
            remove_buckets(&dir);
            (book, None)
        }
    };
    Ok(LoadedData {
        book,
        buckets,
        rows_read,
        rows_rejected,
        return_lines,
        fingerprint,
    })
}

/// Removes a run's bucket files (a failure to is only logged: they are scratch files).
pub(super) fn remove_buckets(dir: &std::path::Path) {
    if let Err(e) = std::fs::remove_dir_all(dir) {
        tracing::warn!(dir = %dir.display(), "cannot remove the bucket files: {e}");
    }
}

fn warn_rejected(rows_rejected: u64) {
    if rows_rejected > 0 {
        tracing::warn!(
            rows_rejected,
            "skipped bad rows; every one is listed in the rejects files"
        );
    }
}

impl LoadedData {
    /// The first and last day with a line in the file.
    pub fn day_range(&self) -> Option<(Day, Day)> {
        match &self.buckets {
            Some(b) => b.day_range(),
            None => self.book.day_range(),
        }
    }

    /// The first day with a line before `as_of` in the file.
    pub fn first_day_before(&self, as_of: Day) -> Option<Day> {
        match &self.buckets {
            Some(b) => b.first_day_before(as_of),
            None => self.book.first_day_before(as_of),
        }
    }

    /// Members with a line in the file.
    pub fn buyer_count(&self) -> usize {
        match &self.buckets {
            Some(b) => b.buyer_count(),
            None => self.book.buyer_count(),
        }
    }

    /// The members a member-state file as of `as_of` holds (a line before it or attributes).
    pub fn state_count(&self, as_of: Day) -> usize {
        match &self.buckets {
            Some(b) => b.state_count(as_of),
            None => features::state::state_members(&self.book, as_of).len(),
        }
    }
}
