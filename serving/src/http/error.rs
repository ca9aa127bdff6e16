//! The one API error type: every error is `{"error": {"code", "message"}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::domain::{Misdirected, Partitioning};

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
    /// More fields of the `error` object (e.g. `partition` of a 421).
    pub details: serde_json::Map<String, serde_json::Value>,
}

impl ApiError {
    /// An error with `status`, `code` and `message`.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            details: serde_json::Map::new(),
        }
    }

    /// 421 `misdirected`: the member belongs to a partition another replica owns; the body
    /// names the `partition`, the `partitions` count and, for an event batch, the `line`.
    pub fn misdirected(m: &Misdirected, p: &Partitioning) -> ApiError {
        let mut e = ApiError::new(StatusCode::MISDIRECTED_REQUEST, "misdirected", m.message(p));
        e.details.insert("partition".into(), m.partition.into());
        e.details.insert("partitions".into(), p.count().into());
        if let Some(line) = m.line {
            e.details.insert("line".into(), line.into());
        }
        e
    }

    /// 400 `bad_request`.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 404 `not_found`.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 500 `internal` with an opaque message; the cause is logged here, once.
    pub fn internal(cause: &dyn std::fmt::Display) -> ApiError {
        tracing::error!("internal error: {cause:#}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error",
        )
    }
}

impl From<crate::Error> for ApiError {
    fn from(e: crate::Error) -> ApiError {
        match e {
            crate::Error::BadEvent(m) => ApiError::bad_request(m),
            crate::Error::Model { .. } => {
                ApiError::new(StatusCode::CONFLICT, "model_not_loaded", e.to_string())
            }
            other => ApiError::internal(&other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = self.details;
        error.insert("code".into(), self.code.into());
        error.insert("message".into(), self.message.into());
        let body = serde_json::json!({ "error": error });
        (self.status, axum::Json(body)).into_response()
    }
}
