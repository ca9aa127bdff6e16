//! The `[nats]` settings table and its command-line overrides, checked into [`NatsSettings`].

use crate::domain::Partitioning;
use crate::domain::partitioning::MAX_PARTITIONS;
use crate::{Error, Result};

/// The `[nats]` table as written (every field optional; `url`, `partitions` and `owned` are
/// required once the table or any `--nats-*`/`--partitions`/`--owned` flag is given).
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNats {
    /// Server URL, e.g. `nats://127.0.0.1:4222`.
    pub url: Option<String>,
    /// JetStream stream holding the events (default `TIEFEN_EVENTS`; it must exist and
    /// capture `<subject_prefix>.*`).
    pub stream: Option<String>,
    /// Subjects are `<subject_prefix>.<partition>` (default `tiefen.events`).
    pub subject_prefix: Option<String>,
    /// Durable consumers are named `<consumer_prefix>-p<partition>` (default `tiefen`).
    pub consumer_prefix: Option<String>,
    /// Number of partitions N (1 to 4096); a member's partition is
    /// `features::partition::partition_of(member_id, N)`.
    pub partitions: Option<u32>,
    /// Partitions this replica owns: `"0-3,6"` or `[0, 1, 2, 3, 6]`.
    pub owned: Option<Owned>,
}

/// The owned partitions as written.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(untagged)]
pub enum Owned {
    /// `"0-3,6"`.
    Text(String),
    /// `[0, 1, 2, 3, 6]`.
    List(Vec<u32>),
}

/// Checked NATS settings.
#[derive(Debug, Clone)]
pub struct NatsSettings {
    /// Server URL.
    pub url: String,
    /// Stream name.
    pub stream: String,
    /// Subject prefix (subjects are `<prefix>.<partition>`).
    pub subject_prefix: String,
    /// Durable consumer name prefix.
    pub consumer_prefix: String,
    /// The partition count and this replica's partitions.
    pub partitioning: Partitioning,
}

impl NatsSettings {
    /// The subject of partition `p`.
    pub fn subject(&self, p: u32) -> String {
        format!("{}.{p}", self.subject_prefix)
    }

    /// The durable consumer of partition `p` (its ack floor is the partition's stored
    /// position, whichever replica owns it).
    pub fn consumer(&self, p: u32) -> String {
        format!("{}-p{p}", self.consumer_prefix)
    }

    /// Checks `raw` (`None` when the table and every flag are absent: no NATS).
    pub fn check(raw: Option<RawNats>) -> Result<Option<NatsSettings>> {
        let Some(raw) = raw else { return Ok(None) };
        let bad = |field: &str, why: String| Error::Config(format!("nats.{field}: {why}"));
        let url = raw
            .url
            .ok_or_else(|| bad("url", "missing (e.g. nats://127.0.0.1:4222)".into()))?;
        url.parse::<async_nats::ServerAddr>()
            .map_err(|e| bad("url", format!("{url:?} is not a NATS server URL: {e}")))?;
        let stream = raw.stream.unwrap_or_else(|| "TIEFEN_EVENTS".into());
        name(&stream).map_err(|why| bad("stream", why))?;
        let consumer_prefix = raw.consumer_prefix.unwrap_or_else(|| "tiefen".into());
        name(&consumer_prefix).map_err(|why| bad("consumer_prefix", why))?;
        let subject_prefix = raw.subject_prefix.unwrap_or_else(|| "tiefen.events".into());
        if subject_prefix
            .split('.')
            .any(|t| t.is_empty() || name(t).is_err())
        {
            return Err(bad(
                "subject_prefix",
                format!("{subject_prefix:?} is not dot-separated tokens without wildcards"),
            ));
        }
        let count = raw
            .partitions
            .ok_or_else(|| bad("partitions", "missing (the number of partitions)".into()))?;
        let owned = match raw.owned {
            None => return Err(bad("owned", "missing (e.g. \"0-3\")".into())),
            Some(Owned::Text(t)) => Partitioning::parse_owned(&t).map_err(|w| bad("owned", w))?,
            Some(Owned::List(l)) => l.into_iter().collect(),
        };
        if !(1..=MAX_PARTITIONS).contains(&count) {
            return Err(bad(
                "partitions",
                format!("{count} is outside 1..={MAX_PARTITIONS}"),
            ));
        }
        let partitioning = Partitioning::new(count, owned).map_err(|why| bad("owned", why))?;
        Ok(Some(NatsSettings {
            url,
            stream,
            subject_prefix,
            consumer_prefix,
            partitioning,
        }))
    }
}

/// JetStream names (streams, consumers, subject tokens): printable, no whitespace, no `.`,
/// `*`, `>`, `/` or `\`, at most 64 bytes.
fn name(s: &str) -> std::result::Result<(), String> {
    let bad = |c: char| c.is_whitespace() || c.is_control() || ".*>/\\".contains(c);
    if s.is_empty() || s.len() > 64 || s.chars().any(bad) {
        return Err(format!(
            "{s:?} must be 1 to 64 bytes without whitespace, `.`, `*`, `>`, `/` or `\\`"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(partitions: u32, owned: &str) -> RawNats {
        RawNats {
            url: Some("nats://127.0.0.1:4222".into()),
            partitions: Some(partitions),
            owned: Some(Owned::Text(owned.into())),
            ..RawNats::default()
        }
    }

    fn error(raw: RawNats) -> String {
        match NatsSettings::check(Some(raw)) {
            Err(Error::Config(m)) => m,
            other => panic!("not a config error: {other:?}"),
        }
    }

    #[test]
    fn defaults_name_the_stream_subjects_and_consumers() {
        let s = NatsSettings::check(Some(raw(8, "0-3"))).unwrap().unwrap();
        assert_eq!(s.stream, "TIEFEN_EVENTS");
        assert_eq!(s.subject(5), "tiefen.events.5");
        assert_eq!(s.consumer(5), "tiefen-p5");
        assert_eq!(s.partitioning.owned().collect::<Vec<_>>(), [0, 1, 2, 3]);
        assert!(NatsSettings::check(None).unwrap().is_none());
    }

    #[test]
    fn errors_name_the_field() {
        assert!(error(RawNats::default()).starts_with("nats.url: missing"));
        assert!(error(raw(0, "0")).starts_with("nats.partitions: 0 is outside"));
        assert!(error(raw(4, "3-4")).starts_with("nats.owned: partition 4 is outside 0..4"));
        assert!(error(raw(4, "a")).starts_with("nats.owned: \"a\""));
        let r = RawNats {
            partitions: None,
            ..raw(4, "0")
        };
        assert!(error(r).starts_with("nats.partitions: missing"));
        let r = RawNats {
            stream: Some("a.b".into()),
            ..raw(4, "0")
        };
        assert!(error(r).starts_with("nats.stream:"));
        let r = RawNats {
            subject_prefix: Some("tiefen.*".into()),
            ..raw(4, "0")
        };
        assert!(error(r).starts_with("nats.subject_prefix:"));
        let r = RawNats {
            url: Some("nats://host:notaport".into()),
            ..raw(4, "0")
        };
        assert!(error(r).starts_with("nats.url:"));
    }
}
