//! `GET /v1/members/{id}`, `/churn` and `/recommendations`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use features::Kind;
use features::recommend::{EXCLUDE_RECENT_DAYS_RANGE, MAX_PER_CATEGORY_RANGE};

use crate::domain::{RecommendOptions, Recommendations};
use crate::http::types::{ChurnFields, ChurnResponse, PortraitResponse};
use crate::http::{ApiError, AppState};

/// Query of the recommendations endpoint.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecQuery {
    k: Option<usize>,
    kind: Option<String>,
    exclude_recent_days: Option<u32>,
    max_per_category: Option<usize>,
}

/// `GET /v1/members/{id}/recommendations?k=10&kind=item|category&exclude_recent_days=N&max_per_category=N`.
pub async fn recommendations_get(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: Result<Query<RecQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Recommendations>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let k = q.k.unwrap_or(10);
    if !(1..=50).contains(&k) {
        return Err(ApiError::bad_request("k must be between 1 and 50"));
    }
    let kind = match q.kind.as_deref() {
        None | Some("item") => Kind::Item,
        Some("category") => Kind::Category,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "kind {other:?} is not item or category"
            )));
        }
    };
    let options = storefront_options(q.exclude_recent_days, q.max_per_category, kind)?;
    Ok(Json(state.engine.recommendations(&id, kind, k, options)))
}

/// Checks the storefront options of a list of `kind`.
fn storefront_options(
    exclude_recent_days: Option<u32>,
    max_per_category: Option<usize>,
    kind: Kind,
) -> Result<RecommendOptions, ApiError> {
    let days = EXCLUDE_RECENT_DAYS_RANGE;
    if let Some(n) = exclude_recent_days
        && !days.contains(&n)
    {
        return Err(ApiError::bad_request(format!(
            "exclude_recent_days must be between {} and {}",
            days.start(),
            days.end()
        )));
    }
    if let Some(n) = max_per_category {
        if kind != Kind::Item {
            return Err(ApiError::bad_request(
                "max_per_category applies to kind=item only",
            ));
        }
        let cap = MAX_PER_CATEGORY_RANGE;
        if !cap.contains(&n) {
            return Err(ApiError::bad_request(format!(
                "max_per_category must be between {} and {}",
                cap.start(),
                cap.end()
            )));
        }
    }
    Ok(RecommendOptions {
        exclude_recent_days,
        max_per_category,
    })
}

/// Query of the offers endpoint: the storefront options of the suggested items.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OffersQuery {
    exclude_recent_days: Option<u32>,
    max_per_category: Option<usize>,
}

/// `GET /v1/members/{id}/offers?exclude_recent_days=N&max_per_category=N`: the member's
/// offers, best first (the first is the next best offer); 404 for an unknown member.
pub async fn offers_get(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: Result<Query<OffersQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let options = storefront_options(q.exclude_recent_days, q.max_per_category, Kind::Item)?;
    let (offers, models) = state.engine.offers(&id, options);
    let offers = offers.ok_or_else(|| ApiError::not_found(format!("no member {id:?}")))?;
    Ok(Json(serde_json::json!({
        "member_id": id,
        "offers": offers,
        "model_version": models.version,
    }))
    .into_response())
}

/// `GET /v1/members/{id}/churn`.
pub async fn churn_get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let lookup = state.engine.member(&id);
    let answer = lookup
        .answer
        .ok_or_else(|| ApiError::not_found(format!("unknown member {id:?}")))?;
    let churn = answer
        .churn
        .as_ref()
        .ok_or_else(|| ApiError::not_found(format!("member {id:?} has no purchase history")))?;
    Ok(Json(ChurnResponse {
        member_id: &id,
        churn: churn.into(),
        as_of: answer.as_of,
        horizon_days: lookup.version.churn.horizon_days,
        model_version: &lookup.version.version,
        fallback: lookup.version.fallback("churn"),
    })
    .into_response())
}

/// `GET /v1/members/{id}`: the member portrait.
pub async fn portrait_get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let lookup = state.engine.member(&id);
    let a = lookup
        .answer
        .ok_or_else(|| ApiError::not_found(format!("unknown member {id:?}")))?;
    let favourites =
        state
            .engine
            .recommendations(&id, Kind::Category, 3, RecommendOptions::default());
    let favourite_categories: Vec<&str> = favourites
        .items
        .iter()
        .zip(a.own_categories.iter())
        .map(|(r, _)| r.id.as_str())
        .collect();
    let next = state.engine.recommendations(
        &id,
        Kind::Category,
        3,
        RecommendOptions {
            exclude_recent_days: Some(7),
            ..RecommendOptions::default()
        },
    );
    let p = &a.portrait;
    Ok(Json(PortraitResponse {
        member_id: &id,
        as_of: a.as_of,
        purchase_days: p.purchase_days,
        order_lines: p.order_lines,
        total_spend: p.total_spend,
        first_purchase: p.first_purchase,
        last_purchase: p.last_purchase,
        favourite_categories,
        churn: a.churn.as_ref().map(ChurnFields::from),
        top_next_categories: &next.items,
        attributes: state.engine.attributes(&id),
        segment: a.segment.as_ref(),
        model_version: &lookup.version.version,
    })
    .into_response())
}
