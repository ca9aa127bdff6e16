//! Member attributes carried on order lines: the last non-empty value per member.

use rustc_hash::FxHashMap;

use crate::io::members::RowAttributes;
use crate::{Day, MemberAttributes, OrderBookBuilder, Vocab};

const NONE: u32 = u32::MAX;

/// The latest values of one member, text values as ids of [`CarriedAttributes::values`], so
/// that the per-row update compares integers.
#[derive(Debug, Clone, Copy)]
struct Latest {
    joined: Option<Day>,
    birthday: Option<Day>,
    age_group: u32,
    region: u32,
    tier: u32,
    tier_rank: u32,
}

impl Default for Latest {
    fn default() -> Self {
        Latest {
            joined: None,
            birthday: None,
            age_group: NONE,
            region: NONE,
            tier: NONE,
            tier_rank: 0,
        }
    }
}

/// Longest member id kept inline in [`CarriedAttributes::short`].
const SHORT: usize = 15;

/// For each member, the last non-empty value of each attribute seen on its order lines.
///
/// Ids of up to [`SHORT`] bytes (the usual case) are keys stored inline with their length in
/// the last byte, so the per-row lookup never follows a pointer to compare keys.
#[derive(Debug, Default)]
pub(crate) struct CarriedAttributes {
    values: Vocab,
    short: FxHashMap<[u8; SHORT + 1], Latest>,
    long: FxHashMap<Box<str>, Latest>,
}

fn short_key(member: &str) -> Option<[u8; SHORT + 1]> {
    let bytes = member.as_bytes();
    (bytes.len() <= SHORT).then(|| {
        let mut key = [0u8; SHORT + 1];
        key[..bytes.len()].copy_from_slice(bytes);
        key[SHORT] = bytes.len() as u8;
        key
    })
}

impl CarriedAttributes {
    /// Records the values of a loaded row of `member`.
    pub(crate) fn update(&mut self, member: &str, row: &RowAttributes<'_>) {
        if row.is_empty() {
            return;
        }
        let mut intern = |v: Option<&str>| v.map_or(NONE, |v| self.values.intern(v));
        let age_group = intern(row.age_group);
        let region = intern(row.region);
        let tier = intern(row.tier.map(|(t, _)| t));
        let merge = |l: &mut Latest| {
            l.joined = row.joined.or(l.joined);
            l.birthday = row.birthday.or(l.birthday);
            if age_group != NONE {
                l.age_group = age_group;
            }
            if region != NONE {
                l.region = region;
            }
            if let Some((_, rank)) = row.tier {
                l.tier = tier;
                l.tier_rank = rank;
            }
        };
        let existing = match short_key(member) {
            Some(key) => self.short.get_mut(&key),
            None => self.long.get_mut(member),
        };
        match existing {
            Some(latest) => merge(latest),
            None => {
                let mut latest = Latest::default();
                merge(&mut latest);
                match short_key(member) {
                    Some(key) => self.short.insert(key, latest),
                    None => self.long.insert(member.into(), latest),
                };
            }
        }
    }

    /// Sets the collected attributes on `builder`.
    pub(crate) fn apply(self, builder: &mut OrderBookBuilder) {
        let text = |id: u32| (id != NONE).then(|| self.values.name(id).to_string());
        let short = self.short.iter().map(|(key, l)| {
            let member = std::str::from_utf8(&key[..usize::from(key[SHORT])]);
            (member.expect("keys are copied from a str"), l)
        });
        let long = self.long.iter().map(|(member, l)| (&**member, l));
        for (member, l) in short.chain(long) {
            let attributes = MemberAttributes {
                joined: l.joined,
                birthday: l.birthday.map(Day::to_date),
                age_group: text(l.age_group),
                region: text(l.region),
                tier: text(l.tier),
                tier_rank: l.tier_rank,
            };
            builder.set_attributes(member, attributes);
        }
    }
}
