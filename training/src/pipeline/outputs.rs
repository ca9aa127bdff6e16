//! Writing the run's files: each is written to a temporary file in the same folder and renamed
//! into place, so a reader never sees half a file.

use std::io::Write;
use std::path::Path;

use features::{OrderBook, Snapshot, spec};
use parquet::arrow::ArrowWriter;

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
    let file = AtomicFile::create(path)?;
    {
        let mut w = std::io::BufWriter::new(file.tmp.as_file());
        f(&mut w).map_err(|e| file.error(e.into()))?;
        w.flush().map_err(|e| file.error(e))?;
    }
    file.commit()
}

/// A file written under a temporary name in its folder and renamed into place by
/// [`AtomicFile::commit`] (dropped uncommitted, the temporary file is removed).
struct AtomicFile {
    path: std::path::PathBuf,
    tmp: tempfile::NamedTempFile,
}

impl AtomicFile {
    fn create(path: &Path) -> Result<Self> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            tmp,
        })
    }

    fn error(&self, source: std::io::Error) -> Error {
        Error::Io {
            path: self.path.clone(),
            source,
        }
    }

    fn commit(self) -> Result<()> {
        persist(self.tmp, &self.path)
    }
}

/// Makes a fully written temporary file readable (0644), syncs it and renames it to `path`
/// (in the same file system).
pub(super) fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    let io_err = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let readable = <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o644);
    let file = tmp.as_file();
    file.set_permissions(readable)
        .and_then(|()| file.sync_all())
        .map_err(io_err)?;
    tmp.persist(path).map_err(|e| io_err(e.error))?;
    Ok(())
}

/// Rows per Parquet record batch and per chunk of rows held at once while writing, so that
/// writing a file never holds more than this many rows beside what the run already has.
pub(super) const BATCH_ROWS: usize = 65_536;

/// Writes rows given in chunks as CSV (one serialised row each, with a header) and as Parquet
/// (one record batch per chunk, made by `batch`), both atomically and in one pass: only one
/// chunk is in memory at a time.
fn write_row_chunks<T: serde::Serialize, C: AsRef<[T]>>(
    csv_path: &Path,
    parquet_path: &Path,
    chunks: impl IntoIterator<Item = C>,
    batch: impl Fn(&[T]) -> std::io::Result<arrow_array::RecordBatch>,
) -> Result<()> {
    let csv_file = AtomicFile::create(csv_path)?;
    let parquet_file = AtomicFile::create(parquet_path)?;
    let parquet_error =
        |e: parquet::errors::ParquetError| parquet_file.error(std::io::Error::other(e));
    // Every column nullable: a chunk's batch marks a column nullable only when it has a null,
    // and the file's one schema must take every chunk.
    let schema = {
        let empty = batch(&[]).map_err(|e| parquet_file.error(e))?;
        let fields: Vec<arrow_schema::Field> = empty
            .schema()
            .fields()
            .iter()
            .map(|f| f.as_ref().clone().with_nullable(true))
            .collect();
        std::sync::Arc::new(arrow_schema::Schema::new(fields))
    };
    let mut csv = csv::Writer::from_writer(std::io::BufWriter::new(csv_file.tmp.as_file()));
    let sink = std::io::BufWriter::new(parquet_file.tmp.as_file());
    let mut parquet = ArrowWriter::try_new(sink, schema.clone(), None).map_err(parquet_error)?;
    for chunk in chunks {
        let chunk = chunk.as_ref();
        for r in chunk {
            csv.serialize(r)
                .map_err(|e| csv_file.error(std::io::Error::from(e)))?;
        }
        if chunk.is_empty() {
            continue;
        }
        let b = batch(chunk).map_err(|e| parquet_file.error(e))?;
        let b = arrow_array::RecordBatch::try_new(schema.clone(), b.columns().to_vec())
            .map_err(|e| parquet_file.error(std::io::Error::other(e)))?;
        parquet.write(&b).map_err(parquet_error)?;
    }
    let mut sink = parquet.into_inner().map_err(parquet_error)?;
    sink.flush().map_err(|e| parquet_file.error(e))?;
    drop(sink);
    csv.flush().map_err(|e| csv_file.error(e))?;
    drop(csv);
    csv_file.commit()?;
    parquet_file.commit()
}

/// [`write_row_chunks`] over rows already in memory, [`BATCH_ROWS`] at a time.
fn write_rows<T: serde::Serialize>(
    csv_path: &Path,
    parquet_path: &Path,
    rows: &[T],
    batch: impl Fn(&[T]) -> std::io::Result<arrow_array::RecordBatch>,
) -> Result<()> {
    write_row_chunks(csv_path, parquet_path, rows.chunks(BATCH_ROWS), batch)
}

/// Writes the churn scores as CSV and Parquet (same columns: `member_id, churn_probability,
/// risk_band, expected_purchases, days_since_last_purchase, reasons`).
pub fn write_scores(
    csv_path: &Path,
    parquet_path: &Path,
    scores: &[crate::pipeline::MemberScore],
) -> Result<()> {
    write_rows(
        csv_path,
        parquet_path,
        scores,
        super::parquet_out::scores_batch,
    )
}

/// Writes `segments.csv` and `segments.parquet` atomically.
pub fn write_segments(
    csv_path: &Path,
    parquet_path: &Path,
    rows: &[super::segments::SegmentRow],
) -> Result<()> {
    write_rows(
        csv_path,
        parquet_path,
        rows,
        super::parquet_out::segments_batch,
    )
}

/// Writes the offers as CSV and Parquet (same columns).
pub fn write_offers(
    csv_path: &Path,
    parquet_path: &Path,
    rows: &[super::offers::OfferRow],
) -> Result<()> {
    write_rows(
        csv_path,
        parquet_path,
        rows,
        super::parquet_out::offers_batch,
    )
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

/// The rows of `recommendations.csv` for the members at `range` of the published lists: per
/// member (in member order), categories then items, each by rank.
fn recommendation_rows(
    book: &OrderBook,
    outputs: &[super::recommend::KindOutput],
    range: std::ops::Range<usize>,
) -> Vec<RecommendationRow> {
    let Some(first) = outputs.first() else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for i in range {
        let m = first.published().members[i];
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

/// Members per chunk of `recommendations.csv` rows (a few thousand rows each).
const RECOMMENDATION_MEMBERS: usize = 4_096;

/// Writes every kind's published lists as CSV and Parquet (`member_id, kind, rank, id,
/// score`), a chunk of members at a time.
pub fn write_recommendations(
    csv_path: &Path,
    parquet_path: &Path,
    book: &OrderBook,
    outputs: &[super::recommend::KindOutput],
) -> Result<()> {
    let members = outputs.first().map_or(0, |o| o.published().members.len());
    let chunks = (0..members).step_by(RECOMMENDATION_MEMBERS).map(|start| {
        recommendation_rows(
            book,
            outputs,
            start..members.min(start + RECOMMENDATION_MEMBERS),
        )
    });
    write_row_chunks(
        csv_path,
        parquet_path,
        chunks,
        super::parquet_out::recommendations_batch,
    )
}

#[cfg(test)]
#[path = "outputs_tests.rs"]
mod tests;
