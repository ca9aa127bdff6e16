//! `GET /console/members/{id}`: the member's portrait, purchase timeline, churn answer with
//! its reasons, layer and value, tier progress, recommendations and next offers.
//! `GET /console/members?id=` goes there.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};

use features::{Day, Kind};

use super::churn::encode;
use super::message;
use super::overview::group_name;
use crate::console::i18n::{Lang, T};
use crate::console::svg::{number, timeline};
use crate::console::{Frame, Viewer, render};
use crate::domain::RecommendOptions;
use crate::http::AppState;

/// Lines listed under the timeline.
const RECENT_LINES: usize = 20;
/// Recommendations shown per kind.
const TOP_K: usize = 10;

/// `?id=` of the member search.
#[derive(Debug, serde::Deserialize)]
pub struct FindQuery {
    #[serde(default)]
    id: String,
}

/// The member search: to the member's page.
pub async fn find(_viewer: Viewer, Query(q): Query<FindQuery>) -> Response {
    Redirect::to(&format!("/console/members/{}", encode(q.id.trim()))).into_response()
}

struct Tier {
    label: String,
    qualifying: String,
    to_next: Option<String>,
    progress: u32,
    to_renew: Option<String>,
    expiry: Option<String>,
    keep: Option<String>,
}

struct Offer {
    kind: String,
    priority: u32,
    reason: String,
    incentive: String,
    suggested: String,
    valid_until: Option<String>,
}

