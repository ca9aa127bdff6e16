//! The durable, append-only event log (JSON lines).
//!
//! Fsync policy: every `POST /v1/events` request appends all its new lines with one write and
//! then calls `fdatasync` before it is acknowledged, so an acknowledged event is on disk
//! (group commit per request; concurrent requests are serialised). On open, a torn last line
//! (a crash mid-write, never acknowledged) is cut off; any other unreadable line is an error.
//! Each line records the model as-of date it was accepted under, so a later model trained on
//! newer data does not count the same order twice (see [`LogRecord::applies_to`]).

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use features::Day;
use rustc_hash::FxHashSet;

use crate::domain::OrderEvent;
use crate::{Error, Result};

/// One accepted event as logged.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LogRecord {
    /// The event.
    #[serde(flatten)]
    pub event: OrderEvent,
    /// As-of date of the model serving when the event was accepted.
    pub accepted_under: Day,
}

impl LogRecord {
    /// Whether the event is applied on top of a model trained as of `model_as_of`: always when
    /// the event is on or after that date, or when it was accepted under that model or a newer
    /// one; an older event accepted under an older model is in the newer model's training data.
    pub fn applies_to(&self, model_as_of: Day) -> bool {
        self.event.ts >= model_as_of.start_ts() || self.accepted_under >= model_as_of
    }
}

/// The open log: the file, every record so far, and the set of event ids.
#[derive(Debug)]
pub struct EventLog {
    path: PathBuf,
    file: File,
    records: Vec<LogRecord>,
    seen: FxHashSet<String>,
}

impl EventLog {
    /// Opens (creating) the log at `path` and reads every record.
    pub fn open(path: &Path) -> Result<EventLog> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(Error::io(path))?;
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(Error::io(path))?;
        let complete = text.rfind('\n').map_or(0, |i| i + 1);
        let mut records = Vec::new();
        let mut seen = FxHashSet::default();
        for (i, line) in text[..complete].lines().enumerate() {
            let r: LogRecord = serde_json::from_str(line).map_err(|e| Error::EventLog {
                path: path.to_path_buf(),
                line: i + 1,
                reason: e.to_string(),
            })?;
            if seen.insert(r.event.event_id.clone()) {
                records.push(r);
            }
        }
        if complete < text.len() {
            tracing::warn!(path = %path.display(), bytes = text.len() - complete, "cutting a torn last line off the event log");
            file.set_len(complete as u64).map_err(Error::io(path))?;
            file.seek(SeekFrom::End(0)).map_err(Error::io(path))?;
            file.sync_all().map_err(Error::io(path))?;
        }
        Ok(EventLog {
            path: path.to_path_buf(),
            file,
            records,
            seen,
        })
    }

    /// Every record, in acceptance order.
    pub fn records(&self) -> &[LogRecord] {
        &self.records
    }

    /// True when an event with this id was accepted before.
    pub fn contains(&self, event_id: &str) -> bool {
        self.seen.contains(event_id)
    }

    /// Appends `records` (whose ids must be new) with one write, then `fdatasync`s.
    pub fn append(&mut self, records: Vec<LogRecord>) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let mut buf = Vec::new();
        for r in &records {
            serde_json::to_writer(&mut buf, r).map_err(|e| Error::io(&self.path)(e.into()))?;
            buf.push(b'\n');
        }
        let len = self.file.metadata().map_err(Error::io(&self.path))?.len();
        let written = self
            .file
            .write_all(&buf)
            .and_then(|()| self.file.sync_data());
        if let Err(e) = written {
            let _ = self.file.set_len(len);
            return Err(Error::io(&self.path)(e));
        }
        for r in records {
            self.seen.insert(r.event.event_id.clone());
            self.records.push(r);
        }
        Ok(())
    }
}
