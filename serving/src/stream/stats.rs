//! Prometheus counters of the JetStream consumers, by partition.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// The `partition` and `outcome` labels.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PartitionOutcome {
    /// The partition.
    pub partition: u32,
    /// What happened.
    pub outcome: &'static str,
}

/// The `partition` label.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PartitionLabel {
    /// The partition.
    pub partition: u32,
}

/// Counters of the consumers (cheap clones share the values).
#[derive(Debug, Clone, Default)]
pub struct StreamStats {
    /// Messages by outcome: `received` (every delivery, redeliveries included), `acked`
    /// (applied and on disk, or all duplicates), `bad` (terminated).
    pub messages: Family<PartitionOutcome, Counter>,
    /// Events of acknowledged messages by outcome: `accepted` (applied now) or `duplicate`
    /// (their `event_id` was in the log: acknowledged, not applied again).
    pub events: Family<PartitionOutcome, Counter>,
    /// Failed attempts to apply a batch (retried; nothing acknowledged meanwhile).
    pub failures: Family<PartitionLabel, Counter>,
    /// Messages in the stream not yet delivered to the partition's consumer, as of its last
    /// delivered message (the consumer lag).
    pub pending: Family<PartitionLabel, Gauge>,
}

impl StreamStats {
    /// Registers the metrics with `registry`.
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "tiefen_stream_messages",
            "JetStream messages by partition and outcome (received, acked, bad).",
            self.messages.clone(),
        );
        registry.register(
            "tiefen_stream_events",
            "Events of acknowledged JetStream messages by partition and outcome.",
            self.events.clone(),
        );
        registry.register(
            "tiefen_stream_apply_failures",
            "Failed attempts to apply a JetStream batch (retried), by partition.",
            self.failures.clone(),
        );
        registry.register(
            "tiefen_stream_pending_messages",
            "Messages not yet delivered to the partition's consumer (lag).",
            self.pending.clone(),
        );
    }

    pub(crate) fn message(&self, partition: u32, outcome: &'static str, n: usize) {
        self.messages
            .get_or_create(&PartitionOutcome { partition, outcome })
            .inc_by(n as u64);
    }

    pub(crate) fn events(&self, partition: u32, outcome: &'static str, n: usize) {
        self.events
            .get_or_create(&PartitionOutcome { partition, outcome })
            .inc_by(n as u64);
    }

    pub(crate) fn failure(&self, partition: u32) {
        self.failures
            .get_or_create(&PartitionLabel { partition })
            .inc();
    }

    pub(crate) fn pending(&self, partition: u32, pending: u64) {
        self.pending
            .get_or_create(&PartitionLabel { partition })
            .set(pending as i64);
    }
}
