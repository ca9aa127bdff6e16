//! `GET /console/churn`: the churn-risk list with filters (band, layer, lifecycle, tier, value
//! band, order), paged by the API's cursor, and `GET /console/churn.csv`: the same filtered
//! list as the API's CSV (`GET /v1/churn-risk` with `Accept: text/csv`), byte for byte.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;

use super::overview::group_name;
use super::{message, reasons_line};
use crate::console::i18n::T;
use crate::console::svg::number;
use crate::console::{Frame, Viewer, render};
use crate::domain::listing::{BANDS, STAGES, value_at_risk};
use crate::http::AppState;
use crate::http::routes::churn_list::{ListQuery, filter_of, respond};

/// Rows per page.
pub const PAGE_ROWS: usize = 50;

/// The list's filters as the form sends them (empty means any).
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct Filters {
    #[serde(default)]
    band: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    lifecycle: String,
    #[serde(default)]
    tier: String,
    #[serde(default)]
    value_band: String,
    #[serde(default)]
    order: String,
    #[serde(default)]
    cursor: String,
    /// The language switch's parameter (read by the console's language layer).
    #[serde(default, rename = "lang")]
    _lang: String,
}

fn some(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

impl Filters {
    fn list_query(&self, limit: Option<usize>, cursor: bool) -> ListQuery {
        ListQuery {
            band: some(&self.band),
            group: some(&self.group),
            lifecycle: some(&self.lifecycle),
            tier: some(&self.tier),
            value_band: some(&self.value_band),
            order: some(&self.order),
            limit,
            cursor: if cursor { some(&self.cursor) } else { None },
            ..ListQuery::default()
        }
    }

    /// The filters as a query string (without cursor and language).
    fn query_string(&self) -> String {
        [
            ("band", &self.band),
            ("group", &self.group),
            ("lifecycle", &self.lifecycle),
            ("tier", &self.tier),
            ("value_band", &self.value_band),
            ("order", &self.order),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// Percent-encodes a query value.
pub fn encode(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

struct Row {
    id: String,
    href: String,
    probability: String,
    band: &'static str,
    band_label: String,
    days: String,
    reasons: String,
    group: String,
    lifecycle: String,
    tier: String,
    value: String,
    value_at_risk: String,
}

/// A `<select>`: its name, label key and `(value, label, selected)` options.
pub struct Select {
    /// Field name.
    pub name: &'static str,
    /// Its label.
    pub label: String,
    /// Options, the first is "any".
    pub options: Vec<(String, String, bool)>,
}

#[derive(Template)]
#[template(path = "console/churn.html")]
struct ChurnPage {
    t: T,
    f: Frame,
    selects: Vec<Select>,
    rows: Vec<Row>,
    matching: String,
    next_href: Option<String>,
    first_href: Option<String>,
    csv_href: String,
}

fn select(
    t: T,
    name: &'static str,
    label_key: &str,
    chosen: &str,
    values: Vec<(String, String)>,
) -> Select {
    let mut options = vec![(
        String::new(),
        t.get("churn.any").to_string(),
        chosen.is_empty(),
    )];
    options.extend(values.into_iter().map(|(v, l)| {
        let sel = v == chosen;
        (v, l, sel)
    }));
    Select {
        name,
        label: t.get(label_key).to_string(),
        options,
    }
}

/// The page for a filter or cursor that cannot be read.
fn bad_filter(viewer: &Viewer) -> Response {
    message(
        viewer,
        StatusCode::BAD_REQUEST,
        "error.title",
        viewer.t().get("error.bad_filter").into(),
    )
}

/// The list page.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    query: Result<Query<Filters>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let t = viewer.t();
    let Ok(Query(filters)) = query else {
        return bad_filter(&viewer);
    };
    // The API's checks and filter, one page of PAGE_ROWS after the cursor.
    let Ok((page, models)) = filter_of(filters.list_query(Some(PAGE_ROWS), true), false)
        .and_then(|filter| Ok(state.engine.churn_list(&filter)?))
    else {
        return bad_filter(&viewer);
    };
    let rows = page
        .rows
        .iter()
        .filter_map(|(id, a)| {
            let c = a.churn.as_ref()?;
            let s = a.segment.as_ref();
            Some(Row {
                id: id.clone(),
                href: format!("/console/members/{}", encode(id)),
                probability: format!("{:.3}", c.probability),
                band: c.band,
                band_label: t.value("band", c.band).into_owned(),
                days: number(f64::from(c.days_since_last_purchase)),
                reasons: reasons_line(t, &c.reasons),
                group: s.map_or(String::new(), |s| group_name(t, &models, &s.group)),
                lifecycle: s.map_or(String::new(), |s| {
                    t.value("lifecycle", s.lifecycle.as_str()).into_owned()
                }),
                tier: s
                    .and_then(|s| s.tier.as_ref())
                    .map_or(String::new(), |x| x.label.clone()),
                value: s
                    .and_then(|s| s.value)
                    .map_or(String::new(), |v| number(v.predicted_value)),
                value_at_risk: value_at_risk(a).map_or(String::new(), number),
            })
        })
        .collect();
    let qs = filters.query_string();
    let amp = if qs.is_empty() { "" } else { "&" };
    let next_href = page
        .next_cursor
        .as_ref()
        .map(|c| format!("/console/churn?{qs}{amp}cursor={}", encode(c)));
    let first_href = (!filters.cursor.is_empty()).then(|| format!("/console/churn?{qs}"));
    let (groups, tiers) = crate::operations::known_values(&models);
    let tier_labels: Vec<(String, String)> = match models.segments.as_ref().and_then(|s| s.tiers())
    {
        Some(p) => p
            .levels()
            .iter()
            .map(|l| (l.id.clone(), l.label.clone()))
            .collect(),
        None => tiers.iter().map(|id| (id.clone(), id.clone())).collect(),
    };
    let bands = |section: &str| -> Vec<(String, String)> {
        BANDS
            .iter()
            .map(|b| (b.to_string(), t.value(section, b).into_owned()))
            .collect()
    };
    let mut selects = vec![
        select(t, "band", "churn.band", &filters.band, bands("band")),
        select(
            t,
            "group",
            "churn.layer",
            &filters.group,
            groups
                .iter()
                .map(|g| (g.clone(), group_name(t, &models, g)))
                .collect(),
        ),
        select(
            t,
            "lifecycle",
            "churn.lifecycle",
            &filters.lifecycle,
            STAGES
                .iter()
                .map(|s| (s.to_string(), t.value("lifecycle", s).into_owned()))
                .collect(),
        ),
        select(t, "tier", "churn.tier", &filters.tier, tier_labels),
        select(
            t,
            "value_band",
            "churn.value_band",
            &filters.value_band,
            bands("band"),
        ),
    ];
    let path = uri
        .path_and_query()
        .map_or("/console/churn", |p| p.as_str());
    let mut order_select = select(
        t,
        "order",
        "churn.order",
        &filters.order,
        vec![(
            "value_at_risk".into(),
            t.get("churn.order_value_at_risk").into(),
        )],
    );
    order_select.options[0].1 = t.get("churn.order_probability").into();
    selects.push(order_select);
    render(&ChurnPage {
        t,
        f: Frame::new(&viewer, "churn", path),
        selects,
        rows,
        matching: t.count("churn.matching", number(page.matching as f64)),
        next_href,
        first_href,
        csv_href: format!("/console/churn.csv?{qs}"),
    })
}

/// The filtered list as the API's CSV, as a download.
pub async fn csv(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<Filters>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let t = viewer.t();
    let Ok(Query(filters)) = query else {
        return bad_filter(&viewer);
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::ACCEPT, HeaderValue::from_static("text/csv"));
    match respond(&state, &headers, filters.list_query(None, false)) {
        Ok(mut r) => {
            r.headers_mut().insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"churn-risk.csv\""),
            );
            r
        }
        Err(e) => message(
            &viewer,
            e.status,
            "error.title",
            format!("{}{}", t.get("error.bad_filter"), e.message),
        ),
    }
}
