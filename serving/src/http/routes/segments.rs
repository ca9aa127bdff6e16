//! `GET /v1/segments` (the live layer summary and movement) and
//! `GET /v1/segments/{group}/members` (a layer's members, paged or as CSV, with the churn
//! list's filters and orders).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::churn_list::{ListQuery, respond};
use crate::http::{ApiError, AppState};

/// `GET /v1/segments`.
pub async fn segments_get(State(state): State<AppState>) -> Result<Response, ApiError> {
    let (summary, models) = state
        .engine
        .segment_summary()
        .ok_or_else(|| ApiError::not_found("this model version has no segments"))?;
    Ok(Json(serde_json::json!({
        "summary": summary,
        "as_of": models.churn.as_of,
        "model_version": models.version,
    }))
    .into_response())
}

/// `GET /v1/segments/{group}/members?lifecycle=&tier=&value_band=&band=&order=&limit=&cursor=`.
pub async fn segment_members_get(
    State(state): State<AppState>,
    Path(group): Path<String>,
    headers: HeaderMap,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    if !state.engine.has_segment_group(&group) {
        return Err(ApiError::not_found(format!("unknown segment {group:?}")));
    }
    respond(&state, &headers, q.with_group(group))
}
