//! Order events as posted: JSON (one object, an array, or `{"events": [...]}`) or CSV with
//! the canonical columns plus `event_id`. Every line is checked before any is accepted.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Longest accepted id (member, item, category or event id), in bytes.
pub const MAX_ID_BYTES: usize = 256;

/// One order line to apply, checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderEvent {
    /// Idempotency key: a line with a key already accepted is acknowledged, not applied again.
    pub event_id: String,
    /// Member id.
    pub member_id: String,
    /// Store-local timestamp, seconds since 1970-01-01.
    pub ts: i64,
    /// Item id.
    pub item_id: String,
    /// Category (empty = none).
    #[serde(default)]
    pub category: String,
    /// Units (negative for a return).
    pub quantity: f64,
    /// Money total of the line (negative for a return).
    pub amount: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    event_id: Option<String>,
    member_id: Option<String>,
    ts: Option<String>,
    item_id: Option<String>,
    category: Option<String>,
    quantity: Option<f64>,
    amount: Option<f64>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Body {
    Wrapped { events: Vec<serde_json::Value> },
    Many(Vec<serde_json::Value>),
    One(serde_json::Map<String, serde_json::Value>),
}

/// Parses a JSON body into at most `max_batch` checked events.
pub fn parse_json(body: &[u8], max_batch: usize) -> Result<Vec<OrderEvent>> {
    let body: Body = serde_json::from_slice(body).map_err(|e| {
        Error::BadEvent(format!(
            "the body is not an event object, an array of them or {{\"events\": [...]}}: {e}"
        ))
    })?;
    let values = match body {
        Body::Wrapped { events } | Body::Many(events) => events,
        Body::One(map) => vec![serde_json::Value::Object(map)],
    };
    check_count(values.len(), max_batch)?;
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let raw: RawEvent = serde_json::from_value(v)
                .map_err(|e| Error::BadEvent(format!("event {}: {e}", i + 1)))?;
            check(raw).map_err(|m| Error::BadEvent(format!("event {}: {m}", i + 1)))
        })
        .collect()
}

/// Parses a CSV body (header row with `event_id, member_id, ts, item_id, category, quantity,
/// amount`; `category` may be missing) into at most `max_batch` checked events.
pub fn parse_csv(body: &[u8], max_batch: usize) -> Result<Vec<OrderEvent>> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(body);
    let headers = reader
        .headers()
        .map_err(|e| Error::BadEvent(format!("CSV header: {e}")))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    for required in [
        "event_id",
        "member_id",
        "ts",
        "item_id",
        "quantity",
        "amount",
    ] {
        if col(required).is_none() {
            return Err(Error::BadEvent(format!(
                "CSV header has no `{required}` column"
            )));
        }
    }
    if let Some(extra) = headers.iter().find(|h| {
        ![
            "event_id",
            "member_id",
            "ts",
            "item_id",
            "category",
            "quantity",
            "amount",
        ]
        .contains(&h.trim())
    }) {
        return Err(Error::BadEvent(format!(
            "CSV header has an unknown column `{extra}`"
        )));
    }
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        check_count(i + 1, max_batch)?;
        let record = record.map_err(|e| Error::BadEvent(format!("CSV line {line}: {e}")))?;
        let field = |name: &str| {
            col(name)
                .and_then(|c| record.get(c))
                .map(|s| s.trim().to_string())
        };
        let number = |name: &str| -> std::result::Result<Option<f64>, String> {
            match field(name) {
                None => Ok(None),
                Some(s) if s.is_empty() => Ok(None),
                Some(s) => s
                    .parse()
                    .map(Some)
                    .map_err(|_| format!("`{name}` {s:?} is not a number")),
            }
        };
        let raw = (|| {
            Ok(RawEvent {
                event_id: field("event_id"),
                member_id: field("member_id"),
                ts: field("ts"),
                item_id: field("item_id"),
                category: field("category"),
                quantity: number("quantity")?,
                amount: number("amount")?,
            })
        })();
        let event = raw
            .and_then(check)
            .map_err(|m: String| Error::BadEvent(format!("CSV line {line}: {m}")))?;
        out.push(event);
    }
    if out.is_empty() {
        return Err(Error::BadEvent("the CSV body has no event rows".into()));
    }
    Ok(out)
}

fn check_count(n: usize, max_batch: usize) -> Result<()> {
    if n > max_batch {
        return Err(Error::BadEvent(format!(
            "a request may carry at most {max_batch} events"
        )));
    }
    Ok(())
}

fn check(raw: RawEvent) -> std::result::Result<OrderEvent, String> {
    let id =
        |name: &str, v: Option<String>, required: bool| -> std::result::Result<String, String> {
            let v = v.unwrap_or_default();
            if required && v.trim().is_empty() {
                return Err(format!("`{name}` is missing or empty"));
            }
            if v.len() > MAX_ID_BYTES {
                return Err(format!("`{name}` is longer than {MAX_ID_BYTES} bytes"));
            }
            if v.chars().any(char::is_control) {
                return Err(format!("`{name}` contains control characters"));
            }
            Ok(v)
        };
    let ts_text = raw.ts.unwrap_or_default();
    let ts = features::time::parse_iso(ts_text.trim())
        .ok_or_else(|| format!("`ts` {ts_text:?} is not an ISO-8601 date or date-time"))?;
    let finite = |name: &str, v: Option<f64>| match v {
        Some(x) if x.is_finite() && x.abs() < 1e12 => Ok(x),
        Some(x) => Err(format!("`{name}` {x} is not a finite number below 1e12")),
        None => Err(format!("`{name}` is missing")),
    };
    Ok(OrderEvent {
        event_id: id("event_id", raw.event_id, true)?,
        member_id: id("member_id", raw.member_id, true)?,
        ts,
        item_id: id("item_id", raw.item_id, true)?,
        category: id("category", raw.category, false)?,
        quantity: finite("quantity", raw.quantity)?,
        amount: finite("amount", raw.amount)?,
    })
}

#[cfg(test)]
mod tests;
