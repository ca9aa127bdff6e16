//! CSV input: the header read with the `csv` crate, the data through `arrow_csv` as strings.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::Arc;

use arrow_array::StringArray;
use arrow_array::cast::AsArray;
use arrow_csv::ReaderBuilder;
use arrow_schema::{DataType, Field, Schema};

use crate::io::columns::Column;
use crate::io::lines::structural_error;
use crate::io::source::{Wanted, format_error, io_error, open};
use crate::{Error, Result};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Opens a CSV file positioned after its UTF-8 byte-order mark, if it has one.
pub(crate) fn open_csv(path: &Path) -> Result<BufReader<File>> {
    let mut reader = BufReader::with_capacity(1 << 20, open(path)?);
    let head = reader.fill_buf().map_err(|e| io_error(path, e))?;
    if head.starts_with(BOM) {
        reader.consume(BOM.len());
    }
    Ok(reader)
}

/// A `csv` crate reader over `path` that returns every record, the header included, and
/// accepts any field count (callers check it).
pub(crate) fn raw_records(path: &Path) -> Result<csv::Reader<BufReader<File>>> {
    Ok(csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(open_csv(path)?))
}

/// The column names of the header line, trimmed.
pub(crate) fn read_header(path: &Path) -> Result<Vec<String>> {
    let mut reader = raw_records(path)?;
    let mut record = csv::ByteRecord::new();
    let found = reader
        .read_byte_record(&mut record)
        .map_err(|e| format_error(path, format!("cannot read the header line: {e}")))?;
    if !found {
        return Err(format_error(path, "the file is empty: no header line"));
    }
    Ok(record
        .iter()
        .map(|name| String::from_utf8_lossy(name).trim().to_string())
        .collect())
}

/// Finds each wanted column in `header` (`None` for a missing optional one);
/// [`Error::MissingColumn`] lists the columns found.
pub(crate) fn resolve(
    path: &Path,
    header: &[String],
    wanted: &[Wanted],
) -> Result<Vec<Option<usize>>> {
    wanted
        .iter()
        .map(|w| {
            let found = header.iter().position(|h| *h == w.column);
            if found.is_some() || w.optional {
                return Ok(found);
            }
            Err(Error::MissingColumn {
                path: path.to_path_buf(),
                field: w.field,
                column: w.column.clone(),
                found: header.join(", "),
            })
        })
        .collect()
}

/// Calls `on_batch` for every batch of data rows of `path`, with `wanted` columns as text.
pub(crate) fn for_each_batch(
    path: &Path,
    wanted: &[Wanted],
    batch_size: usize,
    on_batch: &mut dyn FnMut(&[Column], usize),
) -> Result<()> {
    let header = read_header(path)?;
    let indexes = resolve(path, &header, wanted)?;
    let mut projection: Vec<usize> = Vec::new();
    let slots: Vec<Option<usize>> = indexes
        .iter()
        .map(|&i| {
            let i = i?;
            Some(projection.iter().position(|&p| p == i).unwrap_or_else(|| {
                projection.push(i);
                projection.len() - 1
            }))
        })
        .collect();
    let fields: Vec<Field> = (0..header.len())
        .map(|i| Field::new(format!("c{i}"), DataType::Utf8, true))
        .collect();
    let reader = ReaderBuilder::new(Arc::new(Schema::new(fields)))
        .with_header(true)
        .with_batch_size(batch_size)
        .with_projection(projection)
        .build_buffered(open_csv(path)?)
        .map_err(|e| format_error(path, e.to_string()))?;
    for batch in reader {
        let batch = batch.map_err(|e| structural_error(path, header.len(), e.to_string()))?;
        let columns: Vec<Column> = slots
            .iter()
            .map(|&s| match s {
                Some(s) => Column::Text(batch.column(s).as_string::<i32>().clone()),
                None => Column::Text(StringArray::new_null(batch.num_rows())),
            })
            .collect();
        on_batch(&columns, batch.num_rows());
    }
    Ok(())
}
