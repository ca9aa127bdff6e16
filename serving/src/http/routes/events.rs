//! `POST /v1/events`: JSON or CSV order lines, logged durably, then applied.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};

use crate::domain::{parse_csv, parse_json};
use crate::engine::IngestReport;
use crate::http::{ApiError, AppState};

/// Accepts one event, a JSON array or `{"events": [...]}`, or a CSV body
/// (`Content-Type: text/csv`); answers 200 once every new line is on disk and applied. On a
/// partitioned replica (NATS configured) a batch naming a member of a partition it does not own
/// is refused whole with 421, naming the line.
pub async fn events_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<IngestReport>, ApiError> {
    let body = body.map_err(|e| {
        let status = e.status();
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "payload_too_large"
        } else {
            "bad_request"
        };
        ApiError::new(status, code, e.body_text())
    })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json");
    let max = state.settings.max_batch;
    let events = if content_type.starts_with("text/csv") {
        parse_csv(&body, max)?
    } else if content_type.starts_with("application/json") {
        parse_json(&body, max)?
    } else {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send application/json or text/csv",
        ));
    };
    if let Some(p) = state.settings.partitioning() {
        p.check_events(&events)
            .map_err(|m| ApiError::misdirected(&m, p))?;
    }
    let engine = state.engine.clone();
    let report = tokio::task::spawn_blocking(move || engine.ingest(events))
        .await
        .map_err(|e| ApiError::internal(&e))??;
    Ok(Json(report))
}
