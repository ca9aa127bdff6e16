//! Parquet input through parquet's Arrow reader, with typed columns.

use std::path::Path;

use arrow_array::StringArray;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::io::columns::Column;
use crate::io::source::{Wanted, format_error, open};
use crate::{Error, Result};

/// Calls `on_batch` for every batch of `path`, with `wanted` columns brought to their kind.
///
/// Columns are found by name among the top-level fields of the file's schema; a missing
/// optional column reads as empty text.
pub(crate) fn for_each_batch(
    path: &Path,
    wanted: &[Wanted],
    batch_size: usize,
    on_batch: &mut dyn FnMut(&[Column], usize),
) -> Result<()> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(open(path)?)
        .map_err(|e| format_error(path, format!("not a readable Parquet file: {e}")))?;
    let schema = builder.schema().clone();
    let mut roots = Vec::with_capacity(wanted.len());
    for w in wanted {
        if w.optional && schema.index_of(&w.column).is_err() {
            continue;
        }
        let index = schema
            .index_of(&w.column)
            .map_err(|_| Error::MissingColumn {
                path: path.to_path_buf(),
                field: w.field,
                column: w.column.clone(),
                found: schema
                    .fields()
                    .iter()
                    .map(|f| f.name().as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        roots.push(index);
    }
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let reader = builder
        .with_batch_size(batch_size)
        .with_projection(mask)
        .build()
        .map_err(|e| format_error(path, e.to_string()))?;
    for batch in reader {
        let batch = batch.map_err(|e| format_error(path, e.to_string()))?;
        let mut columns = Vec::with_capacity(wanted.len());
        for w in wanted {
            if w.optional && schema.index_of(&w.column).is_err() {
                columns.push(Column::Text(StringArray::new_null(batch.num_rows())));
                continue;
            }
            let array = batch.column_by_name(&w.column).ok_or_else(|| {
                format_error(path, format!("column `{}` vanished from a batch", w.column))
            })?;
            let column = Column::from_arrow(array, w.kind).map_err(|message| {
                format_error(
                    path,
                    format!("column `{}` (for `{}`) {message}", w.column, w.field),
                )
            })?;
            columns.push(column);
        }
        on_batch(&columns, batch.num_rows());
    }
    Ok(())
}
