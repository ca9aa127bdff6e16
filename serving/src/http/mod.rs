//! The HTTP layer: thin axum handlers over [`crate::engine::Engine`].

pub mod error;
pub mod metrics;
pub mod owner;
pub mod routes;
pub mod types;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use tower_http::trace::TraceLayer;

use crate::auth::Scope;
use crate::campaigns::CampaignStore;
use crate::config::Settings;
use crate::engine::Engine;
pub use error::ApiError;
use metrics::Metrics;

/// Shared, cheap-to-clone handler state.
#[derive(Clone)]
pub struct AppState {
    /// The serving core.
    pub engine: Arc<Engine>,
    /// The settings.
    pub settings: Arc<Settings>,
    /// Request metrics.
    pub metrics: Arc<Metrics>,
    /// Campaigns and the contact log.
    pub campaigns: Arc<CampaignStore>,
    /// The console's sign-in sessions.
    pub sessions: Arc<crate::console::session::Sessions>,
}

/// Every route of the router (each documented in `openapi.json` but the bench routes).
pub const ROUTES: [&str; 19] = [
    "/v1/members/{id}/recommendations",
    "/v1/members/{id}/offers",
    "/v1/members/{id}",
    "/v1/members/{id}/churn",
    "/v1/churn-risk",
    "/v1/segments",
    "/v1/segments/{group}/members",
    "/v1/campaigns",
    "/v1/campaigns/{id}",
    "/v1/campaigns/{id}/members",
    "/v1/campaigns/{id}/report",
    "/v1/events",
    "/v1/admin/reload",
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
    "/bench/trivial",
    "/v1/bench/trivial",
];

impl AppState {
    /// State over `engine` and `campaigns` with fresh metrics (with the JetStream
    /// consumers' counters when `stream` is given).
    pub fn new(
        engine: Arc<Engine>,
        settings: Arc<Settings>,
        campaigns: Arc<CampaignStore>,
        stream: Option<&crate::stream::StreamStats>,
    ) -> AppState {
        let metrics = Arc::new(Metrics::new(&engine, stream));
        let sessions = Arc::new(crate::console::session::Sessions::new(
            settings.console_session,
        ));
        AppState {
            engine,
            settings,
            metrics,
            campaigns,
            sessions,
        }
    }
}

/// The whole router.
pub fn app(state: AppState) -> Router {
    use routes::{admin, campaigns, churn_list, events, health, members, segments};
    let storefront = Router::new()
        .route(
            "/v1/members/{id}/recommendations",
            get(members::recommendations_get),
        )
        .route("/v1/members/{id}", get(members::portrait_get))
        .route("/v1/members/{id}/offers", get(members::offers_get))
        .route_layer(from_fn_with_state(state.clone(), owner::owned_member))
        .route_layer(from_fn_with_state(
            (
                state.clone(),
                &[Scope::Storefront, Scope::Marketer, Scope::Admin][..],
            ),
            authorize,
        ));
    let marketer = Router::new()
        .route("/v1/members/{id}/churn", get(members::churn_get))
        .route("/v1/churn-risk", get(churn_list::churn_risk_get))
        .route("/v1/segments", get(segments::segments_get))
        .route(
            "/v1/segments/{group}/members",
            get(segments::segment_members_get),
        )
        .route(
            "/v1/campaigns",
            post(campaigns::campaigns_post).get(campaigns::campaigns_get),
        )
        .route("/v1/campaigns/{id}", get(campaigns::campaign_get))
        .route(
            "/v1/campaigns/{id}/members",
            get(campaigns::campaign_members_get),
        )
        .route(
            "/v1/campaigns/{id}/report",
            get(campaigns::campaign_report_get),
        )
        .route_layer(from_fn_with_state(state.clone(), owner::owned_member))
        .route_layer(from_fn_with_state(
            (state.clone(), &[Scope::Marketer, Scope::Admin][..]),
            authorize,
        ));
    let admin = Router::new()
        .route("/v1/events", post(events::events_post))
        .route("/v1/admin/reload", post(admin::reload_post))
        .route_layer(from_fn_with_state(
            (state.clone(), &[Scope::Admin][..]),
            authorize,
        ));
    let open = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics_get))
        .route("/openapi.json", get(health::openapi_get))
        .route("/bench/trivial", get(health::trivial_get));
    Router::new()
        .merge(storefront)
        .merge(marketer)
        .merge(admin)
        .merge(open)
        .merge(crate::console::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(state.settings.max_body_bytes))
        .layer(from_fn_with_state(state.clone(), timeout))
        .layer(from_fn_with_state(state.clone(), metrics::track))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .with_state(state)
}

async fn authorize(
    State((state, allowed)): State<(AppState, &'static [Scope])>,
    req: Request,
    next: Next,
) -> Response {
    let token = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(token) = token else {
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "send `Authorization: Bearer <API key>`",
        )
        .into_response();
    };
    match state.settings.api_keys.scope_of(token) {
        None => ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "unknown API key")
            .into_response(),
        Some(scope) if !allowed.contains(&scope) => ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("a {} key may not call this endpoint", scope.as_str()),
        )
        .into_response(),
        Some(_) => next.run(req).await,
    }
}

/// Every request but a reload (bounded by the model load itself) gets the request timeout.
async fn timeout(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.uri().path() == "/v1/admin/reload" {
        return next.run(req).await;
    }
    match tokio::time::timeout(state.settings.request_timeout, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "the request took too long",
        )
        .into_response(),
    }
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint (see /openapi.json)")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "method not allowed on this endpoint",
    )
}

/// The span of one request: method and matched route (the template, so member ids stay out
/// of the logs).
fn request_span<B>(req: &axum::http::Request<B>) -> tracing::Span {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("other", MatchedPath::as_str);
    tracing::info_span!("request", method = %req.method(), route)
}

fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal(&"a handler panicked").into_response()
}
