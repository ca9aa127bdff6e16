//! Days and timestamps.
//!
//! Timestamps are seconds since 1970-01-01T00:00:00 in the store's local wall-clock time; a
//! [`Day`] is the number of days since 1970-01-01. When an ISO-8601 value carries an offset
//! (`Z`, `+08:00`), the wall-clock part as written is kept and the offset is ignored: a store's
//! business day is the local one.

use chrono::{Datelike, NaiveDate, NaiveDateTime};

/// Seconds in one day.
pub const SECONDS_PER_DAY: i64 = 86_400;

/// A calendar day, counted in days since 1970-01-01 (negative before it). Serialised as an
/// ISO date (`2001-02-01`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i32);

impl serde::Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.to_date())
    }
}

impl<'de> serde::Deserialize<'de> for Day {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        parse_date(&s).map(Day::from_date).ok_or_else(|| {
            serde::de::Error::custom(format!("expected a YYYY-MM-DD date, got {s:?}"))
        })
    }
}

impl Day {
    /// The day of a calendar date.
    pub fn from_date(date: NaiveDate) -> Day {
        Day(date.num_days_from_ce() - EPOCH_DAYS_FROM_CE)
    }

    /// The calendar date of this day.
    pub fn to_date(self) -> NaiveDate {
        NaiveDate::from_num_days_from_ce_opt(self.0 + EPOCH_DAYS_FROM_CE).unwrap_or(NaiveDate::MIN)
    }

    /// The day a timestamp (seconds since the epoch) falls on.
    pub fn of_ts(ts: i64) -> Day {
        Day(ts.div_euclid(SECONDS_PER_DAY) as i32)
    }

    /// The first second of this day.
    pub fn start_ts(self) -> i64 {
        i64::from(self.0) * SECONDS_PER_DAY
    }

    /// This day plus `days` (may be negative).
    pub fn plus(self, days: i32) -> Day {
        Day(self.0 + days)
    }

    /// Weekday index, Monday = 0 .. Sunday = 6.
    pub fn weekday(self) -> usize {
        (self.0 + 3).rem_euclid(7) as usize
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.to_date())
    }
}

const EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// Parses an ISO-8601 date (`2001-02-01`) or date-time (`2001-02-01T10:30:00`,
/// `2001-02-01 10:30`, fractional seconds, `Z` or `±hh:mm` offsets) into a timestamp.
pub fn parse_iso(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])? as i32;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let start = Day::from_date(date).start_ts();
    if b.len() == 10 {
        return Some(start);
    }
    if b[10] != b'T' && b[10] != b' ' {
        return None;
    }
    let rest = &b[11..];
    if rest.len() < 5 || rest[2] != b':' {
        return None;
    }
    let hour = i64::from(digits(&rest[0..2])?);
    let minute = i64::from(digits(&rest[3..5])?);
    let mut pos = 5;
    let mut second = 0;
    if rest.len() >= 8 && rest[5] == b':' {
        second = i64::from(digits(&rest[6..8])?);
        pos = 8;
        if rest.len() > pos && (rest[pos] == b'.' || rest[pos] == b',') {
            pos += 1;
            let frac = rest[pos..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if frac == 0 {
                return None;
            }
            pos += frac;
        }
    }
    if hour > 23 || minute > 59 || second > 60 || !valid_offset(&rest[pos..]) {
        return None;
    }
    Some(start + hour * 3600 + minute * 60 + second.min(59))
}

fn valid_offset(b: &[u8]) -> bool {
    match b {
        [] | [b'Z'] => true,
        [b'+' | b'-', h1, h2] => h1.is_ascii_digit() && h2.is_ascii_digit(),
        [b'+' | b'-', h1, h2, m1, m2] | [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
        }
        _ => false,
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// Parses `s` with a chrono format string (for example `%m/%d/%Y`); a format without a time of
/// day gives midnight.
pub fn parse_with_format(s: &str, format: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(dt) = NaiveDateTime::parse_from_str(s, format) {
        return Some(dt.and_utc().timestamp());
    }
    NaiveDate::parse_from_str(s, format)
        .ok()
        .map(|d| Day::from_date(d).start_ts())
}

/// How timestamps are written in a file.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum TsFormat {
    /// ISO-8601 date or date-time (the canonical form).
    #[default]
    Iso8601,
    /// A chrono format string, such as `%m/%d/%Y` for Ta Feng.
    Pattern(String),
}

impl TsFormat {
    /// Parses one value, `None` when it does not match.
    pub fn parse(&self, s: &str) -> Option<i64> {
        match self {
            TsFormat::Iso8601 => parse_iso(s),
            TsFormat::Pattern(p) => parse_with_format(s, p),
        }
    }
}

/// Parses a plain ISO date (`YYYY-MM-DD`).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, mi, s)
            .unwrap()
            .and_utc()
            .timestamp()
    }

    #[test]
    fn iso_dates_and_datetimes_parse_to_wall_clock_seconds() {
        assert_eq!(parse_iso("2001-02-01"), Some(ts(2001, 2, 1, 0, 0, 0)));
        assert_eq!(
            parse_iso("2001-02-01T10:30:05"),
            Some(ts(2001, 2, 1, 10, 30, 5))
        );
        assert_eq!(
            parse_iso("2001-02-01 10:30"),
            Some(ts(2001, 2, 1, 10, 30, 0))
        );
        assert_eq!(
            parse_iso("2001-02-01T10:30:05.123Z"),
            Some(ts(2001, 2, 1, 10, 30, 5))
        );
        assert_eq!(
            parse_iso("2001-02-01T23:59:59+08:00"),
            Some(ts(2001, 2, 1, 23, 59, 59))
        );
    }

    #[test]
    fn malformed_iso_values_are_rejected() {
        for bad in [
            "",
            "2001-2-01",
            "2001-02-30",
            "2001/02/01",
            "2001-02-01X",
            "2001-02-01T25:00",
            "2001-02-01T10:30:05+8",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn tafeng_style_dates_parse_with_a_pattern() {
        let f = TsFormat::Pattern("%m/%d/%Y".into());
        assert_eq!(f.parse("2/1/2001"), Some(ts(2001, 2, 1, 0, 0, 0)));
        assert_eq!(f.parse("11/30/2000"), Some(ts(2000, 11, 30, 0, 0, 0)));
        assert_eq!(f.parse("13/1/2001"), None);
    }

    #[test]
    fn days_round_trip_and_know_their_weekday() {
        let d = Day::from_date(NaiveDate::from_ymd_opt(2001, 2, 1).unwrap());
        assert_eq!(d.0, 11_354);
        assert_eq!(d.to_date().to_string(), "2001-02-01");
        assert_eq!(d.weekday(), 3); // a Thursday
        assert_eq!(Day::of_ts(d.start_ts() - 1), d.plus(-1));
        assert_eq!(Day(0).weekday(), 3); // 1970-01-01 was a Thursday
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"2001-02-01\"");
        assert_eq!(serde_json::from_str::<Day>("\"2001-02-01\"").unwrap(), d);
    }
}
