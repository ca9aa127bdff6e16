//! The console's languages and its one message catalogue (`messages.toml`): every label a page
//! shows comes from here, in Traditional Chinese (the default) and English.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::http::HeaderMap;

/// A console language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Traditional Chinese (Taiwan), the default.
    #[default]
    ZhTw,
    /// English.
    En,
}

impl Lang {
    /// The `lang` attribute and cookie value.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhTw => "zh-TW",
            Lang::En => "en",
        }
    }

    /// Parses a tag as written in `?lang=`, the cookie or `Accept-Language` (`zh`, `zh-TW`,
    /// `zh-Hant`, `en`, `en-US`, ...).
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::ZhTw),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language of a request: `?lang=` (already parsed by the caller), then the
    /// `tiefen_lang` cookie, then the first supported language of `Accept-Language` by
    /// quality, then zh-TW.
    pub fn of_request(query: Option<&str>, headers: &HeaderMap) -> Lang {
        if let Some(l) = query.and_then(Lang::parse) {
            return l;
        }
        if let Some(l) = super::session::cookie(headers, super::session::LANG_COOKIE)
            .as_deref()
            .and_then(Lang::parse)
        {
            return l;
        }
        let accept = headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        accept_language(accept).unwrap_or_default()
    }

    /// The other language (for the switch).
    pub fn other(self) -> Lang {
        match self {
            Lang::ZhTw => Lang::En,
            Lang::En => Lang::ZhTw,
        }
    }
}

/// The supported language `Accept-Language` prefers, by quality (ties by order).
fn accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(f32, usize, Lang)> = None;
    for (i, part) in header.split(',').enumerate() {
        let mut fields = part.split(';');
        let tag = fields.next().unwrap_or("").trim();
        let q = fields
            .find_map(|f| f.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let Some(lang) = Lang::parse(tag) else {
            continue;
        };
        if q > 0.0 && best.is_none_or(|(bq, bi, _)| q > bq || (q == bq && i < bi)) {
            best = Some((q, i, lang));
        }
    }
    best.map(|(_, _, l)| l)
}

/// `section.key` to `(zh-TW, en)`.
static CATALOGUE: LazyLock<HashMap<String, (String, String)>> = LazyLock::new(|| {
    parse(include_str!("messages.toml")).expect("messages.toml is checked by a unit test")
});

/// Parses the catalogue: tables of `key = ["zh-TW", "en"]`.
fn parse(text: &str) -> Result<HashMap<String, (String, String)>, String> {
    let doc: toml::Table = text.parse().map_err(|e| format!("messages.toml: {e}"))?;
    let mut out = HashMap::new();
    for (section, table) in doc {
        let table = table
            .as_table()
            .ok_or_else(|| format!("messages.toml: [{section}] is not a table"))?;
        for (key, value) in table {
            let pair = value.as_array().filter(|a| a.len() == 2).ok_or_else(|| {
                format!("messages.toml: {section}.{key} is not [\"zh-TW\", \"en\"]")
            })?;
            let text = |i: usize| {
                pair[i]
                    .as_str()
                    .filter(|s| !s.trim().is_empty())
                    .map(str::to_string)
                    .ok_or_else(|| format!("messages.toml: {section}.{key}[{i}] is empty"))
            };
            out.insert(format!("{section}.{key}"), (text(0)?, text(1)?));
        }
    }
    Ok(out)
}

/// The catalogue in one language, as templates use it: `{{ t.get("nav.overview") }}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct T {
    /// The language.
    pub lang: Lang,
}

impl T {
    /// The message `key` (`section.key`); the key itself when the catalogue has none (a unit
    /// test makes sure every key the templates and pages use exists).
    pub fn get<'k>(&self, key: &'k str) -> &'k str {
        match CATALOGUE.get(key) {
            Some((zh, en)) => match self.lang {
                Lang::ZhTw => zh,
                Lang::En => en,
            },
            None => key,
        }
    }

    /// The label of a value of a vocabulary (`band`, `lifecycle`, `offer`, `channel`, `arm`):
    /// the catalogue's `section.value`, else the value itself.
    pub fn value<'v>(&self, section: &str, value: &'v str) -> std::borrow::Cow<'v, str> {
        match CATALOGUE.get(&format!("{section}.{value}")) {
            Some((zh, en)) => std::borrow::Cow::Owned(match self.lang {
                Lang::ZhTw => zh.clone(),
                Lang::En => en.clone(),
            }),
            None => std::borrow::Cow::Borrowed(value),
        }
    }

    /// The message `key` with `{n}` replaced by `n`.
    pub fn count(&self, key: &str, n: impl std::fmt::Display) -> String {
        self.format(key, &[("n", &n)])
    }

    /// The message `key` with each `{name}` replaced by its value.
    pub fn format(&self, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        let mut out = self.get(key).to_string();
        for (name, value) in args {
            out = out.replace(&format!("{{{name}}}"), &value.to_string());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_parses_with_both_languages_for_every_key() {
        let c = parse(include_str!("messages.toml")).unwrap();
        assert!(c.len() > 50, "{} keys", c.len());
        assert_eq!(c["nav.overview"].0, "總覽");
        assert_eq!(c["nav.overview"].1, "Overview");
    }

    /// Every `t.get("...")`, `t.count("...", ..)` and `t.value("section", ..)` in the templates
    /// and the console's Rust files names a key (or section) of the catalogue.
    #[test]
    fn every_key_the_console_uses_is_in_the_catalogue() {
        let c = parse(include_str!("messages.toml")).unwrap();
        let sections: std::collections::HashSet<&str> = c
            .keys()
            .filter_map(|k| k.split_once('.'))
            .map(|(s, _)| s)
            .collect();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["templates/console", "src/console", "src/console/pages"] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                let p = e.unwrap().path();
                // The catalogue and its reader hold examples, not uses.
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if p.is_file() && name != "i18n.rs" && name != "messages.toml" {
                    files.push(p);
                }
            }
        }
        let mut missing = Vec::new();
        let mut used = 0;
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            for (pattern, is_section) in [
                ("t.get(\"", false),
                ("t.count(\"", false),
                ("t.format(\"", false),
                ("t.value(\"", true),
            ] {
                for (i, _) in text.match_indices(pattern) {
                    let rest = &text[i + pattern.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    used += 1;
                    let ok = if is_section {
                        sections.contains(key)
                    } else {
                        c.contains_key(key)
                    };
                    if !ok {
                        missing.push(format!("{}: {key}", f.display()));
                    }
                }
            }
        }
        assert!(used > 50, "only {used} uses found");
        assert!(missing.is_empty(), "not in messages.toml: {missing:#?}");
    }

    #[test]
    fn accept_language_picks_the_preferred_supported_language() {
        assert_eq!(
            accept_language("en-US,en;q=0.9,zh-TW;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(accept_language("zh-TW,zh;q=0.9,en;q=0.8"), Some(Lang::ZhTw));
        assert_eq!(
            accept_language("fr-FR, en;q=0.5, zh;q=0.7"),
            Some(Lang::ZhTw)
        );
        assert_eq!(accept_language("fr-FR"), None);
        assert_eq!(accept_language("en;q=0, zh-Hant"), Some(Lang::ZhTw));
        assert_eq!(accept_language(""), None);
    }

    #[test]
    fn values_fall_back_to_themselves() {
        let t = T { lang: Lang::En };
        assert_eq!(t.value("band", "high"), "High");
        assert_eq!(t.value("band", "no-such"), "no-such");
        assert_eq!(t.count("overview.members_n", 3), "3 members");
    }
}
