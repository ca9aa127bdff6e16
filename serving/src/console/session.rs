//! Console sign-in: a marketer or admin key is exchanged for a session (a random id in an
//! HttpOnly, SameSite=Strict cookie, with an expiry); every form carries the session's CSRF
//! token, and the sign-in form itself a token bound to a short-lived cookie. Sessions live in
//! memory: a restart signs everyone out.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, header};
use rand::Rng;
use subtle::ConstantTimeEq;

use crate::auth::Scope;

/// The session cookie.
pub const SESSION_COOKIE: &str = "tiefen_session";
/// The sign-in form's token cookie.
pub const LOGIN_COOKIE: &str = "tiefen_login";
/// The language cookie (not a secret).
pub const LANG_COOKIE: &str = "tiefen_lang";
/// How long the sign-in form's token is valid.
pub const LOGIN_TOKEN_TTL: Duration = Duration::from_secs(600);
/// Most sessions held at once (the oldest is dropped beyond it).
const MAX_SESSIONS: usize = 10_000;

/// A signed-in console user.
#[derive(Debug, Clone)]
pub struct Session {
    /// The key's scope (marketer or admin).
    pub scope: Scope,
    /// The token every form of this session must carry.
    pub csrf: String,
    /// When the session ends.
    pub expires: Instant,
}

/// The sessions of the console.
#[derive(Debug)]
pub struct Sessions {
    ttl: Duration,
    inner: Mutex<HashMap<String, Session>>,
}

/// 32 random bytes as hex, from the thread's CSPRNG.
pub fn token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Sessions {
    /// Sessions valid for `ttl` after sign-in.
    pub fn new(ttl: Duration) -> Sessions {
        Sessions {
            ttl,
            inner: Mutex::new(HashMap::new()),
        }
    }

    /// How long a session lasts.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts a session for `scope`; returns its id.
    pub fn start(&self, scope: Scope) -> String {
        let id = token();
        let now = Instant::now();
        let mut inner = self.inner();
        inner.retain(|_, s| s.expires > now);
        if inner.len() >= MAX_SESSIONS
            && let Some(oldest) = inner
                .iter()
                .min_by_key(|(_, s)| s.expires)
                .map(|(k, _)| k.clone())
        {
            inner.remove(&oldest);
        }
        inner.insert(
            id.clone(),
            Session {
                scope,
                csrf: token(),
                expires: now + self.ttl,
            },
        );
        id
    }

    /// The live session `id`, if any.
    pub fn get(&self, id: &str) -> Option<Session> {
        let mut inner = self.inner();
        match inner.get(id) {
            Some(s) if s.expires > Instant::now() => Some(s.clone()),
            Some(_) => {
                inner.remove(id);
                None
            }
            None => None,
        }
    }

    /// Ends the session `id`.
    pub fn end(&self, id: &str) {
        self.inner().remove(id);
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, for the console's paths, living `max_age`
/// (zero deletes it).
pub fn set_cookie(name: &str, value: &str, max_age: Duration, http_only: bool) -> HeaderValue {
    let mut s = format!(
        "{name}={value}; Path=/; Max-Age={}; SameSite=Strict",
        max_age.as_secs()
    );
    if http_only {
        s.push_str("; HttpOnly");
    }
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Whether `given` equals `expected`, in constant time (empty never matches).
pub fn tokens_match(given: &str, expected: &str) -> bool {
    !expected.is_empty() && bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_lives_until_its_expiry_and_ends_on_sign_out() {
        let s = Sessions::new(Duration::from_secs(60));
        let id = s.start(Scope::Marketer);
        assert_eq!(id.len(), 64);
        let got = s.get(&id).unwrap();
        assert_eq!(got.scope, Scope::Marketer);
        assert_eq!(got.csrf.len(), 64);
        assert_ne!(got.csrf, id);
        assert!(s.get("nope").is_none());
        s.end(&id);
        assert!(s.get(&id).is_none());
        let short = Sessions::new(Duration::ZERO);
        let id = short.start(Scope::Admin);
        assert!(short.get(&id).is_none(), "an expired session is refused");
    }

    #[test]
    fn cookies_are_read_and_written_strictly() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; tiefen_session=abc ; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
        let v = set_cookie(SESSION_COOKIE, "abc", Duration::from_secs(3600), true);
        assert_eq!(
            v.to_str().unwrap(),
            "tiefen_session=abc; Path=/; Max-Age=3600; SameSite=Strict; HttpOnly"
        );
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abd", "abc"));
        assert!(!tokens_match("", ""));
    }
}
