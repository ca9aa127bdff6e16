//! A generated dataset streamed to disk as CSV and/or Parquet, one window of lines at a time.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{
    ArrayRef, Date32Array, Int64Array, RecordBatch, StringArray, TimestampSecondArray,
};
use arrow_schema::SchemaRef;
use chrono::NaiveDate;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::error::{Error, Result};
use super::output::{MemberRecord, OrderLine, SynthData, write_order_line};
use super::params::SynthValidParams;
use super::stream::stream_orders;

/// The file formats a dataset can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    /// `orders.csv` and `members.csv`.
    pub csv: bool,
    /// `orders.parquet` and `members.parquet` (timestamps as store-local seconds, dates as
    /// dates, integers as 64-bit integers; zstd-compressed).
    pub parquet: bool,
}

impl Formats {
    /// CSV only, as [`SynthData::write_to_dir`] writes.
    pub const CSV: Self = Self {
        csv: true,
        parquet: false,
    };
}

/// What [`write_dataset`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Order lines written (per format).
    pub lines: u64,
    /// Of which returns.
    pub returns: u64,
    /// Members written.
    pub members: usize,
}

/// Generates the dataset of `params` into `dir` (created if needed) without holding its order
/// lines: each window of lines is written as soon as it is simulated. Each file goes to a
/// temporary name first and is renamed when complete, so a failed run leaves no partial file
/// under a final name.
pub fn write_dataset(params: &SynthValidParams, dir: &Path, formats: Formats) -> Result<Written> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut csv = match formats.csv {
        true => {
            let (staged, file) = Staged::create(dir.join("orders.csv"))?;
            let mut w = csv::Writer::from_writer(BufWriter::new(file));
            w.write_record(super::ORDERS_HEADER)?;
            Some((w, staged))
        }
        false => None,
    };
    let mut parquet = formats
        .parquet
        .then(|| ParquetOut::create(dir.join("orders.parquet"), orders_batch(&[]).schema()))
        .transpose()?;
    let mut written = Written {
        lines: 0,
        returns: 0,
        members: 0,
    };
    let members = stream_orders(params, |window| {
        written.lines += window.len() as u64;
        written.returns += window.iter().filter(|o| o.quantity < 0).count() as u64;
        if let Some((w, _)) = &mut csv {
            for o in &window {
                write_order_line(w, &[], o)?;
            }
        }
        if let Some(p) = &mut parquet {
            p.write(&orders_batch(&window))?;
        }
        Ok::<_, Error>(())
    })?;
    written.members = members.len();
    if let Some((w, staged)) = csv {
        let file = w.into_inner().map_err(|e| staged.io(e.into_error()))?;
        staged.commit(file)?;
        write_members_csv(dir, &members)?;
    }
    if let Some(p) = parquet {
        p.finish()?;
        let batch = members_batch(&members);
        let mut out = ParquetOut::create(dir.join("members.parquet"), batch.schema())?;
        out.write(&batch)?;
        out.finish()?;
    }
    Ok(written)
}

fn write_members_csv(dir: &Path, members: &[MemberRecord]) -> Result<()> {
    let data = SynthData {
        members: members.to_vec(),
        orders: Vec::new(),
    };
    super::output::write_atomically(&dir.join("members.csv"), |f| data.write_members(f))
}

/// A file written under `<name>.tmp` and renamed to its name when complete.
struct Staged {
    path: PathBuf,
    tmp: PathBuf,
}

impl Staged {
    fn create(path: PathBuf) -> Result<(Self, File)> {
        let mut tmp = path.clone().into_os_string();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let file = File::create(&tmp).map_err(|source| Error::Io {
            path: tmp.clone(),
            source,
        })?;
        Ok((Self { path, tmp }, file))
    }

    fn io(&self, source: std::io::Error) -> Error {
        Error::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// Flushes, syncs and renames the file to its name.
    fn commit(self, writer: BufWriter<File>) -> Result<()> {
        let file = writer.into_inner().map_err(|e| self.io(e.into_error()))?;
        file.sync_all().map_err(|e| self.io(e))?;
        std::fs::rename(&self.tmp, &self.path).map_err(|e| self.io(e))
    }
}

/// A Parquet file written batch by batch.
struct ParquetOut {
    staged: Staged,
    writer: ArrowWriter<BufWriter<File>>,
}

impl ParquetOut {
    fn create(path: PathBuf, schema: SchemaRef) -> Result<Self> {
        let (staged, file) = Staged::create(path)?;
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .build();
        let writer = ArrowWriter::try_new(BufWriter::new(file), schema, Some(props))
            .map_err(|e| staged.io(std::io::Error::other(e)))?;
        Ok(Self { staged, writer })
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.writer
            .write(batch)
            .map_err(|e| self.staged.io(std::io::Error::other(e)))
    }

    fn finish(self) -> Result<()> {
        let Self { staged, writer } = self;
        let inner = writer
            .into_inner()
            .map_err(|e| staged.io(std::io::Error::other(e)))?;
        staged.commit(inner)
    }
}

fn strings<'a>(values: impl Iterator<Item = &'a str>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(values))
}

/// Order lines as Arrow columns: `ts` as store-local seconds without a time zone.
fn orders_batch(orders: &[OrderLine]) -> RecordBatch {
    let ts = orders.iter().map(|o| o.ts.and_utc().timestamp());
    let columns: [(&str, ArrayRef); 6] = [
        (
            "member_id",
            strings(orders.iter().map(|o| o.member_id.as_str())),
        ),
        ("ts", Arc::new(TimestampSecondArray::from_iter_values(ts))),
        (
            "item_id",
            strings(orders.iter().map(|o| o.item_id.as_str())),
        ),
        (
            "category",
            strings(orders.iter().map(|o| o.category.as_str())),
        ),
        (
            "quantity",
            Arc::new(Int64Array::from_iter_values(
                orders.iter().map(|o| o.quantity),
            )),
        ),
        (
            "amount",
            Arc::new(Int64Array::from_iter_values(
                orders.iter().map(|o| o.amount),
            )),
        ),
    ];
    RecordBatch::try_from_iter_with_nullable(columns.map(|(n, a)| (n, a, false)))
        .expect("columns of equal length and fixed types")
}

/// Days since 1970-01-01, Arrow's `Date32`.
fn days(date: NaiveDate) -> i32 {
    (date - chrono::DateTime::UNIX_EPOCH.date_naive()).num_days() as i32
}

/// The members table as Arrow columns: dates as dates, unknown birthday and age group as null.
fn members_batch(members: &[MemberRecord]) -> RecordBatch {
    let columns: [(&str, ArrayRef, bool); 6] = [
        (
            "member_id",
            strings(members.iter().map(|m| m.member_id.as_str())),
            false,
        ),
        (
            "joined",
            Arc::new(Date32Array::from_iter_values(
                members.iter().map(|m| days(m.joined)),
            )),
            false,
        ),
        (
            "birthday",
            Arc::new(Date32Array::from_iter(
                members.iter().map(|m| m.birthday.map(days)),
            )),
            true,
        ),
        (
            "age_group",
            Arc::new(StringArray::from_iter(
                members.iter().map(|m| m.age_group.as_deref()),
            )),
            true,
        ),
        (
            "region",
            strings(members.iter().map(|m| m.region.as_str())),
            false,
        ),
        (
            "tier",
            strings(members.iter().map(|m| m.tier.as_str())),
            false,
        ),
    ];
    RecordBatch::try_from_iter_with_nullable(columns).expect("columns of equal length")
}
