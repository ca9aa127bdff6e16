//! `GET /console/segments`: layers, lifecycle, tiers and value bands with their counts, and
//! the audience builder (filters over layer, lifecycle, tier, value band, churn band and
//! probability, offer type) with a live member count (`GET /console/audience/count`, swapped
//! in by htmx) and the campaign form that creates a campaign for the audience.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};

use features::campaign::Channel;

use super::churn::encode;
use super::overview::group_name;
use crate::console::i18n::T;
use crate::console::svg::number;
use crate::console::{Frame, Viewer, render_status};
use crate::domain::campaign::request::{
    DEFAULT_EXPECTED_UPLIFT, DEFAULT_HOLDOUT_SHARE, DEFAULT_WINDOW_DAYS,
};
use crate::domain::campaign::{AudienceRequest, CampaignRequest, FieldError, RankBy};
use crate::domain::listing::{BANDS, STAGES};
use crate::http::AppState;
use crate::operations::{audience_count, known_values, offer_types};

/// The fields of the builder as sent (query string or form body; list fields repeat).
#[derive(Debug, Clone, Default)]
pub struct BuilderForm {
    /// The audience filter.
    pub audience: AudienceRequest,
    /// Campaign fields by name (`name`, `offer`, `channel`, ...), as typed.
    pub fields: Vec<(String, String)>,
    /// A problem with a number typed in the filter.
    pub problem: Option<FieldError>,
}

impl BuilderForm {
    /// Parses `application/x-www-form-urlencoded` pairs.
    pub fn parse(bytes: &[u8]) -> BuilderForm {
        let mut f = BuilderForm::default();
        for (k, v) in form_urlencoded::parse(bytes) {
            let v = v.trim().to_string();
            let a = &mut f.audience;
            match k.as_ref() {
                "groups" => a.groups.push(v),
                "lifecycle" => a.lifecycle.push(v),
                "tiers" => a.tiers.push(v),
                "value_bands" => a.value_bands.push(v),
                "churn_bands" => a.churn_bands.push(v),
                "offer_types" => a.offer_types.push(v),
                "min_churn_probability" | "max_churn_probability" if !v.is_empty() => {
                    match v.parse::<f32>() {
                        Ok(p) if k == "min_churn_probability" => a.min_churn_probability = Some(p),
                        Ok(p) => a.max_churn_probability = Some(p),
                        Err(_) => {
                            f.problem = Some(FieldError {
                                field: format!("audience.{k}"),
                                problem: format!("{v:?} is not a number"),
                            })
                        }
                    }
                }
                _ => f.fields.push((k.into_owned(), v)),
            }
        }
        f
    }

    /// A campaign field as typed (empty when absent).
    pub fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The campaign request the form describes; numbers that do not parse name their field.
    pub fn request(&self) -> Result<CampaignRequest, FieldError> {
        if let Some(p) = &self.problem {
            return Err(p.clone());
        }
        let number = |name: &str| -> Result<Option<f64>, FieldError> {
            let v = self.field(name);
            if v.is_empty() {
                return Ok(None);
            }
            v.parse::<f64>().map(Some).map_err(|_| FieldError {
                field: name.into(),
                problem: format!("{v:?} is not a number"),
            })
        };
        let some = |name: &str| Some(self.field(name).to_string()).filter(|v| !v.is_empty());
        Ok(CampaignRequest {
            name: self.field("name").into(),
            audience: self.audience.clone(),
            offer: some("offer"),
            channel: self.field("channel").into(),
            send_date: self.field("send_date").into(),
            window_days: number("window_days")?.map(|v| v as u32),
            holdout_share: number("holdout_share")?,
            expected_uplift: number("expected_uplift")?,
            rank_by: some("rank_by"),
        })
    }
}

/// A group of checkboxes.
struct Checks {
    name: &'static str,
    legend: String,
    options: Vec<(String, String, bool)>,
}

#[derive(Template)]
#[template(path = "console/segments.html")]
struct SegmentsPage {
    t: T,
    f: Frame,
    layers: Vec<(String, String, String, String)>,
    counts: Vec<(String, Vec<(String, String)>)>,
    checks: Vec<Checks>,
    min_p: String,
    max_p: String,
    count: String,
    list_href: Option<String>,
    error: Option<String>,
    name: String,
    offers: Vec<(String, String, bool)>,
    channels: Vec<(String, String, bool)>,
    send_date: String,
    window_days: String,
    holdout_share: String,
    expected_uplift: String,
    rank_by: Vec<(String, String, bool)>,
}

/// The page, prefilled from the query string.
pub async fn page(State(state): State<AppState>, viewer: Viewer, uri: Uri) -> Response {
    let form = BuilderForm::parse(uri.query().unwrap_or("").as_bytes());
    builder_page(&state, &viewer, &uri, &form, None, StatusCode::OK).await
}

/// The live count: a fragment `<span id="audience-count">…</span>`.
pub async fn count(State(state): State<AppState>, viewer: Viewer, uri: Uri) -> Response {
    let t = viewer.t();
    let form = BuilderForm::parse(uri.query().unwrap_or("").as_bytes());
    let text = counted(&state, t, &form).await;
    Html(format!(
        r#"<span id="audience-count" class="count" role="status">{}</span>"#,
        crate::console::svg::escape(&text)
    ))
    .into_response()
}

/// "N members in this audience", or the filter's problem.
async fn counted(state: &AppState, t: T, form: &BuilderForm) -> String {
    if let Some(p) = &form.problem {
        return p.to_string();
    }
    let engine = std::sync::Arc::clone(&state.engine);
    let audience = form.audience.clone();
    match tokio::task::spawn_blocking(move || audience_count(&engine, &audience)).await {
        Ok(Ok(n)) => t.count("segments.count", number(n as f64)),
        Ok(Err(e)) => e.to_string(),
        Err(e) => e.to_string(),
    }
}

