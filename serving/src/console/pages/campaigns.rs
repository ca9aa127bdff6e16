//! `GET /console/campaigns` (every campaign), `POST /console/campaigns` (create one from the
//! audience builder, CSRF-checked), `GET /console/campaigns/{id}` (its frozen audience, power
//! note, warnings and the holdout report), and the downloads: the send list and the report as
//! CSV, the same bytes as the API's.

use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::message;
use super::overview::group_name;
use super::segments::{BuilderForm, builder_page};
use crate::campaigns::Campaign;
use crate::console::i18n::{Lang, T};
use crate::console::svg::{Estimate, intervals, number};
use crate::console::{Frame, Viewer, render};
use crate::domain::campaign::audience::MIN_CONTROL_MEMBERS;
use crate::domain::campaign::report::{Figure, Uplift};
use crate::domain::campaign::{
    Assignment, CampaignReport, Warning, report_csv as report_to_csv, warnings,
};
use crate::http::AppState;
use crate::http::routes::campaigns::members_csv as members_to_csv;
use crate::operations::{CreateError, campaign_report, create_campaign};

struct Row {
    id: String,
    name: String,
    channel: String,
    offer: String,
    send_date: String,
    matched: String,
    treated: String,
    control: String,
    capped: String,
}

/// Uplift by ranked share of the audience.
struct Ranked {
    /// The score the audience was ranked by.
    rank_by: String,
    /// `(share, uplift)` per share.
    at_k: Vec<(String, String)>,
    /// The Qini AUC.
    qini: String,
}

#[derive(Template)]
#[template(path = "console/campaigns.html")]
struct ListPage {
    t: T,
    f: Frame,
    rows: Vec<Row>,
}

fn row(t: T, c: &Campaign) -> Row {
    Row {
        id: c.id.clone(),
        name: c.spec.name.clone(),
        channel: t.value("channel", c.spec.channel.as_str()).into_owned(),
        offer: c
            .spec
            .offer
            .as_deref()
            .map_or(String::new(), |o| t.value("offer", o).into_owned()),
        send_date: c.spec.send_date.to_string(),
        matched: number(c.counts.matched as f64),
        treated: number(c.counts.treated as f64),
        control: number(c.counts.control as f64),
        capped: number(c.counts.capped as f64),
    }
}

/// Every campaign, newest first.
pub async fn list(State(state): State<AppState>, viewer: Viewer, uri: Uri) -> Response {
    let t = viewer.t();
    let rows = state
        .campaigns
        .list()
        .iter()
        .rev()
        .map(|c| row(t, c))
        .collect();
    let path = uri
        .path_and_query()
        .map_or("/console/campaigns", |p| p.as_str());
    render(&ListPage {
        t,
        f: Frame::new(&viewer, "campaigns", path),
        rows,
    })
}

