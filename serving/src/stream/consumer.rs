//! One durable JetStream pull consumer per owned partition. Each takes the messages ready (up
//! to [`BATCH`]), applies their events with one [`Engine::ingest`] (logged with fsync,
//! deduplicated by `event_id`), and only then acknowledges them. A bad message is logged,
//! counted and terminated; a failed apply is retried, unacknowledged, until it succeeds.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, PullConsumer, pull};
use async_nats::jetstream::{self, AckKind, Message};
use futures_util::StreamExt;

use super::message::parse_message;
use super::settings::NatsSettings;
use super::stats::StreamStats;
use crate::domain::{OrderEvent, Partitioning};
use crate::engine::{Engine, IngestReport};
use crate::{Error, Result};

/// Most messages applied together (one log commit).
pub const BATCH: usize = 256;

/// How long the server waits for an acknowledgement before delivering a message again.
pub const ACK_WAIT: Duration = Duration::from_secs(30);

/// Connects, checks the stream, creates (or finds) the durable consumer of every owned
/// partition and spawns one task per partition on the current runtime. Fails, naming the
/// setting, when the server or the stream cannot be reached.
pub async fn start(
    engine: Arc<Engine>,
    nats: &NatsSettings,
    max_batch: usize,
    stats: StreamStats,
) -> Result<()> {
    let stream_error = |what: String| Error::Stream(what);
    let client = async_nats::ConnectOptions::new()
        .name("tiefen-serve")
        .connect(nats.url.as_str())
        .await
        .map_err(|e| stream_error(format!("nats.url {}: cannot connect: {e}", nats.url)))?;
    let js = jetstream::new(client);
    let stream = js.get_stream(&nats.stream).await.map_err(|e| {
        stream_error(format!(
            "nats.stream {:?}: {e} (create it with subjects `{}.*`)",
            nats.stream, nats.subject_prefix
        ))
    })?;
    for p in nats.partitioning.owned() {
        let config = pull::Config {
            durable_name: Some(nats.consumer(p)),
            filter_subject: nats.subject(p),
            ack_policy: AckPolicy::Explicit,
            deliver_policy: DeliverPolicy::All,
            ack_wait: ACK_WAIT,
            max_deliver: -1,
            max_ack_pending: 4 * BATCH as i64,
            ..pull::Config::default()
        };
        let consumer: PullConsumer = stream.create_consumer(config).await.map_err(|e| {
            stream_error(format!(
                "consumer {} on {:?}: {e}",
                nats.consumer(p),
                nats.stream
            ))
        })?;
        let partition = Partition {
            p,
            engine: Arc::clone(&engine),
            partitioning: nats.partitioning.clone(),
            max_batch,
            stats: stats.clone(),
        };
        tokio::spawn(partition.run(consumer));
    }
    tracing::info!(
        stream = %nats.stream,
        partitions = %nats.partitioning.describe_owned(),
        of = nats.partitioning.count(),
        "consuming events from NATS JetStream"
    );
    Ok(())
}

struct Partition {
    p: u32,
    engine: Arc<Engine>,
    partitioning: Partitioning,
    max_batch: usize,
    stats: StreamStats,
}

impl Partition {
    /// Pulls forever; a broken pull is opened again after a second.
    async fn run(self, consumer: PullConsumer) {
        loop {
            let pulled = consumer
                .stream()
                .max_messages_per_batch(BATCH)
                .heartbeat(Duration::from_secs(5))
                .messages()
                .await;
            let messages = match pulled {
                Ok(m) => m,
                Err(error) => {
                    tracing::warn!(partition = self.p, %error, "cannot pull; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            let mut chunks = messages.ready_chunks(BATCH);
            while let Some(chunk) = chunks.next().await {
                let mut batch = Vec::with_capacity(chunk.len());
                for item in chunk {
                    match item {
                        Ok(m) => batch.push(m),
                        Err(error) => tracing::warn!(partition = self.p, %error, "pull error"),
                    }
                }
                self.handle(batch).await;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// Terminates the bad messages, applies the events of the others, then acknowledges them.
    async fn handle(&self, batch: Vec<Message>) {
        if batch.is_empty() {
            return;
        }
        self.stats.message(self.p, "received", batch.len());
        let mut events = Vec::new();
        let mut good = Vec::with_capacity(batch.len());
        for m in batch {
            let (seq, pending) = m
                .info()
                .map(|i| (i.stream_sequence, i.pending))
                .unwrap_or_default();
            self.stats.pending(self.p, pending);
            match parse_message(&m.payload, self.p, &self.partitioning, self.max_batch) {
                Ok(mut e) => {
                    events.append(&mut e);
                    good.push(m);
                }
                Err(problem) => self.terminate(&m, seq, &problem).await,
            }
        }
        if !events.is_empty() {
            let report = self.apply(events, &good).await;
            self.stats.events(self.p, "accepted", report.accepted);
            self.stats.events(self.p, "duplicate", report.duplicates);
        }
        for m in &good {
            if let Err(error) = m.ack().await {
                // Not acknowledged: the server delivers it again and the log's dedup holds.
                tracing::warn!(partition = self.p, %error, "ack failed");
            } else {
                self.stats.message(self.p, "acked", 1);
            }
        }
    }

    async fn terminate(&self, m: &Message, stream_sequence: u64, problem: &str) {
        tracing::error!(
            partition = self.p,
            subject = %m.subject,
            stream_sequence,
            problem,
            "bad event message: terminated (not applied, not delivered again)"
        );
        self.stats.message(self.p, "bad", 1);
        if let Err(error) = m.ack_with(AckKind::Term).await {
            tracing::warn!(partition = self.p, stream_sequence, %error, "term failed");
        }
    }

    /// Applies `events` until it succeeds, telling the server the messages are in progress
    /// between attempts (so it does not deliver them elsewhere meanwhile).
    async fn apply(&self, events: Vec<OrderEvent>, messages: &[Message]) -> IngestReport {
        let mut delay = Duration::from_millis(100);
        loop {
            let engine = Arc::clone(&self.engine);
            let attempt = events.clone();
            let error = match tokio::task::spawn_blocking(move || engine.ingest(attempt)).await {
                Ok(Ok(report)) => return report,
                Ok(Err(e)) => e.to_string(),
                Err(e) => e.to_string(),
            };
            self.stats.failure(self.p);
            tracing::error!(partition = self.p, %error, "applying events failed; retrying");
            for m in messages {
                let _ = m.ack_with(AckKind::Progress).await;
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(5));
        }
    }
}
