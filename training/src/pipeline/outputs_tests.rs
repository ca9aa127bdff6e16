use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::*;

#[derive(Debug, Clone, serde::Serialize)]
struct Row {
    id: String,
    value: Option<f64>,
}

fn batch(rows: &[Row]) -> std::io::Result<RecordBatch> {
    RecordBatch::try_from_iter([
        (
            "id",
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| &r.id))) as ArrayRef,
        ),
        (
            "value",
            Arc::new(Float64Array::from(
                rows.iter().map(|r| r.value).collect::<Vec<_>>(),
            )),
        ),
    ])
    .map_err(std::io::Error::other)
}

/// Row `i`: id `m{i}`, value `i / 2` except a null for every 7th row of the second chunk only
/// (so chunks differ in whether the column has a null).
fn rows(n: usize) -> Vec<Row> {
    (0..n)
        .map(|i| Row {
            id: format!("m{i}"),
            value: (!(BATCH_ROWS..2 * BATCH_ROWS).contains(&i) || i % 7 != 0)
                .then_some(i as f64 / 2.0),
        })
        .collect()
}

/// Writes `rows` with a [`RowsWriter`], [`BATCH_ROWS`] at a time.
fn write_rows(
    csv_path: &Path,
    parquet_path: &Path,
    rows: &[Row],
    batch: fn(&[Row]) -> std::io::Result<RecordBatch>,
) -> Result<()> {
    let mut w = RowsWriter::create(csv_path, parquet_path, batch)?;
    for chunk in rows.chunks(BATCH_ROWS) {
        w.write(chunk)?;
    }
    w.commit()
}

fn read_parquet(path: &Path) -> Vec<RecordBatch> {
    let file = std::fs::File::open(path).unwrap();
    ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap()
        .collect::<std::result::Result<_, _>>()
        .unwrap()
}

#[test]
fn rows_written_in_chunks_read_back_whole_from_csv_and_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let (csv_path, parquet_path) = (dir.path().join("r.csv"), dir.path().join("r.parquet"));
    let n = 2 * BATCH_ROWS + 1_000;
    let all = rows(n);
    write_rows(&csv_path, &parquet_path, &all, batch).unwrap();
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), n + 1);
    assert_eq!(lines[0], "id,value");
    assert_eq!(lines[3], "m2,1.0");
    let nulled = BATCH_ROWS + 7 - BATCH_ROWS % 7; // the first multiple of 7 in the second chunk
    assert_eq!(lines[nulled + 1], format!("m{nulled},"));
    assert_eq!(lines[n], format!("m{},{}", n - 1, (n - 1) as f64 / 2.0));

    let batches = read_parquet(&parquet_path);
    assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), n);
    let ids: Vec<String> = batches
        .iter()
        .flat_map(|b| {
            let a = b.column(0).as_any().downcast_ref::<StringArray>().unwrap();
            (0..a.len())
                .map(|i| a.value(i).to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    let values: Vec<Option<f64>> = batches
        .iter()
        .flat_map(|b| {
            let a = b.column(1).as_any().downcast_ref::<Float64Array>().unwrap();
            (0..a.len())
                .map(|i| a.is_valid(i).then(|| a.value(i)))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(ids, all.iter().map(|r| r.id.clone()).collect::<Vec<_>>());
    assert_eq!(values, all.iter().map(|r| r.value).collect::<Vec<_>>());
    let nulls = values.iter().filter(|v| v.is_none()).count();
    assert_eq!(
        nulls,
        (BATCH_ROWS..2 * BATCH_ROWS).filter(|i| i % 7 == 0).count()
    );
}

#[test]
fn no_rows_give_an_empty_csv_and_a_parquet_file_with_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let (csv_path, parquet_path) = (dir.path().join("e.csv"), dir.path().join("e.parquet"));
    write_rows(&csv_path, &parquet_path, &[], batch).unwrap();
    assert_eq!(std::fs::read_to_string(&csv_path).unwrap(), "");
    let file = std::fs::File::open(&parquet_path).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let names: Vec<&str> = reader
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    assert_eq!(names, ["id", "value"]);
    assert_eq!(reader.metadata().file_metadata().num_rows(), 0);
}

#[test]
fn a_failed_write_leaves_no_file_behind() {
    let dir = tempfile::tempdir().unwrap();
    let (csv_path, parquet_path) = (dir.path().join("f.csv"), dir.path().join("f.parquet"));
    let failing = |_: &[Row]| -> std::io::Result<RecordBatch> { Err(std::io::Error::other("no")) };
    let err = write_rows(&csv_path, &parquet_path, &rows(3), failing).unwrap_err();
    assert!(err.to_string().contains("f.parquet"), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
