//! Order lines split by member into Parquet files ("buckets"), for a run that must not hold
//! every line at once.
//!
//! One validating pass over the order file (the checks and bad-row rules of
//! [`read_orders`](crate::io::read_orders)) writes each good line to bucket
//! [`partition_of`]`(member_id, n)`, so all of a member's lines are in one bucket and bucket
//! `i` holds the members of serving partition `i` of `n`. The files are written with arrow's
//! own Parquet writer, a row group of [`ROW_GROUP`] lines at a time per bucket (no sort of the
//! input). The pass keeps only what is per member or per id: the store's item and category ids,
//! each member's first timestamp and the members' attributes. A bucket is then read back as an
//! [`OrderBook`] of its members with the store's item and category ids
//! ([`Buckets::book`]), and the models' sample as one book of the members with the smallest
//! [`member_hash`] ([`Buckets::sample`], the rule of [`OrderBook::member_sample`]).

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{ArrayBuilder, Float64Builder, Int64Builder, StringBuilder};
use arrow_array::{Array, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::properties::WriterProperties;

use crate::io::orders::read_order_lines;
use crate::io::{MembersReport, ReadOptions, read_members};
use crate::partition::{member_hash, partition_of};
use crate::{Day, Error, MemberAttributes, OrderBook, OrderBookBuilder, Result, Vocab};

/// Lines per Parquet row group of a bucket, and per record batch read back.
pub const ROW_GROUP: usize = 65_536;

/// Lines buffered per bucket before they go to its Parquet writer.
const BUFFER: usize = 4_096;

fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("member_id", DataType::Utf8, false),
        Field::new("ts", DataType::Int64, false),
        Field::new("item_id", DataType::Utf8, false),
        Field::new("category", DataType::Utf8, false),
        Field::new("quantity", DataType::Float64, false),
        Field::new("amount", DataType::Float64, false),
    ]))
}

fn io_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// One bucket's Parquet writer and the lines not yet handed to it.
struct BucketWriter {
    path: PathBuf,
    writer: ArrowWriter<BufWriter<File>>,
    member: StringBuilder,
    ts: Int64Builder,
    item: StringBuilder,
    category: StringBuilder,
    quantity: Float64Builder,
    amount: Float64Builder,
}

