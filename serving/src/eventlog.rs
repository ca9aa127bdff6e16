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
//! unreadable line is an error.
//!
//! The log does not grow without bound in memory: records stay on disk and are read back only
//! to rebuild the serving state ([`EventLog::replay`]). Once the live log holds
//! [`FoldPolicy::fold_after`] records they are folded: appended to `<log>.folded` and cut from
//! the live log (see [`fold`]). Exactly-once holds for a documented window: an `event_id` is
//! recognised as a duplicate while its record is in the live log or among the last
//! [`FoldPolicy::keep_ids`] folded records; an id older than that is accepted again. Each line records the model as-of date it was accepted under,
//! so a later model trained on newer data does not count the same order twice (see
//! [`LogRecord::applies_to`]).

use std::collections::VecDeque;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

use features::Day;
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

/// When the live log is folded, and how long folded ids stay known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoldPolicy {
    /// Fold once the live log holds this many records. Default 100,000.
    pub fold_after: usize,
    /// Ids of the most recent folded records still recognised as duplicates; at least
    /// `fold_after`. Default 1,000,000.
    pub keep_ids: usize,
}

impl Default for FoldPolicy {
    fn default() -> Self {
        FoldPolicy {
            fold_after: 100_000,
            keep_ids: 1_000_000,
        }
    }
}

/// The open log.
#[derive(Debug)]
pub struct EventLog {
    path: PathBuf,
    folded_path: PathBuf,
    policy: FoldPolicy,
    queue: Mutex<Queue>,
    committed: Condvar,
    file: Mutex<File>,
    stats: LogStats,
}

#[derive(Debug, Default)]
struct Queue {
    /// Records folded (their sequence numbers come first).
    folded: usize,
    /// Records in the live log.
    live: usize,
    /// Ids recognised as duplicates: committed ones in the window, and queued ones.
    seen: FxHashSet<Arc<str>>,
    /// The committed ids in `seen`, oldest first.
    window: VecDeque<Arc<str>>,
    /// Requests queued for the next group, by ticket.
    waiting: Vec<(u64, Vec<LogRecord>)>,
    next_ticket: u64,
    /// A writer is writing a group.
    writing: bool,
    /// Folding failed after the folded file was written: no further fold in this process.
    fold_broken: bool,
    /// Outcomes of written groups not yet collected: ticket -> first sequence number and the
    /// records, or the error message.
    outcomes: FxHashMap<u64, std::result::Result<(usize, Vec<LogRecord>), String>>,
}

impl Queue {
    /// Remembers committed ids in log order, forgetting folded ones past the window.
    fn remember<'r>(&mut self, ids: impl Iterator<Item = &'r str>, policy: FoldPolicy) {
        for id in ids {
            let id: Arc<str> = Arc::from(id);
            self.seen.replace(Arc::clone(&id));
            self.window.push_back(id);
        }
        self.forget(policy);
    }

    fn forget(&mut self, policy: FoldPolicy) {
        while self.window.len() > self.live + policy.keep_ids {
            if let Some(old) = self.window.pop_front()
                && self.seen.get(&old).is_some_and(|s| Arc::ptr_eq(s, &old))
            {
                self.seen.remove(&old);
            }
        }
    }
}

impl EventLog {
    /// Opens (creating) the log at `path` with the default [`FoldPolicy`].
    pub fn open(path: &Path) -> Result<EventLog> {
        Self::open_with(path, FoldPolicy::default())
    }

    /// Opens (creating) the log at `path` and its folded part, finishing a fold a crash
    /// interrupted, and remembers the ids of the window.
    pub fn open_with(path: &Path, policy: FoldPolicy) -> Result<EventLog> {
        let policy = FoldPolicy {
            keep_ids: policy.keep_ids.max(policy.fold_after),
            fold_after: policy.fold_after.max(1),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
        }
        let folded_path = fold::path_of(path);
        let mut recent: VecDeque<String> = VecDeque::new();
        let keep = policy.keep_ids;
        let scanned = fold::open(&folded_path, |r| {
            if keep > 0 {
                if recent.len() == keep {
                    recent.pop_front();
                }
                recent.push_back(r.event.event_id);
            }
        })?;
        let mark = scanned.mark;
        let (mut file, mut live) = crate::journal::open::<LogRecord>(path, "event log")?;
        let done = fold::already_folded(mark.as_ref(), &live);
        if done > 0 {
            tracing::warn!(path = %path.display(), records = done, "finishing an interrupted fold");
            live.drain(..done);
            rewrite_live(path, &live)?;
            (file, live) = crate::journal::open::<LogRecord>(path, "event log")?;
        }
        let mut queue = Queue {
            folded: scanned.records,
            live: live.len(),
            ..Queue::default()
        };
        let ids = recent.iter().map(String::as_str);
        queue.remember(
            ids.chain(live.iter().map(|r| r.event.event_id.as_str())),
            policy,
        );
        Ok(EventLog {
            path: path.to_path_buf(),
            folded_path,
            policy,
            queue: Mutex::new(queue),
            committed: Condvar::new(),
            file: Mutex::new(file),
            stats: LogStats::default(),
        })
    }

    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Calls `each` with every committed record in log order (folded ones first), read from
    /// disk a line at a time, and returns how many: the sequence number of the next record.
    /// Records a group has written but not yet acknowledged may be included; they have the
    /// sequence numbers that follow. Appends wait meanwhile.
    pub fn replay(&self, mut each: impl FnMut(LogRecord)) -> Result<usize> {
        let _file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        let folded = fold::scan(&self.folded_path, &mut each)?.records;
        Ok(folded + fold::scan_live(&self.path, each)?)
    }

