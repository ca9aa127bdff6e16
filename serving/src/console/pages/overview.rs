//! `GET /console/`: members, the churn-probability histogram, layers with their value and
//! movement, the model version and its backtest against the baselines.

use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;

use crate::console::i18n::{Lang, T};
use crate::console::svg::{bars, histogram, number};
use crate::console::{Frame, Viewer, render};
use crate::http::AppState;
use crate::model::Models;

/// A layer's name in the viewer's language: the group table's own label in zh-TW, the
/// catalogue's English name (or the id) in English.
pub fn group_name(t: T, models: &Models, id: &str) -> String {
    if t.lang == Lang::ZhTw
        && let Some(label) = models.segments.as_ref().and_then(|s| {
            let g = s.groups();
            g.index_of(id).map(|i| g.groups()[i].label.clone())
        })
    {
        return label;
    }
    t.value("group", id).into_owned()
}

struct GroupRow {
    id: String,
    name: String,
    members: String,
    spend: String,
    churn: String,
    value: String,
    value_at_risk: String,
}

struct MetricRow {
    name: String,
    auc: String,
    ap: String,
    brier: String,
    lift: String,
    model: bool,
}

struct RankRow {
    task: String,
    name: String,
    recall: String,
    ndcg: String,
    model: bool,
}

#[derive(Template)]
#[template(path = "console/overview.html")]
struct OverviewPage {
    t: T,
    f: Frame,
    members: String,
    /// Members with a churn answer (history before as-of): the churn list's length.
    scored: String,
    version: String,
    as_of: String,
    horizon: u32,
    model_kind: String,
    histogram: String,
    bands: Vec<(String, String, &'static str)>,
    groups: Vec<GroupRow>,
    value_chart: String,
    movement_cols: Vec<String>,
    movement: Vec<(String, Vec<String>)>,
    churn_backtest: Vec<MetricRow>,
    ranker_backtest: Vec<RankRow>,
    fallbacks: Vec<String>,
}

fn f3(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.3}")
    } else {
        "–".into()
    }
}

/// The overview.
pub async fn page(State(state): State<AppState>, viewer: Viewer, uri: Uri) -> Response {
    let t = viewer.t();
    let (counts, bands) = state.engine.churn_distribution(20);
    let members = state.engine.member_count();
    let summary = state.engine.segment_summary();
    let models = state.engine.models();
    let card = &models.card;
    let mut groups = Vec::new();
    let mut value_rows = Vec::new();
    let mut movement_cols = Vec::new();
    let mut movement = Vec::new();
    if let Some((s, _)) = &summary {
        for g in &s.groups {
            let name = group_name(t, &models, &g.id);
            value_rows.push((name.clone(), g.predicted_value));
            groups.push(GroupRow {
                id: g.id.clone(),
                name,
                members: number(g.members as f64),
                spend: number(g.spend),
                churn: format!("{:.3}", g.churn_probability),
                value: number(g.predicted_value),
                value_at_risk: number(g.value_at_risk),
            });
        }
        let ids: Vec<&String> = s.groups.iter().map(|g| &g.id).collect();
        movement_cols = ids.iter().map(|id| group_name(t, &models, id)).collect();
        let mut froms: Vec<&String> = s.movement.keys().collect();
        froms.sort_by_key(|f| ids.iter().position(|id| id == f).unwrap_or(usize::MAX));
        for from in froms {
            let row = &s.movement[from];
            let cells = ids
                .iter()
                .map(|to| row.get(*to).map_or(String::new(), |n| number(*n as f64)))
                .collect();
            movement.push((group_name(t, &models, from), cells));
        }
    }
    let mut churn_backtest = Vec::new();
    if let Some(e) = &card.churn.evaluation {
        let row = |name: String, m: &features::contract::BinaryMetrics, model| MetricRow {
            name,
            auc: f3(m.auc),
            ap: f3(m.average_precision),
            brier: f3(m.brier),
            lift: f3(m.lift_top_decile),
            model,
        };
        churn_backtest.push(row(t.get("overview.the_model").into(), &e.churn, true));
        for (name, m) in &e.churn_baselines {
            churn_backtest.push(row(name.clone(), m, false));
        }
    }
    let mut ranker_backtest = Vec::new();
    if let Some(r) = &card.recommendations.metrics {
        for (task, m) in &r.models {
            ranker_backtest.push(RankRow {
                task: task.clone(),
                name: t.get("overview.the_model").into(),
                recall: f3(m.recall_at_10),
                ndcg: f3(m.ndcg_at_10),
                model: true,
            });
            if let Some(bs) = r.baselines.get(&format!("{task}_baselines")) {
                for (name, b) in bs {
                    ranker_backtest.push(RankRow {
                        task: task.clone(),
                        name: name.clone(),
                        recall: f3(b.recall_at_10),
                        ndcg: f3(b.ndcg_at_10),
                        model: false,
                    });
                }
            }
        }
    }
    let path = uri.path_and_query().map_or("/console/", |p| p.as_str());
    render(&OverviewPage {
        t,
        f: Frame::new(&viewer, "overview", path),
        members: number(members as f64),
        scored: number(counts.iter().sum::<u64>() as f64),
        version: models.version.clone(),
        as_of: models.churn.as_of.to_string(),
        horizon: models.churn.horizon_days,
        model_kind: card.churn.model_kind.clone(),
        histogram: histogram(
            &counts,
            t.get("overview.histogram"),
            t.get("overview.probability"),
        ),
        bands: ["high", "medium", "low"]
            .iter()
            .map(|b| {
                (
                    t.value("band", b).into_owned(),
                    number(bands.get(b).copied().unwrap_or(0) as f64),
                    *b,
                )
            })
            .collect(),
        value_chart: bars(&value_rows, t.get("overview.value_by_layer")),
        groups,
        movement_cols,
        movement,
        churn_backtest,
        ranker_backtest,
        fallbacks: card
            .fallbacks
            .iter()
            .map(|f| format!("{}: {} ({})", f.part, f.rule, f.reason))
            .collect(),
    })
}
