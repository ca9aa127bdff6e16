//! The event log's counters for `/metrics`.

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

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
    /// Records folded out of the live log.
    pub folded: Counter,
    /// Seconds per fold.
    pub fold: Histogram,
}

/// Upper bounds (seconds) of the fsync latency histogram.
pub const FSYNC_BUCKETS: [f64; 10] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1.0,
];

/// Upper bounds (seconds) of the fold time histogram.
pub const FOLD_BUCKETS: [f64; 8] = [0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

impl Default for LogStats {
    fn default() -> Self {
        LogStats {
            groups: Counter::default(),
            requests: Counter::default(),
            lines: Counter::default(),
            failures: Counter::default(),
            fsync: Histogram::new(FSYNC_BUCKETS),
            folded: Counter::default(),
            fold: Histogram::new(FOLD_BUCKETS),
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
        registry.register(
            "tiefen_event_log_folded_records",
            "Event-log records folded out of the live log into its folded file.",
            self.folded.clone(),
        );
        registry.register(
            "tiefen_event_log_fold_seconds",
            "Time of one fold (read, append and fsync the folded file, cut the live log).",
            self.fold.clone(),
        );
    }
}
