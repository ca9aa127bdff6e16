//! Parquet copies of the batch outputs.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float32Array, RecordBatch, StringArray};
use parquet::arrow::ArrowWriter;

use super::MemberScore;

pub(super) fn write_scores_parquet(
    w: impl std::io::Write + Send,
    scores: &[MemberScore],
) -> std::io::Result<()> {
    let col_str = |f: fn(&MemberScore) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(scores.iter().map(f)))
    };
    let col_f32 = |f: fn(&MemberScore) -> f32| -> ArrayRef {
        Arc::new(Float32Array::from_iter_values(scores.iter().map(f)))
    };
    let batch = RecordBatch::try_from_iter([
        ("member_id", col_str(|s| &s.member_id)),
        ("churn_probability", col_f32(|s| s.churn_probability)),
        ("risk_band", col_str(|s| s.risk_band)),
        ("expected_purchases", col_f32(|s| s.expected_purchases)),
        (
            "days_since_last_purchase",
            col_f32(|s| s.days_since_last_purchase),
        ),
        ("reasons", col_str(|s| &s.reasons)),
    ])
    .map_err(std::io::Error::other)?;
    write_batch(w, &batch)
}

pub(super) fn write_recommendations_parquet(
    w: impl std::io::Write + Send,
    rows: &[super::outputs::RecommendationRow],
) -> std::io::Result<()> {
    let batch = RecordBatch::try_from_iter([
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
    .map_err(std::io::Error::other)?;
    write_batch(w, &batch)
}

/// Writes one record batch as a whole Parquet file.
fn write_batch(w: impl std::io::Write + Send, batch: &RecordBatch) -> std::io::Result<()> {
    let mut writer =
        ArrowWriter::try_new(w, batch.schema(), None).map_err(std::io::Error::other)?;
    writer.write(batch).map_err(std::io::Error::other)?;
    writer.close().map_err(std::io::Error::other)?;
    Ok(())
}
