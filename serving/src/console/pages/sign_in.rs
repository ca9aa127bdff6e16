//! `GET/POST /console/sign-in` and `POST /console/sign-out`.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::auth::Scope;
use crate::console::i18n::{Lang, T};
use crate::console::session::{
    LOGIN_COOKIE, LOGIN_TOKEN_TTL, SESSION_COOKIE, cookie, set_cookie, token, tokens_match,
};
use crate::console::{Frame, Viewer, query_lang, render_status};
use crate::http::AppState;

#[derive(Template)]
#[template(path = "console/sign_in.html")]
struct SignInPage {
    t: T,
    f: Frame,
    token: String,
    error: Option<&'static str>,
}

/// The sign-in form's fields.
#[derive(Debug, serde::Deserialize)]
pub struct SignInForm {
    key: String,
    csrf: String,
}

/// The sign-in form with a fresh token (bound to a short-lived cookie); a signed-in user goes
/// to the overview.
pub async fn form(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let signed_in =
        cookie(&headers, SESSION_COOKIE).is_some_and(|id| state.sessions.get(&id).is_some());
    if signed_in {
        return Redirect::to("/console/").into_response();
    }
    let lang = Lang::of_request(query_lang(uri.query()).as_deref(), &headers);
    page(lang, StatusCode::OK, None, &uri)
}

fn page(lang: Lang, status: StatusCode, error: Option<&'static str>, uri: &Uri) -> Response {
    let token = token();
    let path = uri
        .path_and_query()
        .map_or("/console/sign-in", |p| p.as_str());
    let mut r = render_status(
        status,
        &SignInPage {
            t: T { lang },
            f: Frame::public(lang, String::new(), path),
            token: token.clone(),
            error,
        },
    );
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LOGIN_COOKIE, &token, LOGIN_TOKEN_TTL, true),
    );
    r
}

/// Checks the form's token against its cookie, then the key: a marketer or admin key starts
/// a session (303 to the overview); an unknown key is 401, a storefront key 403, a form
/// without its token 403, each with the form again and the reason.
pub async fn submit(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    let lang = Lang::of_request(None, &headers);
    let Ok(Form(form)) = form else {
        return page(
            lang,
            StatusCode::BAD_REQUEST,
            Some("sign_in.incomplete"),
            &uri,
        );
    };
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if !tokens_match(&form.csrf, &expected) {
        return page(lang, StatusCode::FORBIDDEN, Some("sign_in.expired"), &uri);
    }
    match state.settings.api_keys.scope_of(form.key.trim()) {
        None => page(
            lang,
            StatusCode::UNAUTHORIZED,
            Some("sign_in.unknown_key"),
            &uri,
        ),
        Some(Scope::Storefront) => page(
            lang,
            StatusCode::FORBIDDEN,
            Some("sign_in.storefront"),
            &uri,
        ),
        Some(scope) => {
            let id = state.sessions.start(scope);
            tracing::info!(scope = scope.as_str(), "console sign-in");
            let mut r = Redirect::to("/console/").into_response();
            let h = r.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &id, state.sessions.ttl(), true),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(LOGIN_COOKIE, "", std::time::Duration::ZERO, true),
            );
            r
        }
    }
}

/// The sign-out form's field.
#[derive(Debug, serde::Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    csrf: String,
}

/// Ends the session (with its CSRF token) and goes back to the sign-in form.
pub async fn sign_out(
    State(state): State<AppState>,
    viewer: Viewer,
    form: Result<Form<SignOutForm>, FormRejection>,
) -> Response {
    let given = form.map(|Form(f)| f.csrf).unwrap_or_default();
    if !viewer.csrf_ok(&given) {
        return super::csrf_refused(&viewer);
    }
    state.sessions.end(&viewer.session_id);
    let mut r = Redirect::to("/console/sign-in").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", std::time::Duration::ZERO, true),
    );
    r
}
