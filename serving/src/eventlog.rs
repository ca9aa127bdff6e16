//! The durable, append-only event log (JSON lines), committed in groups.
//!
//! Fsync policy: a request's new lines are acknowledged only after they are written and
//! `fdatasync`ed. Concurrent requests share fsyncs (group commit): each request queues its
//! lines and either becomes the one writer (taking every line queued so far, writing them with
//! one write and one `fdatasync`) or waits while a writer is busy and is then covered by it or
//! by the next group. A failed write or fsync fails every request of its group, cuts the file
//! back to where the group began and forgets the group's ids, so they may be sent again.
//!
//! On open, a torn last line (a crash mid-write, never acknowledged) is cut off; any other
//! unreadable line is an error. Each line records the model as-of date it was accepted under,
//! so a later model trained on newer data does not count the same order twice (see
//! [`LogRecord::applies_to`]).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Instant;

use features::Day;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use rustc_hash::{FxHashMap, FxHashSet};

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

/// What one [`EventLog::append`] committed.
#[derive(Debug, Clone)]
pub struct Committed {
    /// The new records, on disk, each with its position in the log (its sequence number).
    pub records: Vec<(usize, LogRecord)>,
    /// Lines whose `event_id` was accepted before (or earlier in the same batch).
    pub duplicates: usize,
}

/// Counters of the log's commits, for `/metrics` (cheap clones share the values).
#[derive(Debug, Clone)]
pub struct LogStats {
    /// Groups written (one write + one fsync each).
    pub groups: Counter,
    /// Requests committed (a group holds one or more).
    pub requests: Counter,
    /// Lines committed.
    pub lines: Counter,
    /// Failed groups.
    pub failures: Counter,
    /// Write + fsync seconds per group.
    pub fsync: Histogram,
}

/// Upper bounds (seconds) of the fsync latency histogram.
pub const FSYNC_BUCKETS: [f64; 10] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1.0,
];

impl Default for LogStats {
    fn default() -> Self {
        LogStats {
            groups: Counter::default(),
            requests: Counter::default(),
            lines: Counter::default(),
            failures: Counter::default(),
            fsync: Histogram::new(FSYNC_BUCKETS),
        }
    }
}

impl LogStats {
    /// Registers every counter with `registry`.
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "tiefen_event_log_groups",
            "Event-log group commits (one write and one fsync each).",
            self.groups.clone(),
        );
        registry.register(
            "tiefen_event_log_requests",
            "Event batches committed.",
            self.requests.clone(),
        );
        registry.register(
            "tiefen_event_log_lines",
            "Event lines committed.",
            self.lines.clone(),
        );
        registry.register(
            "tiefen_event_log_failures",
            "Failed event-log group commits.",
            self.failures.clone(),
        );
        registry.register(
            "tiefen_event_log_fsync_seconds",
            "Write + fsync time of one group commit.",
            self.fsync.clone(),
        );
    }
}

/// The open log.
#[derive(Debug)]
pub struct EventLog {
    path: PathBuf,
    queue: Mutex<Queue>,
    committed: Condvar,
    file: Mutex<File>,
    stats: LogStats,
}

#[derive(Debug, Default)]
struct Queue {
    /// Every committed record, in log order.
    records: Vec<LogRecord>,
    /// Ids committed or queued.
    seen: FxHashSet<String>,
    /// Requests queued for the next group, by ticket.
    waiting: Vec<(u64, Vec<LogRecord>)>,
    next_ticket: u64,
    /// A writer is writing a group.
    writing: bool,
    /// Outcomes of written groups not yet collected: ticket -> first sequence number, or the
    /// error message.
    outcomes: FxHashMap<u64, std::result::Result<usize, String>>,
}

