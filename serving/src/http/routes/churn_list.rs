//! `GET /v1/churn-risk`: highest risk (or value at risk) first, filtered by churn band, layer,
//! lifecycle, tier and value band, cursor paging, or the whole list as CSV. The same list
//! serves `GET /v1/segments/{group}/members`.

use std::convert::Infallible;

use crate::domain::ChurnFilter;
use crate::domain::listing::{BANDS, ListOrder, STAGES, value_at_risk};
use crate::http::types::{ChurnListResponse, ChurnListRow};
use crate::http::{ApiError, AppState};
use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

/// Query of the member lists.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Keep members with probability `>=` this.
    pub min_probability: Option<f32>,
    /// Churn band.
    pub band: Option<String>,
    /// RFM group id.
    pub group: Option<String>,
    /// Lifecycle stage.
    pub lifecycle: Option<String>,
    /// Tier id.
    pub tier: Option<String>,
    /// Value band.
    pub value_band: Option<String>,
    /// `probability` (default) or `value_at_risk`.
    pub order: Option<String>,
    /// Page size (1..=1000, default 100).
    pub limit: Option<usize>,
    /// Continue after this cursor.
    pub cursor: Option<String>,
}

impl ListQuery {
    /// The query restricted to `group` (the path's group wins over a `group` parameter).
    pub fn with_group(mut self, group: String) -> ListQuery {
        self.group = Some(group);
        self
    }
}

const CSV_HEADER: &str = "member_id,churn_probability,risk_band,expected_purchases,\
days_since_last_purchase,reasons,rfm_group,lifecycle,tier,predicted_value,value_band,\
value_at_risk\n";

/// `GET /v1/churn-risk?min_probability=&band=&group=&lifecycle=&tier=&value_band=&order=&limit=&cursor=`;
/// `Accept: text/csv` streams the whole filtered list (`limit` and `cursor` then do not
/// apply).
pub async fn churn_risk_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    respond(&state, &headers, q)
}

/// Checks `q`, builds the filter and answers with one page (JSON) or the whole list (CSV).
pub fn respond(state: &AppState, headers: &HeaderMap, q: ListQuery) -> Result<Response, ApiError> {
    let csv = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/csv"));
    let filter = filter_of(q, csv)?;
    let (page, models) = state.engine.churn_list(&filter)?;
    if csv {
        let chunks = page
            .rows
            .chunks(512)
            .map(|rows| rows.to_vec())
            .collect::<Vec<_>>();
        let stream = futures_util::stream::iter(
            std::iter::once(CSV_HEADER.as_bytes().to_vec())
                .chain(chunks.into_iter().map(|rows| csv_chunk(&rows)))
                .map(Ok::<_, Infallible>),
        );
        let headers = [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::HeaderName::from_static("x-model-version"),
                models.version.clone(),
            ),
        ];
        return Ok((headers, Body::from_stream(stream)).into_response());
    }
    let members = page
        .rows
        .iter()
        .filter_map(|(id, a)| {
            Some(ChurnListRow {
                member_id: id,
                churn: a.churn.as_ref()?.into(),
                value_at_risk: value_at_risk(a),
                segment: a.segment.as_ref(),
            })
        })
        .collect();
    Ok(Json(ChurnListResponse {
        members,
        next_cursor: page.next_cursor.clone(),
        model_version: &models.version,
    })
    .into_response())
}

/// Checks `q` and turns it into the engine's filter: one page (`limit`, default 100, after
/// `cursor`), or the whole filtered list when `whole` (the CSV export).
pub fn filter_of(q: ListQuery, whole: bool) -> Result<ChurnFilter, ApiError> {
    if q.min_probability.is_some_and(|p| !(0.0..=1.0).contains(&p)) {
        return Err(ApiError::bad_request("min_probability must be within 0..1"));
    }
    for (field, value, allowed) in [
        ("band", &q.band, &BANDS[..]),
        ("value_band", &q.value_band, &BANDS[..]),
        ("lifecycle", &q.lifecycle, &STAGES[..]),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !allowed.contains(v)) {
            return Err(ApiError::bad_request(format!(
                "{field} {v:?} is not one of {}",
                allowed.join(", ")
            )));
        }
    }
    let order = match q.order.as_deref() {
        None | Some("probability") => ListOrder::Probability,
        Some("value_at_risk") => ListOrder::ValueAtRisk,
        Some(o) => {
            return Err(ApiError::bad_request(format!(
                "order {o:?} is not probability or value_at_risk"
            )));
        }
    };
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_request("limit must be between 1 and 1000"));
    }
    Ok(ChurnFilter {
        min_probability: q.min_probability,
        band: q.band,
        group: q.group,
        lifecycle: q.lifecycle,
        tier: q.tier,
        value_band: q.value_band,
        order,
        limit: (!whole).then_some(limit),
        cursor: if whole { None } else { q.cursor },
    })
}

fn csv_chunk(rows: &[(String, std::sync::Arc<crate::domain::MemberAnswer>)]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for (id, a) in rows {
        let Some(c) = &a.churn else { continue };
        let s = a.segment.as_ref();
        let _ = w.write_record([
            id.as_str(),
            &c.probability.to_string(),
            c.band,
            &c.expected_purchases.to_string(),
            &c.days_since_last_purchase.to_string(),
            &features::churn::joined_en(&c.reasons),
            s.map_or("", |s| s.group.as_str()),
            s.map_or("", |s| s.lifecycle.as_str()),
            s.and_then(|s| s.tier.as_ref())
                .map_or("", |t| t.id.as_str()),
            &opt(s.and_then(|s| s.value).map(|v| v.predicted_value)),
            s.and_then(|s| s.value_band).unwrap_or(""),
            &opt(value_at_risk(a)),
        ]);
    }
    w.into_inner().unwrap_or_default()
}