    /// Every committed record in log order (see [`EventLog::replay`]).
    pub fn records(&self) -> Result<Vec<LogRecord>> {
        let mut records = Vec::new();
        self.replay(|r| records.push(r))?;
        Ok(records)
    }

    /// Committed records (folded and live).
    pub fn len(&self) -> usize {
        let q = self.queue();
        q.folded + q.live
    }

    /// Records in the live log (not yet folded).
    pub fn live_len(&self) -> usize {
        self.queue().live
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
            if q.seen.insert(Arc::from(event.event_id.as_str())) {
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
        let ticket = q.next_ticket;
        q.next_ticket += 1;
        q.waiting.push((ticket, fresh));
        loop {
            if let Some(outcome) = q.outcomes.remove(&ticket) {
                return match outcome {
                    Ok((first, records)) => Ok(Committed {
                        records: (first..).zip(records).collect(),
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
                if q.live >= self.policy.fold_after && !q.fold_broken {
                    drop(q);
                    let folded = self.fold();
                    q = self.queue();
                    self.account_fold(&mut q, folded);
                }
                q.writing = false;
                self.committed.notify_all();
            }
        }
    }

    /// Moves the live log's records to the folded file and cuts the live log. Runs only as
    /// the writer, so no group is written meanwhile.
    fn fold(&self) -> std::result::Result<usize, (bool, String)> {
        let start = Instant::now();
        let file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        let live = fold::read_live(&self.path).map_err(|e| (false, e.to_string()))?;
        if live.is_empty() {
            return Ok(0);
        }
        fold::append(&self.folded_path, &live).map_err(|e| (false, e.to_string()))?;
        let cut = file.set_len(0).and_then(|()| file.sync_all());
        cut.map_err(|e| (true, e.to_string()))?;
        self.stats.fold.observe(start.elapsed().as_secs_f64());
        Ok(live.len())
    }

    fn account_fold(&self, q: &mut Queue, folded: std::result::Result<usize, (bool, String)>) {
        match folded {
            Ok(n) => {
                q.folded += n;
                q.live -= n;
                q.forget(self.policy);
                self.stats.folded.inc_by(n as u64);
            }
            Err((broken, e)) => {
                q.fold_broken |= broken;
                self.stats.failures.inc();
                tracing::error!(path = %self.path.display(), error = %e, broken, "folding the event log failed");
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
                    q.live += records.len();
                    let ids = records.iter().map(|r| r.event.event_id.as_str());
                    q.remember(ids, self.policy);
                    let first = q.folded + q.live - records.len();
                    q.outcomes.insert(ticket, Ok((first, records)));
                }
            }
            Err(e) => {
                s.failures.inc();
                tracing::error!(path = %self.path.display(), error = %e, "event log write failed");
                for (ticket, records) in group {
                    for r in &records {
                        q.seen.remove(r.event.event_id.as_str());
                    }
                    q.outcomes.insert(ticket, Err(e.to_string()));
                }
            }
        }
    }
}

/// Writes the live log anew with `records` (after an interrupted fold), through a temporary
/// file renamed over it.
fn rewrite_live(path: &Path, records: &[LogRecord]) -> Result<()> {
    let mut buf = Vec::new();
    for r in records {
        serde_json::to_writer(&mut buf, r).map_err(|e| Error::io(path)(e.into()))?;
        buf.push(b'\n');
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, &buf)
        .and_then(|()| File::open(&tmp)?.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(Error::io(path))
}

mod fold;
mod stats;

pub use stats::{FOLD_BUCKETS, FSYNC_BUCKETS, LogStats};
#[cfg(test)]
mod fold_tests;
#[cfg(test)]
mod tests;
