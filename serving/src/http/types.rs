//! The typed bodies of the JSON API: what each handler answers, as serde types (the shapes
//! `openapi.json` documents).

use features::churn::Reason;
use features::{Day, MemberAttributes};
use serde::Serialize;

use crate::domain::{ChurnAnswer, Recommendation};

/// A churn answer's fields, as the churn endpoint, the portrait and the churn list give them.
#[derive(Debug, Clone, Serialize)]
pub struct ChurnFields {
    /// Probability of no purchase within the horizon.
    pub churn_probability: f32,
    /// `high`, `medium` or `low`.
    pub risk_band: &'static str,
    /// Expected purchase days within the horizon (BG/NBD).
    pub expected_purchases: f32,
    /// Days since the last purchase, as of the answer's day.
    pub days_since_last_purchase: f32,
    /// The largest risk-raising terms, as text in English.
    pub reasons: Vec<String>,
    /// The same reasons in Traditional Chinese.
    pub reasons_zh_tw: Vec<String>,
}

impl From<&ChurnAnswer> for ChurnFields {
    fn from(c: &ChurnAnswer) -> Self {
        ChurnFields {
            churn_probability: c.probability,
            risk_band: c.band,
            expected_purchases: c.expected_purchases,
            days_since_last_purchase: c.days_since_last_purchase,
            reasons: c.reasons.iter().map(Reason::en).collect(),
            reasons_zh_tw: c.reasons.iter().map(Reason::zh_tw).collect(),
        }
    }
}

/// `GET /v1/members/{id}/churn`.
#[derive(Debug, Clone, Serialize)]
pub struct ChurnResponse<'a> {
    /// The member.
    pub member_id: &'a str,
    /// The churn answer.
    #[serde(flatten)]
    pub churn: ChurnFields,
    /// The day the answer is computed as of.
    pub as_of: Day,
    /// The horizon in days.
    pub horizon_days: u32,
    /// The model version.
    pub model_version: &'a str,
    /// Why the churn model is a fallback (`"<rule>: <reason>"`), when it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
}

/// `GET /v1/members/{id}`: the member portrait.
#[derive(Debug, Clone, Serialize)]
pub struct PortraitResponse<'a> {
    /// The member.
    pub member_id: &'a str,
    /// The day the answer is computed as of.
    pub as_of: Day,
    /// Days with a purchase.
    pub purchase_days: u32,
    /// Order lines.
    pub order_lines: u32,
    /// Net spend.
    pub total_spend: f64,
    /// Day of the first purchase.
    pub first_purchase: Option<Day>,
    /// Day of the last purchase.
    pub last_purchase: Option<Day>,
    /// The member's most bought categories.
    pub favourite_categories: Vec<&'a str>,
    /// The churn answer, when the member has history.
    pub churn: Option<ChurnFields>,
    /// The next categories (bought in the last 7 days left out).
    pub top_next_categories: &'a [Recommendation],
    /// The members-table row, when known.
    pub attributes: Option<MemberAttributes>,
    /// Layer (and the layer H days before the model's as-of), lifecycle, tier and value.
    pub segment: Option<&'a features::segments::SegmentAnswer>,
    /// The model version.
    pub model_version: &'a str,
}

/// One row of the churn list.
#[derive(Debug, Clone, Serialize)]
pub struct ChurnListRow<'a> {
    /// The member.
    pub member_id: &'a str,
    /// The churn answer.
    #[serde(flatten)]
    pub churn: ChurnFields,
    /// Churn probability times predicted value (when the model has a value part).
    pub value_at_risk: Option<f64>,
    /// The member's layer, lifecycle, tier and value.
    pub segment: Option<&'a features::segments::SegmentAnswer>,
}

/// `GET /v1/churn-risk` (JSON).
#[derive(Debug, Clone, Serialize)]
pub struct ChurnListResponse<'a> {
    /// Highest risk first.
    pub members: Vec<ChurnListRow<'a>>,
    /// The cursor of the next page, `null` on the last.
    pub next_cursor: Option<String>,
    /// The model version.
    pub model_version: &'a str,
}

/// `POST /v1/admin/reload`.
#[derive(Debug, Clone, Serialize)]
pub struct ReloadResponse {
    /// The version now serving.
    pub model_version: String,
    /// The version that served before.
    pub previous_version: String,
}
