//! Arrow columns of any accepted type, brought to one of three shapes, and per-value parsing.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, StringArray};
use arrow_schema::{DataType, TimeUnit};
use chrono::{DateTime, NaiveDateTime};
use rustc_hash::FxHashMap;

use crate::time::TsFormat;

/// What a canonical field needs from its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Ids, categories, attributes: strings; integers become decimal strings.
    Text,
    /// Quantities and amounts: numbers, or strings parsed per value.
    Number,
    /// Timestamps and dates: dates or timestamps, or strings parsed per value.
    Time,
}

/// One column of one batch, in the shape its [`Kind`] needs.
pub(crate) enum Column {
    /// Strings (a null reads as the empty string).
    Text(StringArray),
    /// Numbers already typed in the file.
    Number(Float64Array),
    /// Wall-clock seconds since 1970-01-01, from typed dates and timestamps.
    Seconds(Int64Array),
}

/// Why a value was rejected: the reason for an empty value.
pub(crate) const EMPTY: &str = "empty or missing value";

impl Column {
    /// Brings `array` to the shape `kind` needs; `Err` says which types are accepted.
    pub(crate) fn from_arrow(array: &ArrayRef, kind: Kind) -> Result<Column, String> {
        let dt = array.data_type();
        let cast = |to: &DataType| arrow_cast::cast(array, to).map_err(|e| e.to_string());
        match kind {
            _ if dt == &DataType::Utf8 => Ok(Column::Text(array.as_string::<i32>().clone())),
            _ if is_text(dt) || dt == &DataType::Null => Ok(Column::Text(
                cast(&DataType::Utf8)?.as_string::<i32>().clone(),
            )),
            Kind::Text if dt.is_integer() => Ok(Column::Text(
                cast(&DataType::Utf8)?.as_string::<i32>().clone(),
            )),
            Kind::Number if dt.is_numeric() => Ok(Column::Number(
                cast(&DataType::Float64)?
                    .as_primitive::<Float64Type>()
                    .clone(),
            )),
            Kind::Time => seconds(array).map(Column::Seconds),
            Kind::Text => Err(format!("has type {dt}; expected strings or integers")),
            Kind::Number => Err(format!("has type {dt}; expected numbers or strings")),
        }
    }

    /// The string at `i` of a text column, `""` for null or a typed column.
    #[inline]
    pub(crate) fn text(&self, i: usize) -> &str {
        match self {
            Column::Text(a) if a.is_valid(i) => a.value(i),
            _ => "",
        }
    }

    /// The value at `i` as written in the file (typed values formatted), for rejects files.
    pub(crate) fn raw(&self, i: usize) -> String {
        match self {
            Column::Text(_) => self.text(i).to_string(),
            Column::Number(a) if a.is_valid(i) => a.value(i).to_string(),
            Column::Seconds(a) if a.is_valid(i) => DateTime::from_timestamp(a.value(i), 0)
                .map_or_else(String::new, |t| {
                    t.naive_utc().format("%Y-%m-%dT%H:%M:%S").to_string()
                }),
            _ => String::new(),
        }
    }

    /// The number at `i`; the value is trimmed before parsing, and must be finite.
    #[inline]
    pub(crate) fn number(&self, i: usize) -> Result<f64, &'static str> {
        let x = match self {
            Column::Number(a) if a.is_valid(i) => a.value(i),
            Column::Text(_) => {
                let s = self.text(i).trim();
                if s.is_empty() {
                    return Err(EMPTY);
                }
                match parse_plain_decimal(s) {
                    Some(x) => x,
                    None => s.parse::<f64>().map_err(|_| "not a number")?,
                }
            }
            _ => return Err(EMPTY),
        };
        if x.is_finite() {
            Ok(x)
        } else {
            Err("not a finite number (NaN or infinite)")
        }
    }

    /// The timestamp at `i`, parsing text with `cache`; `None` when empty or unparsable.
    #[inline]
    pub(crate) fn time(&self, i: usize, cache: &mut TsCache) -> Option<i64> {
        match self {
            Column::Seconds(a) => a.is_valid(i).then(|| a.value(i)),
            Column::Text(_) => cache.parse(self.text(i)),
            Column::Number(_) => None,
        }
    }
}

