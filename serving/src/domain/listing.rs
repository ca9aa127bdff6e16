//! The marketers' member lists: the churn list and a layer's members, highest risk (or value
//! at risk) first, filtered, with a stable cursor.

use std::sync::Arc;

use features::segments::Segments;

use super::answer::MemberAnswer;
use super::table::ListView;

/// Churn bands and value bands, the values a `band` / `value_band` filter may name.
pub const BANDS: [&str; 3] = ["high", "medium", "low"];
/// Lifecycle stages, the values a `lifecycle` filter may name.
pub const STAGES: [&str; 5] = ["new", "active", "due", "lapsing", "lost"];

/// The order of a list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ListOrder {
    /// Churn probability, highest first.
    #[default]
    Probability,
    /// Churn probability times predicted value, highest first (members without a value
    /// count 0).
    ValueAtRisk,
}

/// Filters and paging of `GET /v1/churn-risk` and `GET /v1/segments/{group}/members`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChurnFilter {
    /// Keep members with probability `>=` this.
    pub min_probability: Option<f32>,
    /// Keep members in this churn band.
    pub band: Option<String>,
    /// Keep members of this RFM group.
    pub group: Option<String>,
    /// Keep members in this lifecycle stage.
    pub lifecycle: Option<String>,
    /// Keep members of this tier (id).
    pub tier: Option<String>,
    /// Keep members in this value band.
    pub value_band: Option<String>,
    /// The order.
    pub order: ListOrder,
    /// Page size (`None` = everything, for the CSV export).
    pub limit: Option<usize>,
    /// Continue after this cursor (from a previous page).
    pub cursor: Option<String>,
}

/// One page of the list.
#[derive(Debug, Clone)]
pub struct ChurnPage {
    /// `(member id, answer)` pairs, highest probability first, ties by member id.
    pub rows: Vec<(String, Arc<MemberAnswer>)>,
    /// Cursor of the next page, `None` on the last one.
    pub next_cursor: Option<String>,
    /// Members matching the filter, on every page together.
    pub matching: usize,
}

/// The list order's key: the (non-negative) sort value's bits descending, then member id
/// ascending. The cursor is `<key as hex>:<member id>` of the last row returned.
fn key(v: &ListView, p: f32, order: ListOrder) -> u32 {
    match order {
        ListOrder::Probability => p.to_bits(),
        ListOrder::ValueAtRisk => (v.value_at_risk().unwrap_or(0.0) as f32).max(0.0).to_bits(),
    }
}

/// Churn probability times predicted value, when both are known.
pub fn value_at_risk(a: &MemberAnswer) -> Option<f64> {
    let p = a.churn.as_ref()?.probability;
    let v = a.segment.as_ref()?.value?.predicted_value;
    Some(f64::from(p) * v)
}

/// Whether `v` passes the segment filters of `f` (names looked up in `segments`).
fn in_segment(v: &ListView, f: &ChurnFilter, segments: Option<&Segments>) -> bool {
    let s = v.segment.as_ref();
    let eq =
        |want: &Option<String>, got: Option<&str>| want.as_deref().is_none_or(|w| got == Some(w));
    let groups = segments.map(|s| s.groups().groups());
    let group = |i: usize| Some(groups?.get(i)?.id.as_str());
    let levels = segments.and_then(|s| s.tiers()).map(|t| t.levels());
    let tier = |l: usize| Some(levels?.get(l)?.id.as_str());
    eq(&f.group, s.and_then(|s| group(s.group)))
        && eq(&f.lifecycle, s.map(|s| s.lifecycle.as_str()))
        && eq(&f.tier, s.and_then(|s| s.tier).and_then(tier))
        && eq(&f.value_band, s.and_then(|s| s.value_band))
}

/// Parses a cursor; `None` when malformed.
pub fn parse_cursor(c: &str) -> Option<(u32, String)> {
    let (bits, id) = c.split_once(':')?;
    Some((u32::from_str_radix(bits, 16).ok()?, id.to_string()))
}

/// Builds one page from every member's `(id, slot, list view)`, with the segments the views
/// index; `fetch` gives a slot's answer for the rows of the page.
pub fn page<'a>(
    all: impl Iterator<Item = (&'a str, u32, ListView)>,
    filter: &ChurnFilter,
    after: Option<(u32, String)>,
    segments: Option<&Segments>,
    fetch: impl Fn(u32) -> Option<MemberAnswer>,
) -> ChurnPage {
    let mut matching = 0;
    let mut rows: Vec<(u32, &str, u32)> = all
        .filter_map(|(id, slot, v)| {
            let (probability, band) = v.numbers.churn?;
            let keep = filter.min_probability.is_none_or(|m| probability >= m)
                && filter.band.as_deref().is_none_or(|b| b == band)
                && in_segment(&v, filter, segments);
            keep.then(|| (key(&v, probability, filter.order), id, slot))
        })
        .inspect(|_| matching += 1)
        .filter(|(k, id, _)| match &after {
            Some((ak, aid)) => *k < *ak || (*k == *ak && *id > aid.as_str()),
            None => true,
        })
        .collect();
    let order = |a: &(u32, &str, _), b: &(u32, &str, _)| b.0.cmp(&a.0).then(a.1.cmp(b.1));
    let limit = filter.limit.unwrap_or(usize::MAX);
    let more = rows.len() > limit;
    if more {
        // Only the page is sorted: the `limit` first rows are selected in linear time.
        rows.select_nth_unstable_by(limit, order);
        rows.truncate(limit);
    }
    rows.sort_unstable_by(order);
    let next_cursor = more
        .then(|| rows.last().map(|(k, id, _)| format!("{k:08x}:{id}")))
        .flatten();
    ChurnPage {
        rows: rows
            .into_iter()
            .filter_map(|(_, id, slot)| Some((id.to_string(), Arc::new(fetch(slot)?))))
            .collect(),
        next_cursor,
        matching,
    }
}
