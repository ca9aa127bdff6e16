//! `POST /v1/campaigns` bodies: the request as sent and its checked form. Every problem names
//! the field (`audience.groups[1]`, `holdout_share`, ...).

use crate::domain::listing::{BANDS, STAGES};
use features::Day;
use features::campaign::{Channel, HoldoutShare};

/// Default share of the audience held out as control.
pub const DEFAULT_HOLDOUT_SHARE: f64 = 0.1;
/// Default measurement window after the send date, in days.
pub const DEFAULT_WINDOW_DAYS: u32 = 28;
/// Default relative uplift in conversion the control group should be able to detect.
pub const DEFAULT_EXPECTED_UPLIFT: f64 = 0.1;
/// Longest campaign name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// A campaign as requested.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignRequest {
    /// A name for people.
    pub name: String,
    /// Who is in the audience.
    #[serde(default)]
    pub audience: AudienceRequest,
    /// The offer type sent (`win_back`, `replenishment`, ...), or none.
    #[serde(default)]
    pub offer: Option<String>,
    /// `email`, `line`, `sms` or `push`.
    pub channel: String,
    /// Day of the send, `YYYY-MM-DD`.
    pub send_date: String,
    /// Days after the send the report counts orders in (default 28).
    #[serde(default)]
    pub window_days: Option<u32>,
    /// Share of the audience held out, in `[0, 0.5]` (default 0.1).
    #[serde(default)]
    pub holdout_share: Option<f64>,
    /// Relative uplift in conversion the marketer expects (default 0.1 = +10 %); the
    /// campaign warns when its control group is too small to detect it.
    #[serde(default)]
    pub expected_uplift: Option<f64>,
    /// Score the audience is ranked by, for uplift@k and Qini in the report:
    /// `churn_probability`, `value_at_risk` or `predicted_value`.
    #[serde(default)]
    pub rank_by: Option<String>,
}

/// The audience filter as requested: a member is in the audience when it passes every
/// non-empty list (one of the listed values) and both probability bounds.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct AudienceRequest {
    /// RFM group ids.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Lifecycle stages (`new`, `active`, `due`, `lapsing`, `lost`).
    #[serde(default)]
    pub lifecycle: Vec<String>,
    /// Tier ids.
    #[serde(default)]
    pub tiers: Vec<String>,
    /// Value bands (`high`, `medium`, `low`).
    #[serde(default)]
    pub value_bands: Vec<String>,
    /// Churn bands (`high`, `medium`, `low`).
    #[serde(default)]
    pub churn_bands: Vec<String>,
    /// Keep members whose churn probability is at least this.
    #[serde(default)]
    pub min_churn_probability: Option<f32>,
    /// Keep members whose churn probability is at most this.
    #[serde(default)]
    pub max_churn_probability: Option<f32>,
    /// Keep members whose offers include one of these types.
    #[serde(default)]
    pub offer_types: Vec<String>,
}

/// A score an audience can be ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RankBy {
    /// The churn probability.
    ChurnProbability,
    /// Churn probability times predicted value.
    ValueAtRisk,
    /// Predicted value over the value horizon.
    PredictedValue,
}

impl RankBy {
    /// Every score, in the order forms list them.
    pub const ALL: [RankBy; 3] = [
        RankBy::ChurnProbability,
        RankBy::ValueAtRisk,
        RankBy::PredictedValue,
    ];

    /// The name used in requests.
    pub fn as_str(self) -> &'static str {
        match self {
            RankBy::ChurnProbability => "churn_probability",
            RankBy::ValueAtRisk => "value_at_risk",
            RankBy::PredictedValue => "predicted_value",
        }
    }
}

/// What the checks know: the values the audience filter may name.
#[derive(Debug, Clone, Copy)]
pub struct Vocabulary<'a> {
    /// RFM group ids of the serving model.
    pub groups: &'a [String],
    /// Tier ids of the serving model.
    pub tiers: &'a [String],
    /// Offer types.
    pub offer_types: &'a [&'a str],
}

/// A checked campaign.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CampaignSpec {
    /// Name.
    pub name: String,
    /// The audience filter (values checked).
    pub audience: AudienceRequest,
    /// The offer type, if any.
    pub offer: Option<String>,
    /// The channel.
    pub channel: Channel,
    /// The send day.
    pub send_date: Day,
    /// Measurement window in days.
    pub window_days: u32,
    /// Held-out share.
    pub holdout_share: f64,
    /// Relative uplift the control must be able to detect.
    pub expected_uplift: f64,
    /// Ranking score, if any.
    pub rank_by: Option<RankBy>,
}

