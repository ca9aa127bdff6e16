//! Row-level problems found while reading input, reported with file, row and reason.

use std::fmt;
use std::path::PathBuf;

/// One bad value in one input row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowProblem {
    /// Data row number, 1-based, header not counted.
    pub row: u64,
    /// Line in a CSV file where the row starts, 1-based, header included; `None` for Parquet.
    pub line: Option<u64>,
    /// Canonical field (`member_id`, `ts`, ...) the problem is in.
    pub field: &'static str,
    /// The offending value as read (truncated to 80 characters).
    pub value: String,
    /// Why it was rejected.
    pub reason: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "row {} (line {line})", self.row)?,
            None => write!(f, "row {}", self.row)?,
        }
        write!(
            f,
            ", {}: {} (value {:?})",
            self.field, self.reason, self.value
        )
    }
}

/// Problems found in one file: the first ones in full and the total count.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowProblems {
    /// The file they were found in.
    pub path: PathBuf,
    /// The first problems, in file order (at most [`RowProblems::KEEP`]).
    pub first: Vec<RowProblem>,
    /// Number of bad rows in the whole file.
    pub total: u64,
}

impl RowProblems {
    /// How many problems are kept in full for the message.
    pub const KEEP: usize = 10;
}

impl fmt::Display for RowProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} bad row{}; first {}:",
            self.path.display(),
            self.total,
            if self.total == 1 { "" } else { "s" },
            self.first.len()
        )?;
        for p in &self.first {
            write!(f, "\n  {p}")?;
        }
        write!(
            f,
            "\n(fix the rows, or skip them with the skip-bad-rows option, which writes every skipped row and its reason to a rejects file)"
        )
    }
}
