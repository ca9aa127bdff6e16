//! Writing the run's files: each is written to a temporary file in the same folder and renamed
//! into place, so a reader never sees half a file.

use std::io::Write;
use std::path::Path;

use features::{OrderBook, Snapshot, spec};
use parquet::arrow::ArrowWriter;

use crate::{Error, Result};

/// `features.csv`, written a snapshot at a time: `member_id` and every feature, one row per
/// member.
pub(super) struct FeaturesWriter {
    file: AtomicFile,
    csv: csv::Writer<std::io::BufWriter<std::fs::File>>,
}

impl FeaturesWriter {
    /// Opens the file and writes its header.
    pub(super) fn create(path: &Path) -> Result<Self> {
        let file = AtomicFile::create(path)?;
        let mut csv = csv::Writer::from_writer(std::io::BufWriter::new(file.handle()?));
        let header = std::iter::once("member_id").chain(spec::names());
        csv.write_record(header)
            .map_err(|e| file.error(std::io::Error::from(e)))?;
        Ok(FeaturesWriter { file, csv })
    }

    /// Appends the rows of `snapshot` (members of `book`).
    pub(super) fn write(&mut self, book: &OrderBook, snapshot: &Snapshot) -> Result<()> {
        let mut record = Vec::with_capacity(spec::LEN + 1);
        for (i, &m) in snapshot.members.iter().enumerate() {
            record.clear();
            record.push(book.members().name(m).to_string());
            record.extend(snapshot.row(i).iter().map(|v| v.to_string()));
            self.csv
                .write_record(&record)
                .map_err(|e| self.file.error(std::io::Error::from(e)))?;
        }
        Ok(())
    }

    /// Finishes the file and renames it into place.
    pub(super) fn commit(self) -> Result<()> {
        let FeaturesWriter { file, mut csv } = self;
        csv.flush().map_err(|e| file.error(e))?;
        drop(csv);
        file.commit()
    }
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

    /// A second handle on the temporary file, for a writer that owns its sink.
    fn handle(&self) -> Result<std::fs::File> {
        self.tmp.as_file().try_clone().map_err(|e| self.error(e))
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

/// A CSV file and a Parquet file of the same rows, written a chunk of rows at a time (one
/// record batch per [`BATCH_ROWS`] rows), both under temporary names and renamed into place by
/// [`commit`](Self::commit): only the chunk given is in memory.
pub(super) struct RowsWriter<T> {
    csv_file: AtomicFile,
    parquet_file: AtomicFile,
    csv: csv::Writer<std::io::BufWriter<std::fs::File>>,
    parquet: ArrowWriter<std::io::BufWriter<std::fs::File>>,
    schema: arrow_schema::SchemaRef,
    batch: fn(&[T]) -> std::io::Result<arrow_array::RecordBatch>,
}

impl<T: serde::Serialize> RowsWriter<T> {
    /// Opens both files; `batch` turns rows into a record batch.
    pub(super) fn create(
        csv_path: &Path,
        parquet_path: &Path,
        batch: fn(&[T]) -> std::io::Result<arrow_array::RecordBatch>,
    ) -> Result<Self> {
        let csv_file = AtomicFile::create(csv_path)?;
        let parquet_file = AtomicFile::create(parquet_path)?;
        let parquet_error =
            |e: parquet::errors::ParquetError| parquet_file.error(std::io::Error::other(e));
        // Every column nullable: a chunk's batch marks a column nullable only when it has a
        // null, and the file's one schema must take every chunk.
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
        let csv_sink = csv_file.handle()?;
        let parquet_sink = parquet_file.handle()?;
        let csv = csv::Writer::from_writer(std::io::BufWriter::new(csv_sink));
        let parquet =
            ArrowWriter::try_new(std::io::BufWriter::new(parquet_sink), schema.clone(), None)
                .map_err(parquet_error)?;
        Ok(RowsWriter {
            csv_file,
            parquet_file,
            csv,
            parquet,
            schema,
            batch,
        })
    }

    /// Appends `rows` to both files.
    pub(super) fn write(&mut self, rows: &[T]) -> Result<()> {
        for r in rows {
            self.csv
                .serialize(r)
                .map_err(|e| self.csv_file.error(std::io::Error::from(e)))?;
        }
        for chunk in rows.chunks(BATCH_ROWS) {
            let b = (self.batch)(chunk).map_err(|e| self.parquet_file.error(e))?;
            let b = arrow_array::RecordBatch::try_new(self.schema.clone(), b.columns().to_vec())
                .map_err(|e| self.parquet_file.error(std::io::Error::other(e)))?;
            self.parquet
                .write(&b)
                .map_err(|e| self.parquet_file.error(std::io::Error::other(e)))?;
        }
        Ok(())
    }

    /// Finishes both files and renames them into place.
    pub(super) fn commit(self) -> Result<()> {
        let RowsWriter {
            csv_file,
            parquet_file,
            mut csv,
            parquet,
            ..
        } = self;
        let mut sink = parquet
            .into_inner()
            .map_err(|e| parquet_file.error(std::io::Error::other(e)))?;
        sink.flush().map_err(|e| parquet_file.error(e))?;
        drop(sink);
        csv.flush().map_err(|e| csv_file.error(e))?;
        drop(csv);
        csv_file.commit()?;
        parquet_file.commit()
    }
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

/// The rows of `recommendations.csv` of every member of `lists` (each kind's lists of the
/// same members): per member (in member order), categories then items, each by rank.
pub(super) fn recommendation_rows(
    book: &OrderBook,
    lists: &[super::recommend::KindLists],
) -> Vec<RecommendationRow> {
    let Some(first) = lists.first() else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for (i, &m) in first.published().members.iter().enumerate() {
        for out in lists {
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

#[cfg(test)]
#[path = "outputs_tests.rs"]
mod tests;
