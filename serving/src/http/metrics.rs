//! Prometheus metrics: request counts by route and status class, latency histograms by route.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;

/// Histogram bucket upper bounds in seconds.
pub const BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Debug, Default)]
struct RouteStats {
    by_class: [AtomicU64; 5],
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

/// Counters for a fixed set of routes (plus `other`).
#[derive(Debug)]
pub struct Metrics {
    routes: Vec<(&'static str, RouteStats)>,
}

impl Metrics {
    /// Counters for `routes` (matched-path templates) and `other`.
    pub fn new(routes: &[&'static str]) -> Metrics {
        let routes = routes
            .iter()
            .chain(["other"].iter())
            .map(|r| (*r, RouteStats::default()))
            .collect();
        Metrics { routes }
    }

    fn record(&self, route: &str, status: u16, seconds: f64) {
        let i = self
            .routes
            .iter()
            .position(|(r, _)| *r == route)
            .unwrap_or(self.routes.len() - 1);
        let s = &self.routes[i].1;
        let class = (usize::from(status / 100)).clamp(1, 5) - 1;
        s.by_class[class].fetch_add(1, Ordering::Relaxed);
        if let Some(b) = BUCKETS.iter().position(|&b| seconds <= b) {
            s.buckets[b].fetch_add(1, Ordering::Relaxed);
        }
        s.count.fetch_add(1, Ordering::Relaxed);
        s.sum_micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    /// The Prometheus text exposition, with the model version and member count.
    pub fn render(&self, model_version: &str, members: usize) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP tiefen_http_requests_total Requests by route and status class."
        );
        let _ = writeln!(out, "# TYPE tiefen_http_requests_total counter");
        for (route, s) in &self.routes {
            for (c, n) in s.by_class.iter().enumerate() {
                let n = n.load(Ordering::Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        out,
                        "tiefen_http_requests_total{{route=\"{route}\",status=\"{}xx\"}} {n}",
                        c + 1
                    );
                }
            }
        }
        let _ = writeln!(
            out,
            "# HELP tiefen_http_request_duration_seconds Request latency by route."
        );
        let _ = writeln!(out, "# TYPE tiefen_http_request_duration_seconds histogram");
        for (route, s) in &self.routes {
            let count = s.count.load(Ordering::Relaxed);
            if count == 0 {
                continue;
            }
            let mut cumulative = 0;
            for (b, n) in BUCKETS.iter().zip(&s.buckets) {
                cumulative += n.load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "tiefen_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "tiefen_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}"
            );
            let sum = s.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
            let _ = writeln!(
                out,
                "tiefen_http_request_duration_seconds_sum{{route=\"{route}\"}} {sum}"
            );
            let _ = writeln!(
                out,
                "tiefen_http_request_duration_seconds_count{{route=\"{route}\"}} {count}"
            );
        }
        let _ = writeln!(out, "# HELP tiefen_model_info The loaded model version.");
        let _ = writeln!(out, "# TYPE tiefen_model_info gauge");
        let _ = writeln!(out, "tiefen_model_info{{version=\"{model_version}\"}} 1");
        let _ = writeln!(
            out,
            "# HELP tiefen_members_in_state Members held in the online state."
        );
        let _ = writeln!(out, "# TYPE tiefen_members_in_state gauge");
        let _ = writeln!(out, "tiefen_members_in_state {members}");
        out
    }
}

/// Middleware recording every request under its matched route.
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
