//! Settings: command line, optional TOML file, then `TIEFEN_API_KEYS` from the environment.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use features::campaign::{CapPolicy, CapRule, Channel};

use crate::auth::ApiKeys;
use crate::domain::Partitioning;
use crate::eventlog::FoldPolicy;
use crate::stream::{NatsSettings, Owned, RawNats};
use crate::{Error, Result};

/// The settings file as written (every field optional).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSettings {
    /// Address to listen on (default `127.0.0.1:8080`).
    pub listen: Option<String>,
    /// Models folder holding `current` (default `models`).
    pub models: Option<PathBuf>,
    /// Event log file (default `events.log` next to the models folder).
    pub event_log: Option<PathBuf>,
    /// API keys as `scope:key` strings.
    #[serde(default)]
    pub api_keys: Vec<String>,
    /// Largest request body in bytes (default 1 MiB).
    pub max_body_bytes: Option<usize>,
    /// Most event lines in one request (default 1,000).
    pub max_batch: Option<usize>,
    /// Request timeout in milliseconds (default 10,000).
    pub request_timeout_ms: Option<u64>,
    /// Campaign store file (default `campaigns.log` next to the event log).
    pub campaign_store: Option<PathBuf>,
    /// Frequency caps, `[[caps]]` tables of `channel` (omit for every channel), `max` and
    /// `window_days` (default [`default_caps`]).
    pub caps: Option<Vec<CapRule>>,
    /// How long a console sign-in lasts, in hours (default 8, 1 to 720).
    pub console_session_hours: Option<u64>,
    /// Fold the event log once its live part holds this many records (default 100,000).
    pub event_fold_after: Option<usize>,
    /// Ids of the most recent folded events still recognised as duplicates (default
    /// 1,000,000; at least `event_fold_after`).
    pub event_keep_ids: Option<usize>,
    /// Events from NATS JetStream, partitioned by member (`[nats]`; absent = HTTP only).
    pub nats: Option<RawNats>,
}

/// The shipped frequency caps: at most 3 campaign contacts a week on all channels together,
/// one a day by e-mail, LINE or push (Klaviyo's Smart Sending skips a member e-mailed in the
/// last 16 hours), one SMS a week.
pub fn default_caps() -> Vec<CapRule> {
    let rule = |channel, max, window_days| CapRule {
        channel,
        max,
        window_days,
    };
    vec![
        rule(None, 3, 7),
        rule(Some(Channel::Email), 1, 1),
        rule(Some(Channel::Line), 1, 1),
        rule(Some(Channel::Push), 1, 1),
        rule(Some(Channel::Sms), 1, 7),
    ]
}

/// Checked settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Models folder (holding `current`).
    pub models: PathBuf,
    /// Event log file.
    pub event_log: PathBuf,
    /// The API keys.
    pub api_keys: ApiKeys,
    /// Largest request body in bytes (1 KiB to 64 MiB).
    pub max_body_bytes: usize,
    /// Most event lines per request (1 to 100,000).
    pub max_batch: usize,
    /// Request timeout (at least 1 ms).
    pub request_timeout: Duration,
    /// Campaign store file.
    pub campaign_store: PathBuf,
    /// Frequency caps.
    pub caps: CapPolicy,
    /// How long a console sign-in lasts.
    pub console_session: Duration,
    /// When the event log folds, and how long folded ids stay known.
    pub event_fold: FoldPolicy,
    /// NATS JetStream consumption and partition ownership (`None` = HTTP only, every member).
    pub nats: Option<NatsSettings>,
}

/// Command-line overrides (`None` = not given).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--models DIR`.
    pub models: Option<PathBuf>,
    /// `--listen ADDR`.
    pub listen: Option<String>,
    /// `--events FILE`.
    pub event_log: Option<PathBuf>,
    /// `--nats-url URL`.
    pub nats_url: Option<String>,
    /// `--nats-stream NAME`.
    pub nats_stream: Option<String>,
    /// `--partitions N`.
    pub partitions: Option<u32>,
    /// `--owned LIST` (e.g. `0-3,6`).
    pub owned: Option<String>,
}

