//! Events from NATS JetStream, partitioned by member hash.
//!
//! Producers publish on `<subject_prefix>.<P>` (default `tiefen.events.<P>`), where
//! `P = features::partition::partition_of(member_id, N)`; the body is what `POST /v1/events`
//! takes as JSON (one event, an array, or `{"events": [...]}`), all of one partition. Each
//! replica owns a set of partitions and runs one durable pull consumer per owned partition
//! (`<consumer_prefix>-p<P>`, explicit acks): it applies and logs a message's events before
//! acknowledging it, so after a crash it resumes from the consumer's ack floor and the event
//! log's `event_id` dedup makes the redeliveries harmless. A bad message is terminated
//! (`AckKind::Term`: never delivered again, kept in the stream at its sequence, and announced
//! by the server on `$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.<stream>.<consumer>`).

mod consumer;
pub mod message;
pub mod settings;
pub mod stats;

pub use consumer::{ACK_WAIT, BATCH, start};
pub use settings::{NatsSettings, Owned, RawNats};
pub use stats::StreamStats;
