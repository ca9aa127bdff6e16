//! The marketers' churn list: highest risk first, filtered, with a stable cursor.

use std::sync::Arc;

use super::answer::MemberAnswer;

/// Filters and paging of `GET /v1/churn-risk`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChurnFilter {
    /// Keep members with probability `>=` this.
    pub min_probability: Option<f32>,
    /// Keep members in this band.
    pub band: Option<String>,
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
}

/// The list order's key: probability bits descending, then member id ascending. The cursor is
/// `<probability bits as hex>:<member id>` of the last row returned.
fn key(p: f32) -> u32 {
    p.to_bits()
}

/// Parses a cursor; `None` when malformed.
pub fn parse_cursor(c: &str) -> Option<(u32, String)> {
    let (bits, id) = c.split_once(':')?;
    Some((u32::from_str_radix(bits, 16).ok()?, id.to_string()))
}

/// Builds one page from every member's `(id, answer)`.
pub fn page<'a>(
    all: impl Iterator<Item = (&'a str, &'a Arc<MemberAnswer>)>,
    filter: &ChurnFilter,
    after: Option<(u32, String)>,
) -> ChurnPage {
    let mut rows: Vec<(u32, &str, &Arc<MemberAnswer>)> = all
        .filter_map(|(id, a)| {
            let c = a.churn.as_ref()?;
            let keep = filter.min_probability.is_none_or(|m| c.probability >= m)
                && filter.band.as_deref().is_none_or(|b| b == c.band);
            keep.then(|| (key(c.probability), id, a))
        })
        .filter(|(k, id, _)| match &after {
            Some((ak, aid)) => *k < *ak || (*k == *ak && *id > aid.as_str()),
            None => true,
        })
        .collect();
    rows.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let limit = filter.limit.unwrap_or(usize::MAX);
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_cursor = more
        .then(|| rows.last().map(|(k, id, _)| format!("{k:08x}:{id}")))
        .flatten();
    ChurnPage {
        rows: rows
            .into_iter()
            .map(|(_, id, a)| (id.to_string(), Arc::clone(a)))
            .collect(),
        next_cursor,
    }
}
