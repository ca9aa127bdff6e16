//! The folded part of the event log: records cut from the live log, appended in chunks to
//! `<log>.folded`, each chunk closed by a marker line naming its first event id and its length.
//!
//! A fold appends the live log's records and their marker with one write and one fsync, then
//! cuts the live log to nothing. A crash between the two leaves the chunk's records in both
//! files; on open, a live log that starts with the last marker's first id and holds at least
//! its length is recognised as already folded and cut then. A chunk without its marker (a crash
//! mid-write, never followed by a cut) is cut off the folded file.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
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

/// Every folded record in order and the last chunk's marker; an unclosed chunk at the end is
/// cut off the file.
pub(super) fn open(path: &Path) -> Result<(Vec<LogRecord>, Option<Mark>)> {
    let mut text = String::new();
    match File::open(path) {
        Ok(mut f) => f.read_to_string(&mut text).map_err(Error::io(path))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), None)),
        Err(e) => return Err(Error::io(path)(e)),
    };
    let (mut records, mut mark, mut closed, mut kept) = (Vec::new(), None, 0, 0);
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        offset += line.len();
        if !line.ends_with('\n') {
            break;
        }
        let parsed: Line = serde_json::from_str(line).map_err(|e| Error::Journal {
            what: "folded event log",
            path: path.to_path_buf(),
            line: i + 1,
            reason: e.to_string(),
        })?;
        match parsed {
            Line::Record(r) => records.push(r),
            Line::Mark { fold } => {
                (closed, kept) = (offset, records.len());
                mark = Some(fold);
            }
        }
    }
    if closed < text.len() {
        tracing::warn!(path = %path.display(), bytes = text.len() - closed, "cutting an unfinished fold off the folded event log");
        let file = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(Error::io(path))?;
        file.set_len(closed as u64).map_err(Error::io(path))?;
        file.sync_all().map_err(Error::io(path))?;
        records.truncate(kept);
    }
    Ok((records, mark))
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

/// Whether the live log's `live` records start with the chunk `mark` closed, which a crash
/// kept from being cut.
pub(super) fn already_folded(mark: Option<&Mark>, live: &[LogRecord]) -> usize {
    match (mark, live.first()) {
        (Some(m), Some(first)) if first.event.event_id == m.first_id && live.len() >= m.len => {
            m.len
        }
        _ => 0,
    }
}

/// The complete records of the live log at `path`, read without changing it (a line still
/// being written is not complete and is left out).
pub(super) fn read_live(path: &Path) -> Result<Vec<LogRecord>> {
    let mut text = String::new();
    File::open(path)
        .and_then(|mut f| f.read_to_string(&mut text))
        .map_err(Error::io(path))?;
    let complete = text.rfind('\n').map_or(0, |i| i + 1);
    text[..complete]
        .lines()
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_str(line).map_err(|e| Error::Journal {
                what: "event log",
                path: path.to_path_buf(),
                line: i + 1,
                reason: e.to_string(),
            })
        })
        .collect()
}