/// A request field that is not valid.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("`{field}`: {problem}")]
pub struct FieldError {
    /// The field, as a path (`audience.groups[1]`).
    pub field: String,
    /// What is wrong with it.
    pub problem: String,
}

fn field_error(field: impl Into<String>, problem: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        problem: problem.into(),
    }
}

impl CampaignRequest {
    /// Checks every field against `known`.
    pub fn check(self, known: &Vocabulary<'_>) -> Result<CampaignSpec, FieldError> {
        let name = self.name.trim().to_string();
        if name.is_empty() {
            return Err(field_error("name", "must not be empty"));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(field_error(
                "name",
                format!("must be at most {MAX_NAME_CHARS} characters"),
            ));
        }
        let channel = self
            .channel
            .parse::<Channel>()
            .map_err(|e| field_error("channel", e.to_string()))?;
        let send_date = features::time::parse_date(&self.send_date)
            .map(Day::from_date)
            .ok_or_else(|| {
                field_error(
                    "send_date",
                    format!("`{}` is not a date (YYYY-MM-DD)", self.send_date),
                )
            })?;
        let window_days = self.window_days.unwrap_or(DEFAULT_WINDOW_DAYS);
        if !(1..=365).contains(&window_days) {
            return Err(field_error(
                "window_days",
                format!("{window_days} must be between 1 and 365"),
            ));
        }
        let share = self.holdout_share.unwrap_or(DEFAULT_HOLDOUT_SHARE);
        HoldoutShare::new(share).map_err(|_| {
            field_error(
                "holdout_share",
                format!("{share} must be between 0 and 0.5"),
            )
        })?;
        let expected_uplift = self.expected_uplift.unwrap_or(DEFAULT_EXPECTED_UPLIFT);
        if !(expected_uplift.is_finite() && expected_uplift > 0.0 && expected_uplift <= 10.0) {
            return Err(field_error(
                "expected_uplift",
                format!("{expected_uplift} must be a relative uplift in (0, 10]"),
            ));
        }
        let rank_by = match self.rank_by.as_deref() {
            None => None,
            Some(r) => Some(
                RankBy::ALL
                    .into_iter()
                    .find(|k| k.as_str() == r)
                    .ok_or_else(|| {
                        field_error(
                            "rank_by",
                            format!(
                                "`{r}` is not one of churn_probability, value_at_risk, predicted_value"
                            ),
                        )
                    })?,
            ),
        };
        if let Some(o) = self
            .offer
            .as_ref()
            .filter(|o| !known.offer_types.contains(&o.as_str()))
        {
            return Err(field_error(
                "offer",
                format!("`{o}` is not one of {}", known.offer_types.join(", ")),
            ));
        }
        check_audience(&self.audience, known)?;
        Ok(CampaignSpec {
            name,
            audience: self.audience,
            offer: self.offer,
            channel,
            send_date,
            window_days,
            holdout_share: share,
            expected_uplift,
            rank_by,
        })
    }
}

fn check_audience(a: &AudienceRequest, known: &Vocabulary<'_>) -> Result<(), FieldError> {
    let groups: Vec<&str> = known.groups.iter().map(String::as_str).collect();
    let tiers: Vec<&str> = known.tiers.iter().map(String::as_str).collect();
    for (name, values, allowed) in [
        ("groups", &a.groups, &groups[..]),
        ("lifecycle", &a.lifecycle, &STAGES[..]),
        ("tiers", &a.tiers, &tiers[..]),
        ("value_bands", &a.value_bands, &BANDS[..]),
        ("churn_bands", &a.churn_bands, &BANDS[..]),
        ("offer_types", &a.offer_types, known.offer_types),
    ] {
        for (i, v) in values.iter().enumerate() {
            if !allowed.contains(&v.as_str()) {
                let expected = if allowed.is_empty() {
                    "none is known to the serving model".to_string()
                } else {
                    format!("expected one of {}", allowed.join(", "))
                };
                return Err(field_error(
                    format!("audience.{name}[{i}]"),
                    format!("unknown value `{v}`; {expected}"),
                ));
            }
        }
    }
    for (name, p) in [
        ("min_churn_probability", a.min_churn_probability),
        ("max_churn_probability", a.max_churn_probability),
    ] {
        if let Some(p) = p.filter(|p| !(0.0..=1.0).contains(p)) {
            return Err(field_error(
                format!("audience.{name}"),
                format!("{p} must be between 0 and 1"),
            ));
        }
    }
    if let (Some(lo), Some(hi)) = (a.min_churn_probability, a.max_churn_probability)
        && lo > hi
    {
        return Err(field_error(
            "audience.min_churn_probability",
            format!("{lo} is above max_churn_probability {hi}"),
        ));
    }
    Ok(())
}
