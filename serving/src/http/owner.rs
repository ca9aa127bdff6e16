//! Partition ownership of the member routes: on a partitioned replica, a member of a partition
//! another replica owns gets 421 Misdirected Request naming that partition (the client or load
//! balancer sends it to the owner; see `features::partition`).

use axum::extract::rejection::PathRejection;
use axum::extract::{MatchedPath, Path, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::http::{ApiError, AppState};

/// Route layer of `/v1/members/{id}...`; other routes and unpartitioned replicas pass through.
pub async fn owned_member(
    State(state): State<AppState>,
    route: Option<MatchedPath>,
    id: Result<Path<String>, PathRejection>,
    req: Request,
    next: Next,
) -> Response {
    let member_route = route.is_some_and(|r| r.as_str().starts_with("/v1/members/{id}"));
    if let (true, Some(p), Ok(Path(id))) = (member_route, state.settings.partitioning(), id)
        && let Err(m) = p.check(&id)
    {
        return ApiError::misdirected(&m, p).into_response();
    }
    next.run(req).await
}
