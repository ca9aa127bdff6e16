//! One validating pass over a file: batches, row numbers, problems, fingerprint.

use std::path::Path;

use crate::io::ReadOptions;
use crate::io::columns::Column;
use crate::io::rejects::Collector;
use crate::io::source::{FileKind, Wanted, fingerprint, for_each_batch};
use crate::{Result, RowProblem};

/// What a pass found besides the rows it handed out.
pub(crate) struct PassOutcome {
    /// Data rows in the file.
    pub(crate) rows_read: u64,
    /// Rows left out under the skip policy.
    pub(crate) rows_rejected: u64,
    /// SHA-256 of the file, hex.
    pub(crate) fingerprint: String,
}

/// Reads every row of `path` and calls `on_row(columns, i, keep, problems)` for row `i` of each
/// batch, with `columns` in `wanted` order.
///
/// `on_row` pushes the row's problems, if any, and loads the row only when it found none and
/// `keep` is true (`keep` turns false under the stop policy once a bad row was seen, since nothing
/// will be loaded then). The file is hashed on a second thread meanwhile. Afterwards the policy is
/// applied: [`crate::Error::BadRows`] under stop, the rejects file under skip.
pub(crate) fn read_rows(
    path: &Path,
    opts: &ReadOptions,
    wanted: &[Wanted],
    mut on_row: impl FnMut(&[Column], usize, bool, &mut Vec<RowProblem>),
) -> Result<PassOutcome> {
    opts.check()?;
    let kind = FileKind::of(path)?;
    let mut collector = Collector::new(&opts.policy);
    let mut rows = 0u64;
    let mut problems = Vec::new();
    let (parsed, hashed) = std::thread::scope(|s| {
        let hash = s.spawn(|| fingerprint(path));
        let mut on_batch = |columns: &[Column], n: usize| {
            for i in 0..n {
                rows += 1;
                on_row(columns, i, collector.keeps_rows(), &mut problems);
                if !problems.is_empty() {
                    collector.add(rows, &mut problems, || {
                        columns.iter().map(|c| c.raw(i)).collect()
                    });
                }
            }
        };
        let parsed = for_each_batch(path, kind, wanted, opts.batch_size, &mut on_batch);
        (
            parsed,
            hash.join().expect("the hashing thread does not panic"),
        )
    });
    parsed?;
    let fingerprint = hashed?;
    let columns: Vec<&str> = wanted.iter().map(|w| w.column.as_str()).collect();
    let rows_rejected = collector.finish(path, kind, &opts.policy, &columns)?;
    Ok(PassOutcome {
        rows_read: rows,
        rows_rejected,
        fingerprint,
    })
}
