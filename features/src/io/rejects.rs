//! Collecting bad rows while reading, then failing or writing the rejects file.

use std::path::Path;

use crate::io::BadRowPolicy;
use crate::io::lines::row_lines;
use crate::io::source::{FileKind, format_error, io_error};
use crate::{Error, Result, RowProblem, RowProblems};

/// Longest value kept in a problem, in characters.
const MAX_VALUE_CHARS: usize = 80;

/// A problem in the current row; the row and line are filled in by [`Collector::add`] and
/// [`Collector::finish`].
pub(crate) fn problem(field: &'static str, value: &str, reason: impl Into<String>) -> RowProblem {
    RowProblem {
        row: 0,
        line: None,
        field,
        value: value.chars().take(MAX_VALUE_CHARS).collect(),
        reason: reason.into(),
    }
}

struct Rejected {
    problems: Vec<RowProblem>,
    raw: Vec<String>,
}

/// The bad rows of one file, kept as the policy needs them.
pub(crate) struct Collector {
    skip: bool,
    first: Vec<RowProblem>,
    rejected: Vec<Rejected>,
    bad_rows: u64,
}

impl Collector {
    /// An empty collector; with `skip`, every bad row is kept for the rejects file.
    pub(crate) fn new(policy: &BadRowPolicy) -> Self {
        Collector {
            skip: matches!(policy, BadRowPolicy::Skip { .. }),
            first: Vec::new(),
            rejected: Vec::new(),
            bad_rows: 0,
        }
    }

    /// True while good rows should still be loaded: no bad row yet, or bad rows are skipped.
    #[inline]
    pub(crate) fn keeps_rows(&self) -> bool {
        self.skip || self.bad_rows == 0
    }

    /// Records the problems of data row `row`; `raw` gives the row's mapped values.
    pub(crate) fn add(
        &mut self,
        row: u64,
        problems: &mut Vec<RowProblem>,
        raw: impl FnOnce() -> Vec<String>,
    ) {
        self.bad_rows += 1;
        for p in problems.iter_mut() {
            p.row = row;
        }
        if self.skip {
            self.rejected.push(Rejected {
                problems: std::mem::take(problems),
                raw: raw(),
            });
        } else {
            let room = RowProblems::KEEP - self.first.len().min(RowProblems::KEEP);
            self.first.extend(problems.drain(..).take(room));
            problems.clear();
        }
    }

    /// Applies the policy: [`Error::BadRows`] under `Stop` if any row was bad; under `Skip`,
    /// writes the rejects file (with `columns` as the raw-value headers) and returns the number
    /// of rows left out.
    pub(crate) fn finish(
        mut self,
        path: &Path,
        kind: FileKind,
        policy: &BadRowPolicy,
        columns: &[&str],
    ) -> Result<u64> {
        if kind == FileKind::Csv && self.bad_rows > 0 {
            self.fill_lines(path)?;
        }
        match policy {
            BadRowPolicy::Stop if self.bad_rows > 0 => Err(Error::BadRows(RowProblems {
                path: path.to_path_buf(),
                first: self.first,
                total: self.bad_rows,
            })),
            BadRowPolicy::Stop => Ok(0),
            BadRowPolicy::Skip { rejects } => {
                write_rejects(rejects, columns, &self.rejected)?;
                Ok(self.bad_rows)
            }
        }
    }

    fn fill_lines(&mut self, path: &Path) -> Result<()> {
        let mut rows: Vec<u64> = self
            .first
            .iter()
            .chain(self.rejected.iter().flat_map(|r| &r.problems))
            .map(|p| p.row)
            .collect();
        rows.dedup();
        let lines = row_lines(path, &rows)?;
        let problems = self
            .first
            .iter_mut()
            .chain(self.rejected.iter_mut().flat_map(|r| &mut r.problems));
        for p in problems {
            if let Ok(i) = rows.binary_search(&p.row) {
                p.line = lines.get(i).copied();
            }
        }
        Ok(())
    }
}

fn write_rejects(target: &Path, columns: &[&str], rejected: &[Rejected]) -> Result<()> {
    let fail = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(source) => io_error(target, source),
        other => format_error(target, format!("cannot write rejects: {other:?}")),
    };
    let mut writer = csv::Writer::from_path(target).map_err(fail)?;
    let mut header = vec!["row", "line", "field", "value", "reason"];
    header.extend_from_slice(columns);
    writer.write_record(&header).map_err(fail)?;
    for r in rejected {
        let join =
            |f: fn(&RowProblem) -> String| r.problems.iter().map(f).collect::<Vec<_>>().join("; ");
        let first = &r.problems[0];
        let mut record = vec![
            first.row.to_string(),
            first.line.map_or_else(String::new, |l| l.to_string()),
            join(|p| p.field.to_string()),
            join(|p| p.value.clone()),
            join(|p| p.reason.clone()),
        ];
        record.extend(r.raw.iter().cloned());
        writer.write_record(&record).map_err(fail)?;
    }
    writer.flush().map_err(|source| io_error(target, source))
}
