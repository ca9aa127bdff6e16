//! API keys with scopes, compared in constant time.

use subtle::ConstantTimeEq;

use crate::{Error, Result};

/// What a key may do. `admin` may do everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Recommendations and portraits.
    Storefront,
    /// Churn answers, the churn list and its CSV export, portraits and recommendations.
    Marketer,
    /// Events, reload and everything else.
    Admin,
}

impl Scope {
    /// Parses `storefront`, `marketer` or `admin`.
    pub fn parse(s: &str) -> Option<Scope> {
        match s.trim() {
            "storefront" => Some(Scope::Storefront),
            "marketer" => Some(Scope::Marketer),
            "admin" => Some(Scope::Admin),
            _ => None,
        }
    }

    /// The scope's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Storefront => "storefront",
            Scope::Marketer => "marketer",
            Scope::Admin => "admin",
        }
    }
}

/// The configured keys. Never logged.
#[derive(Clone, Default)]
pub struct ApiKeys(Vec<(Scope, Vec<u8>)>);

impl std::fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiKeys({} keys)", self.0.len())
    }
}

impl ApiKeys {
    /// Parses comma-separated `scope:key` pairs (the `TIEFEN_API_KEYS` syntax). Keys must be
    /// at least 16 bytes.
    pub fn parse_list(list: &str) -> Result<ApiKeys> {
        let mut keys = ApiKeys::default();
        for pair in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            keys.add_pair(pair)?;
        }
        Ok(keys)
    }

    /// Adds one `scope:key` pair.
    pub fn add_pair(&mut self, pair: &str) -> Result<()> {
        let (scope, key) = pair.split_once(':').ok_or_else(|| {
            Error::Config(
                "an API key must be written `scope:key` (scope storefront, marketer or admin)"
                    .into(),
            )
        })?;
        let scope = Scope::parse(scope).ok_or_else(|| {
            Error::Config(format!(
                "unknown API key scope {scope:?}: use storefront, marketer or admin"
            ))
        })?;
        if key.trim().len() < 16 {
            return Err(Error::Config(format!(
                "the {} API key is shorter than 16 characters",
                scope.as_str()
            )));
        }
        self.0.push((scope, key.trim().as_bytes().to_vec()));
        Ok(())
    }

    /// Adds every key of `other`.
    pub fn extend(&mut self, other: ApiKeys) {
        self.0.extend(other.0);
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when no key is configured.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The scope of `token`, comparing against every key in constant time (every key is
    /// compared, whatever matches).
    pub fn scope_of(&self, token: &str) -> Option<Scope> {
        let mut found = None;
        for (scope, key) in &self.0 {
            if bool::from(key.as_slice().ct_eq(token.as_bytes())) && found.is_none() {
                found = Some(*scope);
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_parse_and_tokens_map_to_their_scope() {
        let keys = ApiKeys::parse_list("storefront:sf-0123456789abcdef, admin:ad-0123456789abcdef")
            .unwrap();
        assert_eq!(
            keys.scope_of("sf-0123456789abcdef"),
            Some(Scope::Storefront)
        );
        assert_eq!(keys.scope_of("ad-0123456789abcdef"), Some(Scope::Admin));
        assert_eq!(keys.scope_of("sf-0123456789abcde"), None);
        assert_eq!(keys.scope_of(""), None);
    }

    #[test]
    fn bad_pairs_are_configuration_errors() {
        assert!(matches!(
            ApiKeys::parse_list("root:0123456789abcdef"),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            ApiKeys::parse_list("admin:short"),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            ApiKeys::parse_list("0123456789abcdef"),
            Err(Error::Config(_))
        ));
    }
}