/// Parses `-?digits(.digits)?` with at most 15 digits in all, exactly as `str::parse` would
/// (one correctly rounded division of exact integers); `None` for anything else.
#[inline]
fn parse_plain_decimal(s: &str) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (negative, digits) = match s.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        b => (false, b),
    };
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let mut mantissa = 0u64;
    let mut count = 0usize;
    let mut fraction = None;
    for (i, &c) in digits.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(c - b'0');
                count += 1;
            }
            b'.' if fraction.is_none() && i > 0 && i + 1 < digits.len() => {
                fraction = Some(digits.len() - i - 1);
            }
            _ => return None,
        }
    }
    if count > 15 {
        return None;
    }
    let x = mantissa as f64 / POW10[fraction.unwrap_or(0)];
    Some(if negative { -x } else { x })
}

fn is_text(dt: &DataType) -> bool {
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => is_text(v),
        _ => false,
    }
}

fn seconds(array: &ArrayRef) -> Result<Int64Array, String> {
    let as_i64 = || {
        arrow_cast::cast(array, &DataType::Int64)
            .map(|a| a.as_primitive::<Int64Type>().clone())
            .map_err(|e| e.to_string())
    };
    let per_second = |unit: &TimeUnit| match unit {
        TimeUnit::Second => 1,
        TimeUnit::Millisecond => 1_000,
        TimeUnit::Microsecond => 1_000_000,
        TimeUnit::Nanosecond => 1_000_000_000,
    };
    match array.data_type() {
        DataType::Date32 => Ok(as_i64()?.unary(|d| d * crate::time::SECONDS_PER_DAY)),
        DataType::Date64 => Ok(as_i64()?.unary(|ms| ms.div_euclid(1_000))),
        DataType::Timestamp(unit, tz) => {
            let offset = match tz {
                None => 0,
                Some(tz) => i64::from(utc_offset(tz).ok_or_else(|| {
                    format!("has time zone `{tz}`; only UTC and fixed offsets such as +08:00 are supported")
                })?),
            };
            let n = per_second(unit);
            Ok(as_i64()?.unary(|t| t.div_euclid(n) + offset))
        }
        dt => Err(format!(
            "has type {dt}; expected a date, a timestamp or strings"
        )),
    }
}

fn utc_offset(tz: &str) -> Option<i32> {
    use chrono::{Offset, TimeZone};
    if matches!(tz, "UTC" | "utc" | "Z" | "Etc/UTC" | "GMT") {
        return Some(0);
    }
    let tz: arrow_array::timezone::Tz = tz.parse().ok()?;
    Some(
        tz.offset_from_utc_datetime(&NaiveDateTime::default())
            .fix()
            .local_minus_utc(),
    )
}

/// Parses timestamp strings in one format, remembering recent results: exports are mostly
/// sorted by time and have few distinct date strings.
pub(crate) struct TsCache {
    format: TsFormat,
    last: String,
    last_value: Option<i64>,
    seen: FxHashMap<Box<str>, Option<i64>>,
}

impl TsCache {
    const MAX_SEEN: usize = 4_096;

    /// An empty cache for `format`.
    pub(crate) fn new(format: TsFormat) -> Self {
        TsCache {
            format,
            last: String::new(),
            last_value: None,
            seen: FxHashMap::default(),
        }
    }

    /// The format values are parsed with.
    pub(crate) fn format(&self) -> &TsFormat {
        &self.format
    }

    /// The timestamp of `s`, `None` when it does not match the format.
    #[inline]
    pub(crate) fn parse(&mut self, s: &str) -> Option<i64> {
        if s == self.last {
            return self.last_value;
        }
        let value = match self.seen.get(s) {
            Some(&v) => v,
            None => {
                let v = self.format.parse(s);
                if self.seen.len() < Self::MAX_SEEN {
                    self.seen.insert(s.into(), v);
                }
                v
            }
        };
        self.last.clear();
        self.last.push_str(s);
        self.last_value = value;
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_decimals_parse_exactly_like_str_parse() {
        for s in [
            "0",
            "7",
            "-3",
            "30",
            "0.1",
            "-0.3",
            "12.50",
            "123456789012345",
            "99999.99999",
            "0.00000000000001",
            "-0",
            "00141833",
        ] {
            assert_eq!(
                parse_plain_decimal(s),
                Some(s.parse::<f64>().unwrap()),
                "{s}"
            );
        }
        for s in [
            "",
            "-",
            "1.",
            ".5",
            "1.2.3",
            "1e3",
            "+1",
            " 1",
            "1234567890123456",
            "0.000000000000001",
            "NaN",
        ] {
            assert_eq!(parse_plain_decimal(s), None, "{s}");
        }
    }
}
