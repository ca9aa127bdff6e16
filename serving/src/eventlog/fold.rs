//! The folded part of the event log: records cut from the live log, appended in chunks to
//! `<log>.folded`, each chunk closed by a marker line naming its first event id and its length.
//!
//! A fold appends the live log's records and their marker with one write and one fsync, then
//! cuts the live log to nothing. A crash between the two leaves the chunk's records in both
//! files; on open, a live log that starts with the last marker's first id and holds at least
//! its length is recognised as already folded and cut then. A chunk without its marker (a crash
//! mid-write, never followed by a cut) is cut off the folded file.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use super::LogRecord;
use crate::{Error, Result};

/// The marker closing one folded chunk.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) struct Mark {
    /// Event id of the chunk's first record.
    pub(super) first_id: String,
    /// Records in the chunk.
    pub(super) len: usize,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
enum Line {
    Mark { fold: Mark },
    Record(LogRecord),
}

/// The folded file of the log at `log`: `<log>.folded`.
pub(super) fn path_of(log: &Path) -> PathBuf {
    let mut name = log.as_os_str().to_owned();
    name.push(".folded");
    PathBuf::from(name)
}

/// What [`scan`] found in a folded file.
pub(super) struct Scanned {
    /// The last closed chunk's marker.
    pub(super) mark: Option<Mark>,
    /// Records in closed chunks.
    pub(super) records: usize,
    /// Bytes of the closed chunks, and of the whole file.
    closed: u64,
    total: u64,
}

/// Calls `each` with every record of every closed chunk of the folded file at `path`, in
/// order, reading one line at a time and holding at most one chunk; a missing file is empty.
pub(super) fn scan(path: &Path, mut each: impl FnMut(LogRecord)) -> Result<Scanned> {
    let mut found = Scanned {
        mark: None,
        records: 0,
        closed: 0,
        total: 0,
    };
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(Error::io(path)(e)),
    };
    let mut chunk = Vec::new();
    for_each_line(
        path,
        file,
        "folded event log",
        |line| match line {
            Line::Record(r) => chunk.push(r),
            Line::Mark { fold } => {
                found.records += chunk.len();
                chunk.drain(..).for_each(&mut each);
                found.mark = Some(fold);
            }
        },
        |offset, is_mark| {
            found.total = offset;
            if is_mark {
                found.closed = offset;
            }
        },
    )?;
    Ok(found)
}

/// Every folded record in order and the last chunk's marker; an unclosed chunk at the end is
/// cut off the file.
pub(super) fn open(path: &Path, each: impl FnMut(LogRecord)) -> Result<Scanned> {
    let found = scan(path, each)?;
    if found.closed < found.total {
        tracing::warn!(path = %path.display(), bytes = found.total - found.closed, "cutting an unfinished fold off the folded event log");
        let file = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(Error::io(path))?;
        file.set_len(found.closed).map_err(Error::io(path))?;
        file.sync_all().map_err(Error::io(path))?;
    }
    Ok(found)
}

/// Reads `file` line by line: `on_line` gets every complete line parsed, `on_offset` the byte
/// offset after it and whether it was a marker. A last line without its newline is left out.
fn for_each_line<T: serde::de::DeserializeOwned + IsMark>(
    path: &Path,
    file: File,
    what: &'static str,
    mut on_line: impl FnMut(T),
    mut on_offset: impl FnMut(u64, bool),
) -> Result<()> {
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let (mut line, mut offset, mut number) = (String::new(), 0u64, 0usize);
    loop {
        line.clear();
        let n = reader.read_line(&mut line).map_err(Error::io(path))?;
        if n == 0 || !line.ends_with('\n') {
            return Ok(());
        }
        number += 1;
        offset += n as u64;
        let parsed: T = serde_json::from_str(&line).map_err(|e| Error::Journal {
            what,
            path: path.to_path_buf(),
            line: number,
            reason: e.to_string(),
        })?;
        let mark = parsed.is_mark();
        on_line(parsed);
        on_offset(offset, mark);
    }
}

trait IsMark {
    fn is_mark(&self) -> bool;
}

impl IsMark for Line {
    fn is_mark(&self) -> bool {
        matches!(self, Line::Mark { .. })
    }
}

impl IsMark for LogRecord {
    fn is_mark(&self) -> bool {
        false
    }
}

/// Appends `records` and their marker to the folded file with one write and one fsync; on
/// failure the file is cut back to where it was.
pub(super) fn append(path: &Path, records: &[LogRecord]) -> std::io::Result<Mark> {
    let mark = Mark {
        first_id: records
            .first()
            .map(|r| r.event.event_id.clone())
            .unwrap_or_default(),
        len: records.len(),
    };
    let mut buf = Vec::new();
    for r in records {
        serde_json::to_writer(&mut buf, r).map_err(std::io::Error::other)?;
        buf.push(b'\n');
    }
    serde_json::to_writer(&mut buf, &Line::Mark { fold: mark.clone() })
        .map_err(std::io::Error::other)?;
    buf.push(b'\n');
    let mut file = OpenOptions::new().append(true).create(true).open(path)?;
    let len = file.metadata()?.len();
    let written = file.write_all(&buf).and_then(|()| file.sync_data());
    if written.is_err() {
        let _ = file.set_len(len);
    }
    written.map(|()| mark)
}

/// How many of the live log's `live` records are the chunk `mark` closed, which a crash kept
/// from being cut (its length when they start it, else 0).
pub(super) fn already_folded(mark: Option<&Mark>, live: &[LogRecord]) -> usize {
    match (mark, live.first()) {
        (Some(m), Some(first)) if first.event.event_id == m.first_id && live.len() >= m.len => {
            m.len
        }
        _ => 0,
    }
}

/// Calls `each` with the complete records of the live log at `path` in order, read one line
/// at a time without changing the file (a line still being written is left out); returns
/// how many.
pub(super) fn scan_live(path: &Path, mut each: impl FnMut(LogRecord)) -> Result<usize> {
    let file = File::open(path).map_err(Error::io(path))?;
    let mut n = 0;
    for_each_line(
        path,
        file,
        "event log",
        |r: LogRecord| {
            n += 1;
            each(r);
        },
        |_, _| {},
    )?;
    Ok(n)
}

/// The complete records of the live log at `path`, read without changing it.
pub(super) fn read_live(path: &Path) -> Result<Vec<LogRecord>> {
    let mut records = Vec::new();
    scan_live(path, |r| records.push(r))?;
    Ok(records)
}
