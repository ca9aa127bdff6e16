//! The marketers' console: server-rendered pages (askama templates in `templates/console`),
//! small interactions with the embedded htmx, charts as inline SVG, zh-TW by default and
//! English by `Accept-Language`, the `tiefen_lang` cookie or `?lang=en`. Signed in with a
//! marketer or admin key (see [`session`]); the JSON API keeps its Bearer keys.
//!
//! Handlers are thin: they read the engine and the campaign store through the same calls as
//! the API ([`crate::operations`], [`crate::engine::Engine`]) and fill a template.

pub mod i18n;
pub mod pages;
pub mod session;
pub mod svg;

use std::time::Instant;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::auth::Scope;
use crate::http::AppState;
use i18n::{Lang, T};
use session::{LANG_COOKIE, SESSION_COOKIE, cookie, set_cookie};

/// The embedded htmx (2.0.11, BSD-0 licence, `assets/htmx-LICENSE.txt`).
pub const HTMX_PATH: &str = "/console/assets/htmx-2.0.11.min.js";
const HTMX: &str = include_str!("../../assets/htmx-2.0.11.min.js");
/// The console's style sheet.
pub const CSS_PATH: &str = "/console/assets/console.css";
const CSS: &str = include_str!("../../assets/console.css");

/// The console's routes.
pub fn router() -> Router<AppState> {
    use axum::routing::post;
    use pages::{campaigns, churn, member, overview, segments, sign_in};
    Router::new()
        .route("/", get(|| async { Redirect::to("/console/") }))
        .route("/console", get(|| async { Redirect::to("/console/") }))
        .route("/console/", get(overview::page))
        .route("/console/sign-in", get(sign_in::form).post(sign_in::submit))
        .route("/console/sign-out", post(sign_in::sign_out))
        .route("/console/churn", get(churn::page))
        .route("/console/churn.csv", get(churn::csv))
        .route("/console/members", get(member::find))
        .route("/console/members/{id}", get(member::page))
        .route("/console/segments", get(segments::page))
        .route("/console/audience/count", get(segments::count))
        .route(
            "/console/campaigns",
            get(campaigns::list).post(campaigns::create),
        )
        .route("/console/campaigns/{id}", get(campaigns::page))
        .route(
            "/console/campaigns/{id}/members.csv",
            get(campaigns::members_csv),
        )
        .route(
            "/console/campaigns/{id}/report.csv",
            get(campaigns::report_csv),
        )
        .route("/console/assets/{file}", get(asset))
        .layer(from_fn(remember_language))
        .layer(from_fn(server_timing))
        .layer(tower_http::compression::CompressionLayer::new().gzip(true))
}

/// A signed-in console user, taken from the session cookie; anyone else is sent to the
/// sign-in page (an htmx request gets 401 with `HX-Redirect`).
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The key's scope.
    pub scope: Scope,
    /// The session's CSRF token, put in every form.
    pub csrf: String,
    /// The session id.
    pub session_id: String,
    /// The page language.
    pub lang: Lang,
}

impl Viewer {
    /// The catalogue in the viewer's language.
    pub fn t(&self) -> T {
        T { lang: self.lang }
    }

    /// Whether a submitted CSRF token (form field or `X-CSRF-Token` header) is this session's.
    pub fn csrf_ok(&self, given: &str) -> bool {
        session::tokens_match(given, &self.csrf)
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Viewer, Response> {
        let lang = lang_of(parts);
        let session = cookie(&parts.headers, SESSION_COOKIE)
            .and_then(|id| Some((state.sessions.get(&id)?, id)));
        match session {
            Some((s, id)) => Ok(Viewer {
                scope: s.scope,
                csrf: s.csrf,
                session_id: id,
                lang,
            }),
            None if parts.headers.contains_key("hx-request") => Err((
                StatusCode::UNAUTHORIZED,
                [("hx-redirect", "/console/sign-in")],
            )
                .into_response()),
            None => Err(Redirect::to("/console/sign-in").into_response()),
        }
    }
}

/// The language of a request (see [`Lang::of_request`]).
pub fn lang_of(parts: &Parts) -> Lang {
    Lang::of_request(query_lang(parts.uri.query()).as_deref(), &parts.headers)
}

/// The `lang` parameter of a query string.
pub(crate) fn query_lang(query: Option<&str>) -> Option<String> {
    query?
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == "lang")
        .map(|(_, v)| v.to_string())
}

