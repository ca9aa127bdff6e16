//! Frequency caps: at most `max` contacts per member in a rolling window of days, per channel
//! or across all channels.
//!
//! Time is a timestamp in seconds (`features::time` convention: seconds since the epoch in the
//! store's local wall-clock time). A rule with `window_days = d` counts the member's recorded
//! contacts at times `t` with `at - d·86_400 < t <= at`: a contact exactly `d` days before the
//! send no longer counts, one in the same second does. A send is allowed when every rule has
//! fewer than `max` contacts in its window; otherwise [`CapHit`] reports the first rule
//! violated, in the order the rules were given.

use std::str::FromStr;

use rustc_hash::FxHashMap;

use super::CampaignError;
use crate::time::SECONDS_PER_DAY;

/// A messaging channel. Serialised lowercase (`email`, `line`, `sms`, `push`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// E-mail.
    Email,
    /// LINE messages.
    Line,
    /// SMS.
    Sms,
    /// App push notifications.
    Push,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 4] = [Channel::Email, Channel::Line, Channel::Sms, Channel::Push];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Line => "line",
            Channel::Sms => "sms",
            Channel::Push => "push",
        }
    }
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Channel {
    type Err = CampaignError;
    /// Parses a lowercase name; anything else is [`CampaignError::UnknownChannel`].
    fn from_str(s: &str) -> Result<Channel, CampaignError> {
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| CampaignError::UnknownChannel(s.to_owned()))
    }
}

impl<'de> serde::Deserialize<'de> for Channel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Channel, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// At most `max` contacts in `window_days` days on `channel` (any channel when `None`).
/// Checked by [`CapPolicy::new`]: `max >= 1`, `1 <= window_days <= 365`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapRule {
    /// The channel counted, or `None` for all channels together.
    #[serde(default)]
    pub channel: Option<Channel>,
    /// Contacts allowed in the window (at least 1).
    pub max: u32,
    /// Window length in days, 1 to 365.
    pub window_days: u32,
}

/// A checked list of [`CapRule`]s, all of which apply.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CapPolicy {
    rules: Vec<CapRule>,
}

impl CapPolicy {
    /// Checks every rule; the error names the rule (1-based) and the field.
    pub fn new(rules: Vec<CapRule>) -> Result<CapPolicy, CampaignError> {
        for (i, r) in rules.iter().enumerate() {
            let bad = |field, value, expected| CampaignError::CapRule {
                rule: i + 1,
                field,
                value,
                expected,
            };
            if r.max < 1 {
                return Err(bad("max", r.max, "at least 1"));
            }
            if !(1..=365).contains(&r.window_days) {
                return Err(bad("window_days", r.window_days, "between 1 and 365"));
            }
        }
        Ok(CapPolicy { rules })
    }

    /// The rules, in the order given.
    pub fn rules(&self) -> &[CapRule] {
        &self.rules
    }
}

/// Why a send is refused: the first rule violated and the contacts already in its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapHit {
    /// The rule's 0-based position in the policy.
    pub rule: usize,
    /// The rule itself.
    pub cap: CapRule,
    /// Contacts counted in its window before this send (`>= cap.max`).
    pub count: u32,
}

/// One recorded contact of a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// When it was sent (seconds, see the module docs).
    pub at: i64,
    /// The channel used.
    pub channel: Channel,
    /// The campaign that sent it.
    pub campaign_id: String,
}

/// The contacts sent to each member, in memory, checked against a [`CapPolicy`].
#[derive(Debug, Clone, Default)]
pub struct ContactHistory {
    policy: CapPolicy,
    contacts: FxHashMap<String, Vec<Contact>>,
}

impl ContactHistory {
    /// An empty history under `policy`.
    pub fn new(policy: CapPolicy) -> ContactHistory {
        ContactHistory {
            policy,
            contacts: FxHashMap::default(),
        }
    }

    /// Whether a send to `member_id` on `channel` at `at` stays within every cap. Contacts
    /// recorded after `at` are ignored.
    pub fn check(&self, member_id: &str, channel: Channel, at: i64) -> Result<(), CapHit> {
        let contacts = self.contacts(member_id);
        for (rule, cap) in self.policy.rules.iter().enumerate() {
            if cap.channel.is_some_and(|c| c != channel) {
                continue;
            }
            let start = at - i64::from(cap.window_days) * SECONDS_PER_DAY;
            let count = contacts
                .iter()
                .filter(|c| {
                    c.at > start && c.at <= at && cap.channel.is_none_or(|ch| ch == c.channel)
                })
                .count();
            let count = u32::try_from(count).unwrap_or(u32::MAX);
            if count >= cap.max {
                return Err(CapHit {
                    rule,
                    cap: *cap,
                    count,
                });
            }
        }
        Ok(())
    }

    /// Records a contact sent (whether or not it was checked).
    pub fn record(&mut self, member_id: &str, channel: Channel, at: i64, campaign_id: &str) {
        let contact = Contact {
            at,
            channel,
            campaign_id: campaign_id.to_owned(),
        };
        self.contacts
            .entry(member_id.to_owned())
            .or_default()
            .push(contact);
    }

    /// The member's recorded contacts, in the order recorded.
    pub fn contacts(&self, member_id: &str) -> &[Contact] {
        self.contacts.get(member_id).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
#[path = "caps_tests.rs"]
mod tests;
