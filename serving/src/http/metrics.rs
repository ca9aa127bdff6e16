//! Prometheus metrics through `prometheus-client`: requests by route and status class, latency
//! histograms by route, the engine's writes (events accepted and duplicated, reloads), the
//! event log's group commits with their fsync latency, the model version, members in state,
//! and the standard process metrics (`process_*`, from `kubert-prometheus-process`).

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use super::AppState;
use crate::engine::Engine;
use crate::stream::StreamStats;

/// Histogram bucket upper bounds in seconds.
pub const BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// The content type of the exposition.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    status: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabel {
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VersionLabel {
    version: String,
}

type Latency = Family<RouteLabel, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

/// The registry and the metrics the HTTP layer updates.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Latency,
    model: Family<VersionLabel, Gauge>,
    members: Gauge,
}

impl Metrics {
    /// A registry with the HTTP metrics, `engine`'s write and event-log metrics, the
    /// JetStream consumers' metrics (when `stream` is given) and the process metrics.
    pub fn new(engine: &Engine, stream: Option<&StreamStats>) -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "tiefen_http_requests",
            "Requests by route and status class.",
            requests.clone(),
        );
        let latency = Latency::new_with_constructor(latency_histogram);
        registry.register(
            "tiefen_http_request_duration_seconds",
            "Request latency by route.",
            latency.clone(),
        );
        let model = Family::<VersionLabel, Gauge>::default();
        registry.register(
            "tiefen_model_info",
            "The loaded model version.",
            model.clone(),
        );
        let members = Gauge::default();
        registry.register(
            "tiefen_members_in_state",
            "Members held in the online state.",
            members.clone(),
        );
        engine.stats().register(&mut registry);
        engine.log_stats().register(&mut registry);
        if let Some(stream) = stream {
            stream.register(&mut registry);
        }
        if let Err(error) =
            kubert_prometheus_process::register(registry.sub_registry_with_prefix("process"))
        {
            tracing::warn!(%error, "no process metrics");
        }
        Metrics {
            registry,
            requests,
            latency,
            model,
            members,
        }
    }

    fn record(&self, route: &str, status: u16, seconds: f64) {
        let class = (status / 100).clamp(1, 5);
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_string(),
                status: format!("{class}xx"),
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabel {
                route: route.to_string(),
            })
            .observe(seconds);
    }

    /// The exposition (OpenMetrics text), with the model version and member count as of now.
    pub fn render(&self, engine: &Engine) -> String {
        self.model.clear();
        self.model
            .get_or_create(&VersionLabel {
                version: engine.models().version.clone(),
            })
            .set(1);
        self.members.set(engine.member_count() as i64);
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "metrics encoding failed");
        }
        out
    }
}

/// Middleware recording every request under its matched route (`other` when none matched).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string());
    let start = Instant::now();
    let response = next.run(req).await;
    let route = route.as_deref().unwrap_or("other");
    state.metrics.record(
        route,
        response.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    response
}
