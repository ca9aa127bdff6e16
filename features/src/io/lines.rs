//! Line numbers of CSV rows, computed only when a row has to be reported.
//!
//! The `csv` crate reports where it *was* when it began a record, which is before the line
//! terminator of the previous record and any blank lines; so rows are located by byte offset
//! and their lines counted from the bytes themselves.

use std::io::BufRead;
use std::path::Path;

use crate::io::csv_source::{open_csv, raw_records};
use crate::io::source::{format_error, io_error};
use crate::{Error, Result};

/// The 1-based line where each data row of `rows` (1-based, ascending) starts.
pub(crate) fn row_lines(path: &Path, rows: &[u64]) -> Result<Vec<u64>> {
    let mut reader = raw_records(path)?;
    let mut record = csv::ByteRecord::new();
    let mut offsets = Vec::with_capacity(rows.len());
    let mut index = 0u64;
    let mut wanted = rows.iter().peekable();
    while wanted.peek().is_some() {
        let more = reader
            .read_byte_record(&mut record)
            .map_err(|e| format_error(path, e.to_string()))?;
        if !more {
            break;
        }
        while wanted.next_if(|&&r| r == index).is_some() {
            offsets.push(record.position().map_or(0, |p| p.byte()));
        }
        index += 1;
    }
    lines_at(path, &offsets)
}

/// An [`Error::Format`] naming the first line whose field count differs from the header's or
/// which is not UTF-8; `fallback` (the Arrow message) if no such line is found.
pub(crate) fn structural_error(path: &Path, fields: usize, fallback: String) -> Error {
    let found = (|| -> Result<Option<String>> {
        let mut reader = raw_records(path)?;
        let mut record = csv::ByteRecord::new();
        while reader
            .read_byte_record(&mut record)
            .map_err(|e| format_error(path, e.to_string()))?
        {
            let problem = if record.len() != fields {
                format!("{} fields, but the header has {fields}", record.len())
            } else if let Some(k) = record.iter().position(|f| std::str::from_utf8(f).is_err()) {
                format!("field {} is not UTF-8", k + 1)
            } else {
                continue;
            };
            let offset = record.position().map_or(0, |p| p.byte());
            let line = lines_at(path, &[offset])?[0];
            return Ok(Some(format!("line {line}: {problem}")));
        }
        Ok(None)
    })();
    match found {
        Ok(Some(message)) => format_error(path, message),
        Ok(None) => format_error(path, fallback),
        Err(e) => e,
    }
}

/// The 1-based line of the first byte at or after each offset (ascending, counted after the
/// byte-order mark) that is not a line terminator: where the record read from there starts.
fn lines_at(path: &Path, offsets: &[u64]) -> Result<Vec<u64>> {
    let mut reader = open_csv(path)?;
    let mut counter = LineCounter::default();
    let mut lines = Vec::with_capacity(offsets.len());
    for &target in offsets {
        loop {
            let buf = reader.fill_buf().map_err(|e| io_error(path, e))?;
            if buf.is_empty() {
                break;
            }
            let counted = counter.advance(buf, target);
            let found = counted < buf.len();
            reader.consume(counted);
            if found {
                break;
            }
        }
        lines.push(counter.breaks + 1);
    }
    Ok(lines)
}

/// Counts line breaks: `\n`, `\r\n` and a lone `\r` each end a line, as they end a CSV record.
#[derive(Default)]
struct LineCounter {
    pos: u64,
    breaks: u64,
    after_cr: bool,
}

impl LineCounter {
    /// Counts the bytes of `buf` up to the first one at or after offset `target` that is not a
    /// line terminator, and returns how many bytes it counted.
    fn advance(&mut self, buf: &[u8], target: u64) -> usize {
        for (i, &b) in buf.iter().enumerate() {
            if self.pos >= target && b != b'\r' && b != b'\n' {
                return i;
            }
            match b {
                b'\r' => self.breaks += 1,
                b'\n' if !self.after_cr => self.breaks += 1,
                _ => {}
            }
            self.after_cr = b == b'\r';
            self.pos += 1;
        }
        buf.len()
    }
}
