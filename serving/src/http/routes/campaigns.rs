//! `POST /v1/campaigns`, `GET /v1/campaigns[/{id}]`, the frozen audience as streamed CSV
//! (`/members`) and the uplift report (`/report`, JSON or CSV).

use std::convert::Infallible;
use std::sync::Arc;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::campaigns::Campaign;
use crate::domain::campaign::{
    Assignment, AudienceMember, CampaignRequest, FieldError, report_csv,
};
use crate::http::{ApiError, AppState};
use crate::operations::{CreateError, campaign_report, create_campaign};

/// Rows per streamed chunk of the member export.
const CHUNK_ROWS: usize = 2048;

/// A campaign without its member list.
#[derive(Debug, serde::Serialize)]
pub struct CampaignSummary<'a> {
    /// Id.
    pub id: &'a str,
    /// What was asked for.
    #[serde(flatten)]
    pub spec: &'a crate::domain::campaign::CampaignSpec,
    /// When it was created (seconds since 1970, UTC).
    pub created_at: i64,
    /// The model version that froze the audience.
    pub model_version: &'a str,
    /// Counts.
    pub counts: &'a crate::domain::campaign::AudienceCounts,
    /// What the control group can detect.
    pub power: Option<&'a crate::domain::campaign::PowerNote>,
    /// Warnings.
    pub warnings: &'a [String],
    /// Where the treated members are exported.
    pub members_url: String,
    /// Where the report is.
    pub report_url: String,
}

impl<'a> From<&'a Campaign> for CampaignSummary<'a> {
    fn from(c: &'a Campaign) -> CampaignSummary<'a> {
        CampaignSummary {
            id: &c.id,
            spec: &c.spec,
            created_at: c.created_at,
            model_version: &c.model_version,
            counts: &c.counts,
            power: c.power.as_ref(),
            warnings: &c.warnings,
            members_url: format!("/v1/campaigns/{}/members", c.id),
            report_url: format!("/v1/campaigns/{}/report", c.id),
        }
    }
}

fn invalid(e: FieldError) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_field", e.to_string())
}

/// Creates a campaign from a JSON body; 201 with the summary.
pub async fn campaigns_post(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|e| ApiError::new(e.status(), "bad_request", e.body_text()))?;
    let request: CampaignRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_field", e.to_string()))?;
    let created = tokio::task::spawn_blocking(move || {
        create_campaign(&state.engine, &state.campaigns, request)
    })
    .await
    .map_err(|e| ApiError::internal(&e))?
    .map_err(|e| match e {
        CreateError::Invalid(e) => invalid(e),
        CreateError::Store(e) => ApiError::from(e),
    })?;
    Ok((StatusCode::CREATED, Json(CampaignSummary::from(&*created))).into_response())
}

/// Every campaign, oldest first, without member lists.
pub async fn campaigns_get(State(state): State<AppState>) -> Response {
    let all = state.campaigns.list();
    let summaries: Vec<CampaignSummary<'_>> = all.iter().map(|c| (&**c).into()).collect();
    Json(serde_json::json!({ "campaigns": summaries })).into_response()
}

fn find(state: &AppState, id: &str) -> Result<Arc<Campaign>, ApiError> {
    state
        .campaigns
        .get(id)
        .ok_or_else(|| ApiError::not_found(format!("no campaign {id:?}")))
}

/// One campaign's summary.
pub async fn campaign_get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let c = find(&state, &id)?;
    Ok(Json(CampaignSummary::from(&*c)).into_response())
}

/// Query of the member export.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MembersQuery {
    /// `treated` (default: who to send to), `control`, `skipped` or `all`.
    arm: Option<String>,
    /// `csv` (default, streamed) or `parquet`.
    format: Option<String>,
}

/// The frozen audience as streamed CSV: `member_id,assignment,bucket,group,churn_probability,
/// score,skipped_reason`, by member id.
pub async fn campaign_members_get(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: Result<Query<MembersQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let keep: Option<Assignment> = match q.arm.as_deref() {
        None | Some("treated") => Some(Assignment::Treated),
        Some("control") => Some(Assignment::Control),
        Some("skipped") => Some(Assignment::Skipped),
        Some("all") => None,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "arm {other:?} is not one of treated, control, skipped, all"
            )));
        }
    };
    let c = find(&state, &id)?;
    match q.format.as_deref() {
        None | Some("csv") => {}
        Some("parquet") => {
            let offer = c.spec.offer.clone().unwrap_or_default();
            let bytes = tokio::task::spawn_blocking(move || {
                parquet_of(&c.members, keep, &offer, c.spec.channel.as_str())
            })
            .await
            .map_err(|e| ApiError::internal(&e))?
            .map_err(|e| ApiError::internal(&e))?;
            let headers = [(header::CONTENT_TYPE, "application/vnd.apache.parquet")];
            return Ok((headers, bytes).into_response());
        }
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "format {other:?} is not csv or parquet"
            )));
        }
    }
    Ok(members_csv(c, keep))
}