impl Settings {
    /// Reads `config` (when given), applies the command-line overrides and adds the keys of
    /// `env_keys` (the value of `TIEFEN_API_KEYS`), then checks the result.
    pub fn load(
        config: Option<&Path>,
        over: Overrides,
        env_keys: Option<&str>,
    ) -> Result<Settings> {
        let raw = match config {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(Error::io(p))?;
                toml::from_str(&text).map_err(|e| Error::Config(format!("{}: {e}", p.display())))?
            }
            None => RawSettings::default(),
        };
        Settings::try_from_raw(raw, over, env_keys)
    }

    /// Checks `raw` with the overrides and environment keys applied.
    pub fn try_from_raw(
        raw: RawSettings,
        over: Overrides,
        env_keys: Option<&str>,
    ) -> Result<Settings> {
        let any_nats = over.nats_url.is_some()
            || over.nats_stream.is_some()
            || over.partitions.is_some()
            || over.owned.is_some();
        let raw_nats = match (raw.nats, any_nats) {
            (None, false) => None,
            (nats, _) => {
                let n = nats.unwrap_or_default();
                Some(RawNats {
                    url: over.nats_url.or(n.url),
                    stream: over.nats_stream.or(n.stream),
                    partitions: over.partitions.or(n.partitions),
                    owned: over.owned.map(Owned::Text).or(n.owned),
                    ..n
                })
            }
        };
        let nats = NatsSettings::check(raw_nats)?;
        let listen_text = over
            .listen
            .or(raw.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen = listen_text.parse().map_err(|_| {
            Error::Config(format!("listen address {listen_text:?} is not HOST:PORT"))
        })?;
        let models = over
            .models
            .or(raw.models)
            .unwrap_or_else(|| "models".into());
        let event_log = over
            .event_log
            .or(raw.event_log)
            .unwrap_or_else(|| models.parent().unwrap_or(Path::new(".")).join("events.log"));
        let mut api_keys = ApiKeys::default();
        for pair in &raw.api_keys {
            api_keys.add_pair(pair)?;
        }
        if let Some(list) = env_keys {
            api_keys.extend(ApiKeys::parse_list(list)?);
        }
        if api_keys.is_empty() {
            return Err(Error::Config(
                "no API keys: set TIEFEN_API_KEYS=scope:key,... or `api_keys` in the config file"
                    .into(),
            ));
        }
        let max_body_bytes = raw.max_body_bytes.unwrap_or(1 << 20);
        if !(1024..=64 << 20).contains(&max_body_bytes) {
            return Err(Error::Config(format!(
                "max_body_bytes {max_body_bytes} is outside 1 KiB..64 MiB"
            )));
        }
        let max_batch = raw.max_batch.unwrap_or(1000);
        if !(1..=100_000).contains(&max_batch) {
            return Err(Error::Config(format!(
                "max_batch {max_batch} is outside 1..100000"
            )));
        }
        let timeout_ms = raw.request_timeout_ms.unwrap_or(10_000);
        if timeout_ms == 0 {
            return Err(Error::Config("request_timeout_ms must be > 0".into()));
        }
        let campaign_store = raw.campaign_store.unwrap_or_else(|| {
            event_log
                .parent()
                .unwrap_or(Path::new("."))
                .join("campaigns.log")
        });
        let caps = CapPolicy::new(raw.caps.unwrap_or_else(default_caps))
            .map_err(|e| Error::Config(format!("caps: {e}")))?;
        let session_hours = raw.console_session_hours.unwrap_or(8);
        if !(1..=720).contains(&session_hours) {
            return Err(Error::Config(format!(
                "console_session_hours {session_hours} is outside 1..720"
            )));
        }
        let fold = fold_policy(raw.event_fold_after, raw.event_keep_ids)?;
        Ok(Settings {
            console_session: Duration::from_secs(session_hours * 3600),
            event_fold: fold,
            campaign_store,
            caps,
            listen,
            models,
            event_log,
            api_keys,
            max_body_bytes,
            max_batch,
            request_timeout: Duration::from_millis(timeout_ms),
            nats,
        })
    }

    /// The partitions this replica owns, when events come partitioned from NATS.
    pub fn partitioning(&self) -> Option<&Partitioning> {
        self.nats.as_ref().map(|n| &n.partitioning)
    }
}

/// The event log's fold policy from the two settings, checked.
fn fold_policy(fold_after: Option<usize>, keep_ids: Option<usize>) -> Result<FoldPolicy> {
    let default = FoldPolicy::default();
    let fold_after = fold_after.unwrap_or(default.fold_after);
    if fold_after == 0 {
        return Err(Error::Config("event_fold_after must be at least 1".into()));
    }
    let keep_ids = keep_ids.unwrap_or(default.keep_ids.max(fold_after));
    if keep_ids < fold_after {
        return Err(Error::Config(format!(
            "event_keep_ids {keep_ids} is below event_fold_after {fold_after}: an id folded \
             in the last fold must stay known"
        )));
    }
    Ok(FoldPolicy {
        fold_after,
        keep_ids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(text: &str) -> Result<Settings> {
        let raw: RawSettings = toml::from_str(text).unwrap();
        Settings::try_from_raw(
            raw,
            Overrides::default(),
            Some("admin:0123456789abcdef0123"),
        )
    }

    #[test]
    fn the_fold_policy_defaults_and_is_checked() {
        assert_eq!(settings("").unwrap().event_fold, FoldPolicy::default());
        let small = settings("event_fold_after = 40").unwrap().event_fold;
        assert_eq!((small.fold_after, small.keep_ids), (40, 1_000_000));
        let big = settings("event_fold_after = 2000000").unwrap().event_fold;
        assert_eq!((big.fold_after, big.keep_ids), (2_000_000, 2_000_000));
        let zero = settings("event_fold_after = 0").unwrap_err().to_string();
        assert!(
            zero.contains("event_fold_after must be at least 1"),
            "{zero}"
        );
        let below = settings("event_fold_after = 100\nevent_keep_ids = 99")
            .unwrap_err()
            .to_string();
        assert!(
            below.contains("event_keep_ids 99 is below event_fold_after 100"),
            "{below}"
        );
    }
}