impl EventLog {
    /// Opens (creating) the log at `path` and reads every record.
    pub fn open(path: &Path) -> Result<EventLog> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
        }
        let (file, records) = crate::journal::open::<LogRecord>(path, "event log")?;
        let mut queue = Queue::default();
        for r in records {
            if queue.seen.insert(r.event.event_id.clone()) {
                queue.records.push(r);
            }
        }
        Ok(EventLog {
            path: path.to_path_buf(),
            queue: Mutex::new(queue),
            committed: Condvar::new(),
            file: Mutex::new(file),
            stats: LogStats::default(),
        })
    }

    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every committed record from position `from` on, in log order.
    pub fn records_from(&self, from: usize) -> Vec<LogRecord> {
        let q = self.queue();
        q.records.get(from..).unwrap_or_default().to_vec()
    }

    /// Committed records.
    pub fn len(&self) -> usize {
        self.queue().records.len()
    }

    /// True when nothing was committed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The commit counters.
    pub fn stats(&self) -> &LogStats {
        &self.stats
    }

    /// Commits the events whose ids are new (stamped `accepted_under`) and returns once they
    /// are on disk; the others are counted as duplicates.
    pub fn append(&self, events: Vec<OrderEvent>, accepted_under: Day) -> Result<Committed> {
        let total = events.len();
        let mut q = self.queue();
        let mut fresh = Vec::with_capacity(total);
        for event in events {
            if q.seen.insert(event.event_id.clone()) {
                fresh.push(LogRecord {
                    event,
                    accepted_under,
                });
            }
        }
        let duplicates = total - fresh.len();
        if fresh.is_empty() {
            return Ok(Committed {
                records: Vec::new(),
                duplicates,
            });
        }
        let n = fresh.len();
        let ticket = q.next_ticket;
        q.next_ticket += 1;
        q.waiting.push((ticket, fresh));
        loop {
            if let Some(outcome) = q.outcomes.remove(&ticket) {
                return match outcome {
                    Ok(first) => Ok(Committed {
                        records: (first..first + n)
                            .map(|s| (s, q.records[s].clone()))
                            .collect(),
                        duplicates,
                    }),
                    Err(reason) => Err(Error::io(&self.path)(std::io::Error::other(reason))),
                };
            }
            if q.writing {
                q = self.committed.wait(q).unwrap_or_else(|p| p.into_inner());
            } else {
                q.writing = true;
                let group = std::mem::take(&mut q.waiting);
                drop(q);
                let written = self.write_group(&group);
                q = self.queue();
                self.settle(&mut q, group, written);
                q.writing = false;
                self.committed.notify_all();
            }
        }
    }

    /// Writes one group with one write and one `fdatasync`; on failure cuts the file back.
    fn write_group(&self, group: &[(u64, Vec<LogRecord>)]) -> std::io::Result<()> {
        let mut buf = Vec::new();
        for r in group.iter().flat_map(|(_, rs)| rs) {
            serde_json::to_writer(&mut buf, r).map_err(std::io::Error::other)?;
            buf.push(b'\n');
        }
        let start = Instant::now();
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        let written = crate::journal::append_synced(&mut file, &buf);
        self.stats.fsync.observe(start.elapsed().as_secs_f64());
        written
    }

    /// Records a written group's outcome for its requests.
    fn settle(
        &self,
        q: &mut Queue,
        group: Vec<(u64, Vec<LogRecord>)>,
        written: std::io::Result<()>,
    ) {
        let s = &self.stats;
        match written {
            Ok(()) => {
                s.groups.inc();
                s.requests.inc_by(group.len() as u64);
                for (ticket, records) in group {
                    s.lines.inc_by(records.len() as u64);
                    q.outcomes.insert(ticket, Ok(q.records.len()));
                    q.records.extend(records);
                }
            }
            Err(e) => {
                s.failures.inc();
                tracing::error!(path = %self.path.display(), error = %e, "event log write failed");
                for (ticket, records) in group {
                    for r in &records {
                        q.seen.remove(&r.event.event_id);
                    }
                    q.outcomes.insert(ticket, Err(e.to_string()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