/// What every page's frame shows: the navigation, the language switch, the sign-out form.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The language.
    pub lang: &'static str,
    /// The session's CSRF token (empty before sign-in).
    pub csrf: String,
    /// The navigation entry of this page (`overview`, `churn`, `segments`, `campaigns`, or
    /// empty).
    pub active: &'static str,
    /// This page in the other language.
    pub switch_href: String,
    /// The other language's name.
    pub switch_label: &'static str,
    /// Whether the navigation is shown.
    pub signed_in: bool,
    /// Path of the embedded htmx.
    pub htmx: &'static str,
    /// Path of the style sheet.
    pub css: &'static str,
}

impl Frame {
    /// The frame of a page at `path_and_query` for `viewer`.
    pub fn new(viewer: &Viewer, active: &'static str, path_and_query: &str) -> Frame {
        Frame::of(
            viewer.lang,
            viewer.csrf.clone(),
            active,
            path_and_query,
            true,
        )
    }

    /// The frame of a page shown before sign-in.
    pub fn public(lang: Lang, csrf: String, path_and_query: &str) -> Frame {
        Frame::of(lang, csrf, "", path_and_query, false)
    }

    fn of(
        lang: Lang,
        csrf: String,
        active: &'static str,
        path_and_query: &str,
        signed_in: bool,
    ) -> Frame {
        let other = lang.other();
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        let mut params: Vec<&str> = query
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("lang="))
            .collect();
        let lang_param = format!("lang={}", other.tag());
        params.push(&lang_param);
        Frame {
            lang: lang.tag(),
            csrf,
            active,
            switch_href: format!("{path}?{}", params.join("&")),
            switch_label: match other {
                Lang::ZhTw => "中文",
                Lang::En => "English",
            },
            signed_in,
            htmx: HTMX_PATH,
            css: CSS_PATH,
        }
    }
}

/// Renders a page (200) with the console's headers.
pub fn render(page: &impl Template) -> Response {
    render_status(StatusCode::OK, page)
}

/// Renders a page with `status`.
pub fn render_status(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => {
            let mut r = (status, Html(html)).into_response();
            let h = r.headers_mut();
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                     script-src 'self'; form-action 'self'; frame-ancestors 'none'",
                ),
            );
            h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
            h.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            );
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "a console template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered",
            )
                .into_response()
        }
    }
}

async fn asset(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "htmx-2.0.11.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "console.css" => (CSS, "text/css; charset=utf-8"),
        _ => return (StatusCode::NOT_FOUND, "no such file").into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

/// `?lang=` also sets the language cookie, so the choice sticks.
async fn remember_language(req: Request, next: Next) -> Response {
    let chosen = query_lang(req.uri().query()).and_then(|l| Lang::parse(&l));
    let mut r = next.run(req).await;
    if let Some(lang) = chosen {
        r.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(
                LANG_COOKIE,
                lang.tag(),
                std::time::Duration::from_secs(365 * 86_400),
                false,
            ),
        );
    }
    r
}

/// `Server-Timing: app;dur=<ms>` on every console response: the time the server spent, read
/// by the browser tests and the page budget script.
async fn server_timing(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let mut r = next.run(req).await;
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    if let Ok(v) = HeaderValue::from_str(&format!("app;dur={ms:.2}")) {
        r.headers_mut().insert("server-timing", v);
    }
    r
}
