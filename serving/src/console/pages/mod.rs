//! One file per console page.

pub mod campaigns;
pub mod churn;
pub mod member;
pub mod overview;
pub mod segments;
pub mod sign_in;

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use super::i18n::{Lang, T};
use super::{Frame, Viewer, render_status};

/// A page that says what went wrong.
#[derive(Template)]
#[template(path = "console/message.html")]
pub struct MessagePage {
    /// Messages.
    pub t: T,
    /// Frame.
    pub f: Frame,
    /// Heading.
    pub title: String,
    /// What went wrong.
    pub message: String,
}

/// A message page for `viewer` with `status`; `title_key` from the catalogue.
pub fn message(viewer: &Viewer, status: StatusCode, title_key: &str, message: String) -> Response {
    let t = viewer.t();
    render_status(
        status,
        &MessagePage {
            t,
            f: Frame::new(viewer, "", "/console/"),
            title: t.get(title_key).to_string(),
            message,
        },
    )
}

/// The 403 of a form sent without this session's CSRF token.
pub fn csrf_refused(viewer: &Viewer) -> Response {
    let t = viewer.t();
    message(
        viewer,
        StatusCode::FORBIDDEN,
        "error.title",
        t.get("error.csrf").to_string(),
    )
}

/// A member's churn reasons in the viewer's language, on one line (`；` between them in
/// zh-TW, `; ` in English).
pub fn reasons_line(t: T, reasons: &[features::churn::Reason]) -> String {
    let sep = if t.lang == Lang::ZhTw { "；" } else { "; " };
    reason_texts(t, reasons).join(sep)
}

/// A member's churn reasons in the viewer's language.
pub fn reason_texts(t: T, reasons: &[features::churn::Reason]) -> Vec<String> {
    reasons
        .iter()
        .map(|r| match t.lang {
            Lang::ZhTw => r.zh_tw(),
            Lang::En => r.en(),
        })
        .collect()
}
