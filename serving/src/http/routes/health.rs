//! Health, readiness, metrics, the OpenAPI document and a trivial route for benchmarks.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use crate::http::{AppState, metrics};

/// The OpenAPI document.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// `GET /healthz`: the process is up.
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// `GET /readyz`: a model is loaded (the server binds only after loading, so always ready).
pub async fn readyz(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "status": "ready",
        "model_version": state.engine.models().version,
        "members": state.engine.member_count(),
    }))
}

/// `GET /metrics`: Prometheus text.
pub async fn metrics_get(State(state): State<AppState>) -> impl IntoResponse {
    let body = state.metrics.render(&state.engine);
    ([(header::CONTENT_TYPE, metrics::CONTENT_TYPE)], body)
}

/// `GET /openapi.json`.
pub async fn openapi_get() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

/// `GET /bench/trivial`: a constant small JSON body, the ceiling for benchmarks.
pub async fn trivial_get() -> Json<Value> {
    Json(json!({"ok": true}))
}
