//! Parquet copies of the batch outputs.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float32Array, RecordBatch, StringArray};

use features::churn::joined_en;

use super::MemberScore;

pub(super) fn scores_batch(scores: &[MemberScore]) -> std::io::Result<RecordBatch> {
    let col_str = |f: fn(&MemberScore) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(scores.iter().map(f)))
    };
    let col_f32 = |f: fn(&MemberScore) -> f32| -> ArrayRef {
        Arc::new(Float32Array::from_iter_values(scores.iter().map(f)))
    };
    RecordBatch::try_from_iter([
        ("member_id", col_str(|s| &s.member_id)),
        ("churn_probability", col_f32(|s| s.churn_probability)),
        ("risk_band", col_str(|s| s.risk_band)),
        ("expected_purchases", col_f32(|s| s.expected_purchases)),
        (
            "days_since_last_purchase",
            col_f32(|s| s.days_since_last_purchase),
        ),
        (
            "reasons",
            Arc::new(StringArray::from_iter_values(
                scores.iter().map(|s| joined_en(&s.reasons)),
            )) as ArrayRef,
        ),
    ])
    .map_err(std::io::Error::other)
}

pub(super) fn recommendations_batch(
    rows: &[super::outputs::RecommendationRow],
) -> std::io::Result<RecordBatch> {
    RecordBatch::try_from_iter([
        (
            "member_id",
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|r| &r.member_id),
            )) as ArrayRef,
        ),
        (
            "kind",
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.kind))),
        ),
        (
            "rank",
            Arc::new(arrow_array::UInt32Array::from_iter_values(
                rows.iter().map(|r| r.rank),
            )),
        ),
        (
            "id",
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| &r.id))),
        ),
        (
            "score",
            Arc::new(Float32Array::from_iter_values(rows.iter().map(|r| r.score))),
        ),
    ])
    .map_err(std::io::Error::other)
}

pub(super) fn offers_batch(rows: &[super::offers::OfferRow]) -> std::io::Result<RecordBatch> {
    use super::offers::OfferRow;
    let text = |f: fn(&OfferRow) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(rows.iter().map(f)))
    };
    RecordBatch::try_from_iter([
        ("member_id", text(|r| &r.member_id)),
        (
            "rank",
            Arc::new(arrow_array::UInt32Array::from_iter_values(
                rows.iter().map(|r| r.rank),
            )) as ArrayRef,
        ),
        ("type", text(|r| r.kind)),
        (
            "priority",
            Arc::new(arrow_array::UInt32Array::from_iter_values(
                rows.iter().map(|r| r.priority),
            )) as ArrayRef,
        ),
        ("category", text(|r| &r.category)),
        ("item", text(|r| &r.item)),
        ("suggested_items", text(|r| &r.suggested_items)),
        ("incentive", text(|r| r.incentive)),
        ("reason_en", text(|r| &r.reason_en)),
        ("reason_zh_tw", text(|r| &r.reason_zh_tw)),
        (
            "valid_until",
            Arc::new(StringArray::from(
                rows.iter()
                    .map(|r| r.valid_until.map(|d| d.to_string()))
                    .collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
    ])
    .map_err(std::io::Error::other)
}

pub(super) fn segments_batch(rows: &[super::segments::SegmentRow]) -> std::io::Result<RecordBatch> {
    use super::segments::SegmentRow;
    let text = |f: fn(&SegmentRow) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(rows.iter().map(f)))
    };
    let number = |f: fn(&SegmentRow) -> Option<f64>| -> ArrayRef {
        Arc::new(arrow_array::Float64Array::from(
            rows.iter().map(f).collect::<Vec<_>>(),
        ))
    };
    let day = |f: fn(&SegmentRow) -> Option<features::Day>| -> ArrayRef {
        Arc::new(StringArray::from(
            rows.iter()
                .map(|r| f(r).map(|d| d.to_string()))
                .collect::<Vec<_>>(),
        ))
    };
    RecordBatch::try_from_iter([
        ("member_id", text(|r| &r.member_id)),
        ("rfm_group", text(|r| &r.rfm_group)),
        ("previous_rfm_group", text(|r| &r.previous_rfm_group)),
        ("lifecycle", text(|r| &r.lifecycle)),
        ("rfm_score", text(|r| &r.rfm_score)),
        ("tier", text(|r| &r.tier)),
        ("spend_to_next_tier", number(|r| r.spend_to_next_tier)),
        ("tier_expiry", day(|r| r.tier_expiry)),
        ("predicted_spend_h", number(|r| r.predicted_spend_h)),
        ("predicted_value", number(|r| r.predicted_value)),
        ("expected_next_order", day(|r| r.expected_next_order)),
        (
            "churn_probability",
            Arc::new(Float32Array::from_iter_values(
                rows.iter().map(|r| r.churn_probability),
            )) as ArrayRef,
        ),
        ("value_band", text(|r| &r.value_band)),
        ("tier_keep_probability", number(|r| r.tier_keep_probability)),
    ])
    .map_err(std::io::Error::other)
}