/// Creates a campaign from the builder's form (CSRF field or header checked first); 303 to
/// its page, or the builder again with the field that is wrong (400).
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let form = BuilderForm::parse(&body);
    let token = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| form.field("csrf"));
    if !viewer.csrf_ok(token) {
        return super::csrf_refused(&viewer);
    }
    let request = match form.request() {
        Ok(r) => r,
        Err(e) => {
            return builder_page(
                &state,
                &viewer,
                &uri,
                &form,
                Some(e.to_string()),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    let (engine, store) = (Arc::clone(&state.engine), Arc::clone(&state.campaigns));
    let created =
        tokio::task::spawn_blocking(move || create_campaign(&engine, &store, request)).await;
    match created {
        Ok(Ok(c)) => Redirect::to(&format!("/console/campaigns/{}", c.id)).into_response(),
        Ok(Err(CreateError::Invalid(e))) => {
            builder_page(
                &state,
                &viewer,
                &uri,
                &form,
                Some(e.to_string()),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Ok(Err(CreateError::Store(e))) => {
            tracing::error!(error = %e, "campaign store");
            message(
                &viewer,
                StatusCode::INTERNAL_SERVER_ERROR,
                "error.title",
                e.to_string(),
            )
        }
        Err(e) => message(
            &viewer,
            StatusCode::INTERNAL_SERVER_ERROR,
            "error.title",
            e.to_string(),
        ),
    }
}

struct Arm {
    label: String,
    members: String,
    converters: String,
    conversion: String,
    orders_per_member: String,
    spend_per_member: String,
}

struct UpliftRow {
    label: String,
    absolute: String,
    relative: String,
}

#[derive(Template)]
#[template(path = "console/campaign.html")]
struct CampaignPage {
    t: T,
    f: Frame,
    c: Row,
    created: String,
    model_version: String,
    audience: String,
    warnings: Vec<String>,
    power: Option<String>,
    window: String,
    interim: bool,
    arms: Vec<Arm>,
    uplifts: Vec<UpliftRow>,
    incremental_orders: String,
    incremental_revenue: String,
    chart: String,
    ranked: Option<Ranked>,
}

fn pct(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{:.2}%", v * 100.0))
}

fn figure(t: T, f: &Figure, as_pct: bool) -> String {
    let show = |v: f64| {
        if as_pct {
            format!("{:+.2}%", v * 100.0)
        } else if v.abs() < 10.0 {
            format!("{v:+.3}")
        } else {
            format!("{v:+.0}")
        }
    };
    match (f.value, f.low, f.high) {
        (Some(v), Some(lo), Some(hi)) => format!("{} [{}, {}]", show(v), show(lo), show(hi)),
        (Some(v), _, _) => format!("{} ({})", show(v), f.note.as_deref().unwrap_or("")),
        _ => format!(
            "{} ({})",
            t.get("campaigns.undefined"),
            f.note.as_deref().unwrap_or("")
        ),
    }
}

fn uplift_row(t: T, label_key: &str, u: &Uplift, absolute_pct: bool) -> UpliftRow {
    UpliftRow {
        label: t.get(label_key).into(),
        absolute: figure(t, &u.absolute, absolute_pct),
        relative: figure(t, &u.relative, true),
    }
}

/// The campaign `id` with its report (computed off the async threads), or the page saying
/// why not.
async fn with_report(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> Result<(Arc<Campaign>, CampaignReport), Response> {
    let Some(c) = state.campaigns.get(id) else {
        return Err(not_found(viewer, id));
    };
    let engine = Arc::clone(&state.engine);
    let c2 = Arc::clone(&c);
    match tokio::task::spawn_blocking(move || campaign_report(&engine, &c2)).await {
        Ok(r) => Ok((c, r)),
        Err(_) => Err(message(
            viewer,
            StatusCode::INTERNAL_SERVER_ERROR,
            "error.title",
            String::new(),
        )),
    }
}

/// One campaign with its report.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    uri: Uri,
) -> Response {
    let t = viewer.t();
    let (c, r) = match with_report(&state, &viewer, &id).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let arm = |key: &str, a: &crate::domain::campaign::report::ArmFigures| Arm {
        label: t.get(key).into(),
        members: number(a.members as f64),
        converters: number(a.converters as f64),
        conversion: pct(a.conversion_rate),
        orders_per_member: a
            .orders_per_member
            .map_or("–".into(), |v| format!("{v:.3}")),
        spend_per_member: a.spend_per_member.map_or("–".into(), |v| format!("{v:.1}")),
    };
    let rel = |key: &str, u: &Uplift| Estimate {
        label: t.get(key).to_string(),
        value: u.relative.value,
        low: u.relative.low,
        high: u.relative.high,
    };
    let chart = intervals(
        &[
            rel("campaigns.conversion", &r.conversion),
            rel("campaigns.orders_per_member", &r.orders_per_member),
            rel("campaigns.spend_per_member", &r.spend_per_member),
        ],
        t.get("campaigns.uplift_chart"),
    );
    let a = &c.spec.audience;
    let models = state.engine.models();
    let mut parts = Vec::new();
    // Each filter's values in the viewer's language (a section of the catalogue, or the
    // layer's own name); tiers are the brand's own names.
    for (label, values, section) in [
        ("segments.layers", &a.groups, None),
        ("segments.lifecycle", &a.lifecycle, Some("lifecycle")),
        ("segments.tiers", &a.tiers, Some("")),
        ("segments.value_bands", &a.value_bands, Some("band")),
        ("segments.churn_bands", &a.churn_bands, Some("band")),
        ("segments.offer_types", &a.offer_types, Some("offer")),
    ] {
        if !values.is_empty() {
            let names: Vec<String> = values
                .iter()
                .map(|v| match section {
                    None => group_name(t, &models, v),
                    Some("") => v.clone(),
                    Some(s) => t.value(s, v).into_owned(),
                })
                .collect();
            let sep = if t.lang == Lang::ZhTw { "、" } else { ", " };
            parts.push(format!("{}: {}", t.get(label), names.join(sep)));
        }
    }
    if let Some(p) = a.min_churn_probability {
        parts.push(format!("{} {p}", t.get("segments.min_p")));
    }
    if let Some(p) = a.max_churn_probability {
        parts.push(format!("{} {p}", t.get("segments.max_p")));
    }
    let power = c.power.as_ref().map(|p| {
        t.format(
            "campaigns.power_text",
            &[
                ("uplift", &pct(p.detectable_relative_uplift)),
                (
                    "baseline",
                    &format!("{:.1}%", p.baseline_conversion * 100.0),
                ),
            ],
        )
    });
    let ranked = r.ranked.as_ref().map(|k| Ranked {
        rank_by: t.value("rank_by", &k.rank_by).into_owned(),
        at_k: k
            .uplift_at_k
            .iter()
            .map(|u| (format!("{:.0}%", u.k * 100.0), pct(u.uplift)))
            .collect(),
        qini: k.qini_auc.map_or("–".into(), |q| format!("{q:.3}")),
    });
    let created = chrono::DateTime::from_timestamp(c.created_at, 0).map_or(String::new(), |d| {
        d.format("%Y-%m-%d %H:%M UTC").to_string()
    });
    let path = uri
        .path_and_query()
        .map_or("/console/campaigns", |p| p.as_str());
    render(&CampaignPage {
        t,
        f: Frame::new(&viewer, "campaigns", path),
        c: row(t, &c),
        created,
        model_version: c.model_version.clone(),
        audience: if parts.is_empty() {
            t.get("churn.any").into()
        } else {
            parts.join(" · ")
        },
        warnings: warnings(&c.counts, c.power.as_ref(), &c.spec)
            .iter()
            .map(|w| warning_text(t, w))
            .collect(),
        power,
        window: format!("{} – {}", r.window_start, r.window_end.plus(-1)),
        interim: !r.window_complete,
        arms: vec![
            arm("campaigns.treated", &r.treated),
            arm("campaigns.control", &r.control),
        ],
        uplifts: vec![
            uplift_row(t, "campaigns.conversion", &r.conversion, true),
            uplift_row(
                t,
                "campaigns.orders_per_member",
                &r.orders_per_member,
                false,
            ),
            uplift_row(t, "campaigns.spend_per_member", &r.spend_per_member, false),
        ],
        incremental_orders: figure(t, &r.incremental_orders, false),
        incremental_revenue: figure(t, &r.incremental_revenue, false),
        chart,
        ranked,
    })
}

fn not_found(viewer: &Viewer, id: &str) -> Response {
    message(
        viewer,
        StatusCode::NOT_FOUND,
        "error.not_found",
        format!("{}{id}", viewer.t().get("error.no_campaign")),
    )
}

fn attachment(mut r: Response, name: String) -> Response {
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// The treated members as the API's CSV (`/v1/campaigns/{id}/members`).
pub async fn members_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let Some(c) = state.campaigns.get(&id) else {
        return not_found(&viewer, &id);
    };
    let name = format!("{}-treated.csv", c.id);
    attachment(members_to_csv(c, Some(Assignment::Treated)), name)
}

/// The report as the API's CSV (`/v1/campaigns/{id}/report?format=csv`).
pub async fn report_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let (c, r) = match with_report(&state, &viewer, &id).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let body = report_to_csv(&r);
    attachment(
        ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response(),
        format!("{}-report.csv", c.id),
    )
}

/// A creation warning in the viewer's language (the API's English text is its `Display`).
fn warning_text(t: T, w: &Warning) -> String {
    let p1 = |x: f64| format!("{x:.1}%");
    match *w {
        Warning::SmallControl { control } => t.format(
            "campaigns.warn_small_control",
            &[
                ("control", &number(control as f64)),
                ("min", &number(MIN_CONTROL_MEMBERS as f64)),
            ],
        ),
        Warning::Underpowered {
            control,
            needed,
            expected_pct,
            baseline_pct,
            detectable_pct,
        } => {
            let mut text = t.format(
                "campaigns.warn_underpowered",
                &[
                    ("control", &number(control as f64)),
                    ("needed", &number(needed as f64)),
                    ("expected", &p1(expected_pct)),
                    ("baseline", &p1(baseline_pct)),
                ],
            );
            if let Some(d) = detectable_pct {
                text.push(' ');
                text.push_str(&t.format("campaigns.warn_detectable", &[("d", &p1(d))]));
            }
            text
        }
        Warning::Unreachable {
            treated,
            expected_pct,
            baseline_pct,
        } => t.format(
            "campaigns.warn_unreachable",
            &[
                ("treated", &number(treated as f64)),
                ("expected", &p1(expected_pct)),
                ("baseline", &p1(baseline_pct)),
            ],
        ),
        Warning::Capped { capped, matched } => t.format(
            "campaigns.warn_capped",
            &[
                ("capped", &number(capped as f64)),
                ("matched", &number(matched as f64)),
            ],
        ),
    }
}