impl BucketWriter {
    fn create(path: PathBuf, schema: SchemaRef) -> Result<Self> {
        let file = File::create(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let props = WriterProperties::builder()
            .set_max_row_group_row_count(Some(ROW_GROUP))
            .build();
        let writer = ArrowWriter::try_new(BufWriter::new(file), schema, Some(props))
            .map_err(|e| io_error(&path, e))?;
        Ok(BucketWriter {
            path,
            writer,
            member: StringBuilder::new(),
            ts: Int64Builder::new(),
            item: StringBuilder::new(),
            category: StringBuilder::new(),
            quantity: Float64Builder::new(),
            amount: Float64Builder::new(),
        })
    }

    fn push(&mut self, line: (&str, i64, &str, &str, f64, f64)) {
        self.member.append_value(line.0);
        self.ts.append_value(line.1);
        self.item.append_value(line.2);
        self.category.append_value(line.3);
        self.quantity.append_value(line.4);
        self.amount.append_value(line.5);
    }

    fn buffered(&self) -> usize {
        self.ts.len()
    }

    fn flush(&mut self, schema: &SchemaRef) -> Result<()> {
        if self.buffered() == 0 {
            return Ok(());
        }
        let columns: Vec<Arc<dyn Array>> = vec![
            Arc::new(self.member.finish()),
            Arc::new(self.ts.finish()),
            Arc::new(self.item.finish()),
            Arc::new(self.category.finish()),
            Arc::new(self.quantity.finish()),
            Arc::new(self.amount.finish()),
        ];
        let batch =
            RecordBatch::try_new(schema.clone(), columns).map_err(|e| io_error(&self.path, e))?;
        self.writer
            .write(&batch)
            .map_err(|e| io_error(&self.path, e))
    }

    fn close(mut self, schema: &SchemaRef) -> Result<PathBuf> {
        self.flush(schema)?;
        self.writer.close().map_err(|e| io_error(&self.path, e))?;
        Ok(self.path)
    }
}

/// The bucketing pass's result before the members table is added ([`BucketPass::finish`]).
#[derive(Debug)]
pub struct BucketPass {
    buckets: Buckets,
    attributes: OrderBookBuilder,
}

/// Order lines split into member-hash buckets on disk, with what the pass counted.
#[derive(Debug)]
pub struct Buckets {
    paths: Vec<PathBuf>,
    items: Vocab,
    categories: Vocab,
    members: Vocab,
    first_ts: Vec<i64>,
    attributes: Vec<Vec<(Box<str>, MemberAttributes)>>,
    range: Option<(i64, i64)>,
    /// Good lines written.
    pub lines: u64,
    /// Data rows in the order file, good and bad.
    pub rows_read: u64,
    /// Rows left out under [`crate::io::BadRowPolicy::Skip`].
    pub rows_rejected: u64,
    /// Lines that are returns.
    pub returns: u64,
    /// SHA-256 of the order file.
    pub fingerprint: String,
}

/// Reads the order file at `path` once and writes its good lines to `n` Parquet buckets in
/// `dir` (`bucket-00000.parquet`, ...; the folder is created, files there are replaced). Bad
/// rows are handled by `opts.policy` exactly as [`read_orders`](crate::io::read_orders) does.
///
/// # Errors
/// Those of [`read_orders`](crate::io::read_orders), and [`Error::Io`] naming a bucket file
/// that cannot be written.
pub fn bucket_orders(
    path: impl AsRef<Path>,
    opts: &ReadOptions,
    dir: &Path,
    n: u32,
) -> Result<BucketPass> {
    let path = path.as_ref();
    let n = n.max(1);
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let schema = schema();
    let mut writers = (0..n)
        .map(|i| BucketWriter::create(dir.join(format!("bucket-{i:05}.parquet")), schema.clone()))
        .collect::<Result<Vec<_>>>()?;
    let (mut items, mut categories, mut members) = (Vocab::new(), Vocab::new(), Vocab::new());
    let mut first_ts: Vec<i64> = Vec::new();
    let mut range: Option<(i64, i64)> = None;
    let mut lines = 0u64;
    let mut failed: Option<Error> = None;
    let pass = read_order_lines(path, opts, |member, ts, item, category, q, a| {
        if failed.is_some() {
            return;
        }
        items.intern(item);
        if !category.is_empty() {
            categories.intern(category);
        }
        let m = members.intern(member) as usize;
        if m == first_ts.len() {
            first_ts.push(ts);
        } else if ts < first_ts[m] {
            first_ts[m] = ts;
        }
        range = Some(range.map_or((ts, ts), |(lo, hi)| (lo.min(ts), hi.max(ts))));
        lines += 1;
        let w = &mut writers[partition_of(member, n) as usize];
        w.push((member, ts, item, category, q, a));
        if w.buffered() >= BUFFER
            && let Err(e) = w.flush(&schema)
        {
            failed = Some(e);
        }
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    let paths = writers
        .into_iter()
        .map(|w| w.close(&schema))
        .collect::<Result<Vec<_>>>()?;
    let mut attributes = OrderBookBuilder::new();
    pass.carried.apply(&mut attributes);
    Ok(BucketPass {
        buckets: Buckets {
            paths,
            items: items.into_sorted().0,
            categories: categories.into_sorted().0,
            members,
            first_ts,
            attributes: Vec::new(),
            range,
            lines,
            rows_read: pass.outcome.rows_read,
            rows_rejected: pass.outcome.rows_rejected,
            returns: pass.returns,
            fingerprint: pass.outcome.fingerprint,
        },
        attributes,
    })
}

impl BucketPass {
    /// Adds a members table (see [`read_members`]); a later row for a member replaces an
    /// earlier one and the attributes carried on its order lines.
    pub fn read_members(
        &mut self,
        path: impl AsRef<Path>,
        opts: &ReadOptions,
    ) -> Result<MembersReport> {
        read_members(path, opts, &mut self.attributes)
    }

    /// The buckets, with every member's attributes put in its bucket.
    pub fn finish(self) -> Buckets {
        let mut b = self.buckets;
        let n = b.paths.len() as u32;
        b.attributes = vec![Vec::new(); n as usize];
        for (member, a) in self.attributes.into_attributes() {
            b.attributes[partition_of(&member, n) as usize].push((member, a));
        }
        b
    }
}

impl Buckets {
    /// Number of buckets.
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// True when there is no bucket (never: a pass writes at least one).
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// The bucket files, in bucket order.
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }

    /// The store's item ids (sorted, as every book read from the buckets numbers them).
    pub fn items(&self) -> &Vocab {
        &self.items
    }

    /// The store's category ids (sorted).
    pub fn categories(&self) -> &Vocab {
        &self.categories
    }

    /// Members with at least one line.
    pub fn buyer_count(&self) -> usize {
        self.members.len()
    }

    /// The first and last day with a line, `None` when no line was read.
    pub fn day_range(&self) -> Option<(Day, Day)> {
        self.range.map(|(lo, hi)| (Day::of_ts(lo), Day::of_ts(hi)))
    }

    /// The first day with a line before `as_of` (as [`OrderBook::first_day_before`]).
    pub fn first_day_before(&self, as_of: Day) -> Option<Day> {
        self.range
            .map(|(lo, _)| lo)
            .filter(|&lo| lo < as_of.start_ts())
            .map(Day::of_ts)
    }

    /// The members a member-state file as of `as_of` holds (as
    /// [`state_members`](crate::state::state_members) counts them): a line before `as_of` or
    /// attributes.
    pub fn state_count(&self, as_of: Day) -> usize {
        let cut = as_of.start_ts();
        let with_line = self.first_ts.iter().filter(|&&t| t < cut).count();
        let attributes_only = self
            .attributes
            .iter()
            .flatten()
            .filter(|(m, _)| {
                self.members
                    .get(m)
                    .is_none_or(|i| self.first_ts[i as usize] >= cut)
            })
            .count();
        with_line + attributes_only
    }

    /// Bucket `i` as an order book: its members' lines and attributes, with the store's item
    /// and category ids.
    pub fn book(&self, i: usize) -> Result<OrderBook> {
        let mut builder = self.builder();
        self.read_bucket(i, &mut builder, |_| true)?;
        Ok(builder.finish())
    }

    /// The members with a line whose [`member_hash`] is among the `max_members` smallest (ties
    /// by id), every line of each and their attributes, as one book with the store's item and
    /// category ids: the rule of [`OrderBook::member_sample`]. `None` when no more than
    /// `max_members` members have a line (the sample would be every member; read them with
    /// [`all`](Self::all)).
    pub fn sample(&self, max_members: usize) -> Result<Option<OrderBook>> {
        let mut keyed: Vec<(u64, &str)> =
            self.members.names().map(|m| (member_hash(m), m)).collect();
        if keyed.len() <= max_members {
            return Ok(None);
        }
        if max_members > 0 {
            keyed.select_nth_unstable(max_members - 1);
        }
        let kept: rustc_hash::FxHashSet<&str> =
            keyed[..max_members].iter().map(|&(_, m)| m).collect();
        drop(keyed);
        let mut builder = self.builder();
        for i in 0..self.len() {
            self.read_bucket(i, &mut builder, |m| kept.contains(m))?;
        }
        Ok(Some(builder.finish()))
    }

    /// Every bucket as one book (a store small enough to hold).
    pub fn all(&self) -> Result<OrderBook> {
        let mut builder = self.builder();
        for i in 0..self.len() {
            self.read_bucket(i, &mut builder, |_| true)?;
        }
        Ok(builder.finish())
    }

    fn builder(&self) -> OrderBookBuilder {
        OrderBookBuilder::with_vocabularies(self.items.clone(), self.categories.clone())
    }

    /// Pushes the lines and attributes of bucket `i`'s members that `keep` accepts onto
    /// `builder`.
    fn read_bucket(
        &self,
        i: usize,
        builder: &mut OrderBookBuilder,
        keep: impl Fn(&str) -> bool,
    ) -> Result<()> {
        let path = &self.paths[i];
        let file = File::open(path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .and_then(|b| b.with_batch_size(ROW_GROUP).build())
            .map_err(|e| io_error(path, e))?;
        for batch in reader {
            let batch = batch.map_err(|e| io_error(path, e))?;
            let text = |c: usize| batch.column(c).as_any().downcast_ref::<StringArray>();
            let int = |c: usize| batch.column(c).as_any().downcast_ref::<Int64Array>();
            let float = |c: usize| batch.column(c).as_any().downcast_ref::<Float64Array>();
            let (Some(member), Some(ts), Some(item), Some(category), Some(q), Some(a)) =
                (text(0), int(1), text(2), text(3), float(4), float(5))
            else {
                return Err(io_error(path, "not a bucket file written by this build"));
            };
            for r in 0..batch.num_rows() {
                let m = member.value(r);
                if keep(m) {
                    builder.push_line(
                        m,
                        ts.value(r),
                        item.value(r),
                        category.value(r),
                        q.value(r),
                        a.value(r),
                    );
                }
            }
        }
        for (member, a) in &self.attributes[i] {
            if keep(member) {
                builder.set_attributes(member, a.clone());
            }
        }
        Ok(())
    }
}