#[derive(Template)]
#[template(path = "console/member.html")]
struct MemberPage {
    t: T,
    f: Frame,
    id: String,
    facts: Vec<(String, String)>,
    attributes: Vec<(String, String)>,
    churn: Option<(String, &'static str, String, String, Vec<String>)>,
    segment: Vec<(String, String)>,
    tier: Option<Tier>,
    timeline: String,
    lines: Vec<(String, String, String, String, String)>,
    categories: Vec<(String, String, String)>,
    items: Vec<(String, String, String)>,
    offers: Vec<Offer>,
}

fn day_of(d: Option<Day>) -> String {
    d.map_or("–".into(), |d| d.to_string())
}

/// The member page.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    uri: Uri,
) -> Response {
    let t = viewer.t();
    let lookup = state.engine.member(&id);
    let Some(a) = lookup.answer else {
        return message(
            &viewer,
            StatusCode::NOT_FOUND,
            "error.not_found",
            format!("{}{id}", t.get("error.no_member")),
        );
    };
    let models = &lookup.version;
    let p = &a.portrait;
    let facts = vec![
        (
            t.get("member.purchase_days").into(),
            number(f64::from(p.purchase_days)),
        ),
        (
            t.get("member.order_lines").into(),
            number(f64::from(p.order_lines)),
        ),
        (t.get("member.total_spend").into(), number(p.total_spend)),
        (
            t.get("member.first_purchase").into(),
            day_of(p.first_purchase),
        ),
        (
            t.get("member.last_purchase").into(),
            day_of(p.last_purchase),
        ),
        (
            t.get("member.contacts").into(),
            number(state.campaigns.contacts_of(&id) as f64),
        ),
    ];
    let mut attributes = Vec::new();
    if let Some(at) = state.engine.attributes(&id) {
        let mut add = |k: &str, v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                attributes.push((k.to_string(), v));
            }
        };
        add(t.get("member.joined"), at.joined.map(|d| d.to_string()));
        add(t.get("member.birthday"), at.birthday.map(|d| d.to_string()));
        add(t.get("member.age_group"), at.age_group.clone());
        add(t.get("member.region"), at.region.clone());
        add(t.get("member.member_tier"), at.tier.clone());
    }
    let churn = a.churn.as_ref().map(|c| {
        (
            format!("{:.3}", c.probability),
            c.band,
            t.value("band", c.band).into_owned(),
            format!("{:.2}", c.expected_purchases),
            super::reason_texts(t, &c.reasons),
        )
    });
    let mut segment = Vec::new();
    let mut tier = None;
    if let Some(s) = &a.segment {
        segment.push((
            t.get("member.layer").into(),
            group_name(t, models, &s.group),
        ));
        segment.push((
            t.get("member.previous_layer").into(),
            group_name(t, models, s.previous_group.as_deref().unwrap_or("none")),
        ));
        segment.push((
            t.get("member.lifecycle").into(),
            t.value("lifecycle", s.lifecycle.as_str()).into_owned(),
        ));
        if let Some(v) = s.value {
            segment.push((t.get("member.value").into(), number(v.predicted_value)));
            segment.push((
                t.get("member.next_order").into(),
                day_of(v.expected_next_order),
            ));
        }
        if let Some(b) = s.value_band {
            segment.push((
                t.get("member.value_band").into(),
                t.value("band", b).into_owned(),
            ));
        }
        tier = s.tier.as_ref().map(|x| {
            let st = &x.status;
            let progress = match st.spend_to_next {
                Some(left) if st.qualifying_spend + left > 0.0 => {
                    (100.0 * st.qualifying_spend / (st.qualifying_spend + left)).round() as u32
                }
                _ => 100,
            };
            Tier {
                label: x.label.clone(),
                qualifying: number(st.qualifying_spend),
                to_next: st.spend_to_next.map(number),
                progress: progress.min(100),
                to_renew: st.spend_to_renew.map(number),
                expiry: st.expiry.map(|d| d.to_string()),
                keep: x.keep_probability.map(|k| format!("{:.0}%", k * 100.0)),
            }
        });
    }
    let lines = state.engine.member_lines(&id).unwrap_or_default();
    let mut per_day: Vec<(i32, f64)> = Vec::new();
    for l in &lines {
        let d = Day::of_ts(l.ts).0;
        match per_day.last_mut() {
            Some(last) if last.0 == d => last.1 += l.amount,
            _ => per_day.push((d, l.amount)),
        }
    }
    let from = per_day.first().map_or(a.as_of.0 - 1, |p| p.0);
    let chart = timeline(
        &per_day,
        from,
        a.as_of.0.max(from + 1),
        t.get("member.timeline_chart"),
    );
    let recent = lines
        .iter()
        .rev()
        .take(RECENT_LINES)
        .map(|l| {
            (
                Day::of_ts(l.ts).to_string(),
                l.item.clone(),
                l.category.clone(),
                number(l.quantity),
                number(l.amount),
            )
        })
        .collect();
    let picks = |kind: Kind| {
        state
            .engine
            .recommendations(&id, kind, TOP_K, RecommendOptions::default())
            .items
            .into_iter()
            .map(|r| (r.id, format!("{:.3}", r.score), r.reason))
            .collect::<Vec<_>>()
    };
    let (offers, _) = state.engine.offers(&id, RecommendOptions::default());
    let offers = offers
        .unwrap_or_default()
        .into_iter()
        .map(|o| Offer {
            kind: t.value("offer", o.kind).into_owned(),
            priority: o.priority,
            reason: match viewer.lang {
                Lang::ZhTw => o.reason.zh_tw.clone(),
                Lang::En => o.reason.en.clone(),
            },
            incentive: t.value("incentive", o.incentive.as_str()).into_owned(),
            suggested: o.suggested_items.join(", "),
            valid_until: o.valid_until.map(|d| d.to_string()),
        })
        .collect();
    let path = uri.path_and_query().map_or("/console/", |p| p.as_str());
    render(&MemberPage {
        t,
        f: Frame::new(&viewer, "churn", path),
        id: id.clone(),
        facts,
        attributes,
        churn,
        segment,
        tier,
        timeline: chart,
        lines: recent,
        categories: picks(Kind::Category),
        items: picks(Kind::Item),
        offers,
    })
}