/// The builder page with `form`'s values and `error` (a failed campaign creation).
pub async fn builder_page(
    state: &AppState,
    viewer: &Viewer,
    uri: &Uri,
    form: &BuilderForm,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let t = viewer.t();
    let models = state.engine.models();
    let count = counted(state, t, form).await;
    let summary = state.engine.segment_summary();
    let (groups, tiers) = known_values(&models);
    let mut layers = Vec::new();
    let mut counts = Vec::new();
    if let Some((s, _)) = &summary {
        for g in &s.groups {
            layers.push((
                g.id.clone(),
                group_name(t, &models, &g.id),
                number(g.members as f64),
                format!("{:.3}", g.churn_probability),
            ));
        }
        counts.push((
            t.get("segments.lifecycle").to_string(),
            STAGES
                .iter()
                .map(|st| {
                    (
                        t.value("lifecycle", st).into_owned(),
                        number(s.lifecycle.get(*st).copied().unwrap_or(0) as f64),
                    )
                })
                .collect(),
        ));
        counts.push((
            t.get("segments.value_bands").to_string(),
            BANDS
                .iter()
                .map(|b| {
                    (
                        t.value("band", b).into_owned(),
                        number(s.value_bands.get(*b).copied().unwrap_or(0) as f64),
                    )
                })
                .collect(),
        ));
        if !s.tiers.is_empty() {
            counts.push((
                t.get("segments.tiers").to_string(),
                tiers
                    .iter()
                    .map(|id| {
                        (
                            id.clone(),
                            number(s.tiers.get(id).copied().unwrap_or(0) as f64),
                        )
                    })
                    .collect(),
            ));
        }
    }
    let a = &form.audience;
    let checks_of = |name: &'static str,
                     legend: &str,
                     chosen: &[String],
                     values: Vec<(String, String)>| Checks {
        name,
        legend: t.get(legend).to_string(),
        options: values
            .into_iter()
            .map(|(v, l)| {
                let on = chosen.contains(&v);
                (v, l, on)
            })
            .collect(),
    };
    let vocab = |section: &str, values: &[&str]| -> Vec<(String, String)> {
        values
            .iter()
            .map(|v| (v.to_string(), t.value(section, v).into_owned()))
            .collect()
    };
    let mut checks = vec![
        checks_of(
            "groups",
            "segments.layers",
            &a.groups,
            groups
                .iter()
                .map(|g| (g.clone(), group_name(t, &models, g)))
                .collect(),
        ),
        checks_of(
            "lifecycle",
            "segments.lifecycle",
            &a.lifecycle,
            vocab("lifecycle", &STAGES),
        ),
    ];
    if !tiers.is_empty() {
        checks.push(checks_of(
            "tiers",
            "segments.tiers",
            &a.tiers,
            tiers.iter().map(|x| (x.clone(), x.clone())).collect(),
        ));
    }
    checks.push(checks_of(
        "value_bands",
        "segments.value_bands",
        &a.value_bands,
        vocab("band", &BANDS),
    ));
    checks.push(checks_of(
        "churn_bands",
        "segments.churn_bands",
        &a.churn_bands,
        vocab("band", &BANDS),
    ));
    let kinds = offer_types();
    checks.push(checks_of(
        "offer_types",
        "segments.offer_types",
        &a.offer_types,
        vocab("offer", &kinds),
    ));
    let options = |chosen: &str, none_key: Option<&str>, values: Vec<(String, String)>| {
        let mut out = Vec::new();
        if let Some(k) = none_key {
            out.push((String::new(), t.get(k).to_string(), chosen.is_empty()));
        }
        out.extend(values.into_iter().map(|(v, l)| {
            let on = v == chosen;
            (v, l, on)
        }));
        out
    };
    let list_href =
        (a.groups.len() == 1).then(|| format!("/console/churn?group={}", encode(&a.groups[0])));
    // A field as typed, else its default.
    let or = |name: &str, default: String| {
        let v = form.field(name);
        if v.is_empty() { default } else { v.to_string() }
    };
    let channels: Vec<&str> = Channel::ALL.iter().map(|c| c.as_str()).collect();
    let scores: Vec<&str> = RankBy::ALL.iter().map(|r| r.as_str()).collect();
    let path = uri
        .path_and_query()
        .map_or("/console/segments", |p| p.as_str());
    render_status(
        status,
        &SegmentsPage {
            t,
            f: Frame::new(viewer, "segments", path),
            layers,
            counts,
            checks,
            min_p: a
                .min_churn_probability
                .map(|p| p.to_string())
                .unwrap_or_default(),
            max_p: a
                .max_churn_probability
                .map(|p| p.to_string())
                .unwrap_or_default(),
            count,
            list_href,
            error,
            name: form.field("name").to_string(),
            offers: options(
                form.field("offer"),
                Some("segments.no_offer"),
                vocab("offer", &kinds),
            ),
            channels: options(
                &or("channel", Channel::Email.as_str().into()),
                None,
                vocab("channel", &channels),
            ),
            send_date: or("send_date", models.churn.as_of.to_string()),
            window_days: or("window_days", DEFAULT_WINDOW_DAYS.to_string()),
            holdout_share: or("holdout_share", DEFAULT_HOLDOUT_SHARE.to_string()),
            expected_uplift: or("expected_uplift", DEFAULT_EXPECTED_UPLIFT.to_string()),
            rank_by: options(
                form.field("rank_by"),
                Some("segments.rank_none"),
                vocab("rank_by", &scores),
            ),
        },
    )
}
