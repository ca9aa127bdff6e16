//! `POST /v1/admin/reload`.

use crate::http::types::ReloadResponse;
use crate::http::{ApiError, AppState};
use axum::Json;
use axum::extract::State;

/// Loads `models/current` again and swaps it in; on failure the old model keeps serving and
/// the answer (409 `model_not_loaded`) says why.
pub async fn reload_post(State(state): State<AppState>) -> Result<Json<ReloadResponse>, ApiError> {
    let engine = state.engine.clone();
    let previous = engine.models().version.clone();
    let version = tokio::task::spawn_blocking(move || engine.reload())
        .await
        .map_err(|e| ApiError::internal(&e))??;
    Ok(Json(ReloadResponse {
        model_version: version,
        previous_version: previous,
    }))
}