/// The members of `c` in arm `keep` (every arm when `None`) as streamed CSV, by member id.
pub fn members_csv(c: Arc<Campaign>, keep: Option<Assignment>) -> Response {
    let offer = c.spec.offer.clone().unwrap_or_default();
    let n = c.members.len();
    let chunks = (0..n.div_ceil(CHUNK_ROWS)).map(move |i| {
        let rows = &c.members[i * CHUNK_ROWS..((i + 1) * CHUNK_ROWS).min(n)];
        Ok::<_, Infallible>(csv_chunk(rows, keep, &offer, c.spec.channel.as_str()))
    });
    let header_row =
        "member_id,arm,bucket,group,churn_probability,score,offer,channel,skipped_reason\n";
    let stream = futures_util::stream::iter(
        std::iter::once(Ok(header_row.as_bytes().to_vec())).chain(chunks),
    );
    let headers = [(header::CONTENT_TYPE, "text/csv; charset=utf-8")];
    (headers, Body::from_stream(stream)).into_response()
}

fn csv_chunk(
    rows: &[AudienceMember],
    keep: Option<Assignment>,
    offer: &str,
    channel: &str,
) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for m in rows
        .iter()
        .filter(|m| keep.is_none_or(|k| m.assignment == k))
    {
        let _ = w.write_record([
            m.member_id.as_str(),
            m.assignment.as_str(),
            &m.bucket.to_string(),
            m.group.as_deref().unwrap_or(""),
            &opt(m.churn_probability.map(f64::from)),
            &opt(m.score),
            offer,
            channel,
            m.skipped.as_deref().unwrap_or(""),
        ]);
    }
    w.into_inner().unwrap_or_default()
}

/// The members of `keep` (every arm when `None`) as one Parquet file with the CSV's columns.
fn parquet_of(
    rows: &[AudienceMember],
    keep: Option<Assignment>,
    offer: &str,
    channel: &str,
) -> Result<Vec<u8>, parquet::errors::ParquetError> {
    use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt32Array};
    let kept: Vec<&AudienceMember> = rows
        .iter()
        .filter(|m| keep.is_none_or(|k| m.assignment == k))
        .collect();
    let text = |f: fn(&AudienceMember) -> Option<&str>| -> ArrayRef {
        Arc::new(StringArray::from(
            kept.iter().map(|m| f(m)).collect::<Vec<_>>(),
        ))
    };
    let number = |f: fn(&AudienceMember) -> Option<f64>| -> ArrayRef {
        Arc::new(Float64Array::from(
            kept.iter().map(|m| f(m)).collect::<Vec<_>>(),
        ))
    };
    let constant =
        |v: &str| -> ArrayRef { Arc::new(StringArray::from_iter_values(kept.iter().map(|_| v))) };
    let batch = RecordBatch::try_from_iter([
        ("member_id", text(|m| Some(&m.member_id))),
        ("arm", text(|m| Some(m.assignment.as_str()))),
        (
            "bucket",
            Arc::new(UInt32Array::from_iter_values(kept.iter().map(|m| m.bucket))) as ArrayRef,
        ),
        ("group", text(|m| m.group.as_deref())),
        (
            "churn_probability",
            number(|m| m.churn_probability.map(f64::from)),
        ),
        ("score", number(|m| m.score)),
        ("offer", constant(offer)),
        ("channel", constant(channel)),
        ("skipped_reason", text(|m| m.skipped.as_deref())),
    ])?;
    let mut out = Vec::new();
    let mut w = parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), None)?;
    w.write(&batch)?;
    w.close()?;
    Ok(out)
}

/// Query of the report.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// `json` (default) or `csv`.
    format: Option<String>,
}

/// The uplift report from the orders in the campaign's window; CSV with `format=csv` or
/// `Accept: text/csv`.
pub async fn campaign_report_get(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    query: Result<Query<ReportQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let csv = match q.format.as_deref() {
        Some("csv") => true,
        Some("json") => false,
        None => headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/csv")),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "format {other:?} is not json or csv"
            )));
        }
    };
    let c = find(&state, &id)?;
    let engine = Arc::clone(&state.engine);
    let r = tokio::task::spawn_blocking(move || campaign_report(&engine, &c))
        .await
        .map_err(|e| ApiError::internal(&e))?;
    if csv {
        let headers = [(header::CONTENT_TYPE, "text/csv; charset=utf-8")];
        return Ok((headers, report_csv(&r)).into_response());
    }
    Ok(Json(r).into_response())
}
