//! `GET /v1/churn-risk`: highest risk first, cursor paging, or the whole list as CSV.

use std::convert::Infallible;

use crate::domain::ChurnFilter;
use crate::http::types::{ChurnListResponse, ChurnListRow};
use crate::http::{ApiError, AppState};
use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

/// Query of the churn list.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    min_probability: Option<f32>,
    band: Option<String>,
    limit: Option<usize>,
    cursor: Option<String>,
}

const CSV_HEADER: &str =
    "member_id,churn_probability,risk_band,expected_purchases,days_since_last_purchase,reasons\n";

/// `GET /v1/churn-risk?min_probability=&band=&limit=&cursor=`; `Accept: text/csv` streams the
/// whole filtered list (`limit` and `cursor` then do not apply).
pub async fn churn_risk_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    if q.min_probability.is_some_and(|p| !(0.0..=1.0).contains(&p)) {
        return Err(ApiError::bad_request("min_probability must be within 0..1"));
    }
    if let Some(b) = q
        .band
        .as_deref()
        .filter(|b| !["high", "medium", "low"].contains(b))
    {
        return Err(ApiError::bad_request(format!(
            "band {b:?} is not high, medium or low"
        )));
    }
    let csv = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/csv"));
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_request("limit must be between 1 and 1000"));
    }
    let filter = ChurnFilter {
        min_probability: q.min_probability,
        band: q.band,
        limit: (!csv).then_some(limit),
        cursor: if csv { None } else { q.cursor },
    };
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

fn csv_chunk(rows: &[(String, std::sync::Arc<crate::domain::MemberAnswer>)]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    for (id, a) in rows {
        if let Some(c) = &a.churn {
            let _ = w.write_record([
                id.as_str(),
                &c.probability.to_string(),
                c.band,
                &c.expected_purchases.to_string(),
                &c.days_since_last_purchase.to_string(),
                &c.reasons.join("; "),
            ]);
        }
    }
    w.into_inner().unwrap_or_default()
}
