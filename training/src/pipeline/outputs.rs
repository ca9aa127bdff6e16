//! Writing the run's files: each is written to a temporary file in the same folder and renamed
//! into place, so a reader never sees half a file.

use std::io::Write;
use std::path::Path;

use features::{OrderBook, Snapshot, spec};

use crate::{Error, Result};

/// Writes `member_id` and every feature of the snapshot, one row per member, as CSV.
pub fn write_features_csv(path: &Path, book: &OrderBook, snapshot: &Snapshot) -> Result<()> {
    write_atomic(path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        let header = std::iter::once("member_id").chain(spec::names());
        csv.write_record(header)?;
        let mut record = Vec::with_capacity(spec::LEN + 1);
        for (i, &m) in snapshot.members.iter().enumerate() {
            record.clear();
            record.push(book.members().name(m).to_string());
            record.extend(snapshot.row(i).iter().map(|v| v.to_string()));
            csv.write_record(&record)?;
        }
        csv.flush()?;
        Ok::<(), csv::Error>(())
    })
}

/// Writes `value` as pretty JSON.
pub fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<()> {
    write_atomic(path, |w| {
        serde_json::to_writer_pretty(&mut *w, value).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    })
}

fn write_atomic<E: Into<std::io::Error>>(
    path: &Path,
    f: impl FnOnce(&mut std::io::BufWriter<&std::fs::File>) -> std::result::Result<(), E>,
) -> Result<()> {
    let io_err = |source: std::io::Error| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(io_err)?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file());
        f(&mut w).map_err(|e| io_err(e.into()))?;
        w.flush().map_err(io_err)?;
    }
    let readable = <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o644);
    tmp.as_file().set_permissions(readable).map_err(io_err)?;
    tmp.as_file().sync_all().map_err(io_err)?;
    tmp.persist(path).map_err(|e| io_err(e.error))?;
    Ok(())
}

/// Writes `rows` atomically as CSV (one serialised row each, with a header) and as Parquet
/// (by `parquet`).
fn write_rows<T: serde::Serialize>(
    csv_path: &Path,
    parquet_path: &Path,
    rows: &[T],
    parquet: impl FnOnce(&mut std::io::BufWriter<&std::fs::File>, &[T]) -> std::io::Result<()>,
) -> Result<()> {
    write_atomic(csv_path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        for r in rows {
            csv.serialize(r)?;
        }
        csv.flush()?;
        Ok::<(), csv::Error>(())
    })?;
    write_atomic(parquet_path, |w| parquet(w, rows))
}

/// Writes the churn scores as CSV and Parquet (same columns: `member_id, churn_probability,
/// risk_band, expected_purchases, days_since_last_purchase, reasons`).
pub fn write_scores(
    csv_path: &Path,
    parquet_path: &Path,
    scores: &[crate::pipeline::MemberScore],
) -> Result<()> {
    write_rows(csv_path, parquet_path, scores, |w, rows| {
        super::parquet_out::write_scores_parquet(w, rows)
    })
}

/// Writes `segments.csv` and `segments.parquet` atomically.
pub fn write_segments(
    csv_path: &Path,
    parquet_path: &Path,
    rows: &[super::segments::SegmentRow],
) -> Result<()> {
    write_rows(csv_path, parquet_path, rows, |w, rows| {
        super::parquet_out::write_segments_parquet(w, rows)
    })
}

/// Writes the offers as CSV and Parquet (same columns).
pub fn write_offers(
    csv_path: &Path,
    parquet_path: &Path,
    rows: &[super::offers::OfferRow],
) -> Result<()> {
    write_rows(csv_path, parquet_path, rows, |w, rows| {
        super::parquet_out::write_offers_parquet(w, rows)
    })
}

/// One line of `recommendations.csv`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RecommendationRow {
    /// Member id as in the input.
    pub member_id: String,
    /// `category` or `item`.
    pub kind: &'static str,
    /// 1 for the best.
    pub rank: u32,
    /// Category or item id as in the input.
    pub id: String,
    /// The ranker's probability that the member buys it in the horizon.
    pub score: f32,
}

/// The rows of `recommendations.csv`: per member (in member order), categories then items,
/// each by rank.
pub fn recommendation_rows(
    book: &OrderBook,
    outputs: &[super::recommend::KindOutput],
) -> Vec<RecommendationRow> {
    let Some(first) = outputs.first() else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for (i, &m) in first.published().members.iter().enumerate() {
        for out in outputs {
            let (kind, names) = match out.kind {
                features::Kind::Category => ("category", book.categories()),
                features::Kind::Item => ("item", book.items()),
            };
            for (rank, r) in out.published().lists[i].iter().enumerate() {
                rows.push(RecommendationRow {
                    member_id: book.members().name(m).to_string(),
                    kind,
                    rank: rank as u32 + 1,
                    id: names.name(r.id).to_string(),
                    score: r.score,
                });
            }
        }
    }
    rows
}

/// Writes the recommendations as CSV and Parquet (`member_id, kind, rank, id, score`).
pub fn write_recommendations(
    csv_path: &Path,
    parquet_path: &Path,
    rows: &[RecommendationRow],
) -> Result<()> {
    write_rows(csv_path, parquet_path, rows, |w, rows| {
        super::parquet_out::write_recommendations_parquet(w, rows)
    })
}
