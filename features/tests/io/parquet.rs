use std::path::Path;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, DictionaryArray, Float64Array, Int32Array, Int64Array,
    LargeStringArray, RecordBatch, StringArray, TimestampMillisecondArray, TimestampSecondArray,
};
use features::Error;
use features::io::{BadRowPolicy, ColumnMapping, ReadOptions, read_orders};
use parquet::arrow::ArrowWriter;

use crate::helpers::{Dir, bad_rows, canonical_csv, dump, line, read_book, snapshot, ts};

fn write_parquet(path: &Path, columns: Vec<(&str, ArrayRef)>) {
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let file = std::fs::File::create(path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

/// Typed columns: large strings, timestamps, integer item ids, dictionary categories (one
/// null), integer quantities and float amounts.
fn typed_orders(path: &Path) {
    let seconds = [
        "2024-01-05",
        "2024-01-07",
        "2024-02-16T10:30:00",
        "2024-02-20",
    ]
    .map(ts);
    write_parquet(
        path,
        vec![
            (
                "member_id",
                Arc::new(LargeStringArray::from(vec!["m1", "m2", "會員3", "m1"])) as ArrayRef,
            ),
            ("ts", Arc::new(TimestampSecondArray::from(seconds.to_vec()))),
            ("item_id", Arc::new(Int64Array::from(vec![101, 7, 101, 42]))),
            (
                "category",
                Arc::new(DictionaryArray::<Int32Type>::from_iter([
                    Some("toner"),
                    None,
                    Some("茶"),
                    Some("toner"),
                ])),
            ),
            ("quantity", Arc::new(Int32Array::from(vec![1, -1, 2, 3]))),
            (
                "amount",
                Arc::new(Float64Array::from(vec![1200.0, -1200.0, 99.5, 10.25])),
            ),
        ],
    );
}

const SAME_AS_CSV: [&str; 4] = [
    "m1,2024-01-05,101,toner,1,1200",
    "m2,2024-01-07,7,,-1,-1200",
    "會員3,2024-02-16T10:30:00,101,茶,2,99.5",
    "m1,2024-02-20,42,toner,3,10.25",
];

#[test]
fn typed_parquet_gives_the_same_book_and_features_as_the_csv() {
    let dir = Dir::new();
    let parquet = dir.path("orders.parquet");
    typed_orders(&parquet);
    let csv = dir.write("orders.csv", canonical_csv(&SAME_AS_CSV));

    let from_parquet = read_book(&parquet, ColumnMapping::canonical());
    let from_csv = read_book(&csv, ColumnMapping::canonical());

    assert_eq!(dump(&from_parquet), dump(&from_csv));
    assert_eq!(
        snapshot(&from_parquet, "2024-03-01"),
        snapshot(&from_csv, "2024-03-01")
    );
    assert_eq!(snapshot(&from_csv, "2024-03-01").len(), 3);
}

#[test]
fn parquet_batch_size_one_gives_the_identical_book() {
    let dir = Dir::new();
    let path = dir.path("orders.parquet");
    typed_orders(&path);
    let read = |n| {
        let options = ReadOptions::default().with_batch_size(n);
        read_orders(&path, &options).unwrap().into_book()
    };

    assert_eq!(dump(&read(1)), dump(&read(65_536)));
}

#[test]
fn dates_and_zoned_timestamps_become_wall_clock_seconds() {
    let dir = Dir::new();
    let path = dir.path("orders.parquet");
    let instant_ms = (ts("2024-01-05T18:00:00") - 8 * 3600) * 1000;
    write_parquet(
        &path,
        vec![
            (
                "member_id",
                Arc::new(StringArray::from(vec!["m1", "m2"])) as ArrayRef,
            ),
            (
                "ts",
                Arc::new(
                    TimestampMillisecondArray::from(vec![instant_ms, instant_ms + 1_500])
                        .with_timezone("+08:00"),
                ),
            ),
            ("day", Arc::new(Date32Array::from(vec![19_727, 19_728]))),
            ("item_id", Arc::new(StringArray::from(vec!["a", "b"]))),
            ("category", Arc::new(StringArray::from(vec!["c", "c"]))),
            ("quantity", Arc::new(StringArray::from(vec!["1", "2.5"]))),
            ("amount", Arc::new(Float64Array::from(vec![10.0, 20.0]))),
        ],
    );
    let by_day = ColumnMapping {
        ts: "day".into(),
        ..ColumnMapping::canonical()
    };

    let zoned = read_book(&path, ColumnMapping::canonical());
    let dated = read_book(&path, by_day);

    assert_eq!(
        dump(&zoned),
        [
            line("m1", "2024-01-05T18:00:00", "a", "c", 1.0, 10.0),
            line("m2", "2024-01-05T18:00:01", "b", "c", 2.5, 20.0),
        ]
    );
    assert_eq!(
        dump(&dated),
        [
            line("m1", "2024-01-05", "a", "c", 1.0, 10.0),
            line("m2", "2024-01-06", "b", "c", 2.5, 20.0),
        ]
    );
}

#[test]
fn null_values_in_parquet_are_bad_rows_without_a_line_number() {
    let dir = Dir::new();
    let path = dir.path("orders.parquet");
    write_parquet(
        &path,
        vec![
            (
                "member_id",
                Arc::new(StringArray::from(vec![Some("m1"), None, Some("m3")])) as ArrayRef,
            ),
            (
                "ts",
                Arc::new(Date32Array::from(vec![Some(19_727), Some(19_727), None])),
            ),
            ("item_id", Arc::new(StringArray::from(vec!["a", "b", "c"]))),
            ("category", Arc::new(StringArray::from(vec!["c", "c", "c"]))),
            (
                "quantity",
                Arc::new(Int32Array::from(vec![Some(1), None, Some(1)])),
            ),
            (
                "amount",
                Arc::new(Float64Array::from(vec![1.0, f64::NAN, 1.0])),
            ),
        ],
    );
    let rejects = dir.path("rejects.csv");
    let skip = ReadOptions::default().with_policy(BadRowPolicy::Skip {
        rejects: rejects.clone(),
    });

    let problems = bad_rows(read_orders(&path, &ReadOptions::default()));
    let report = read_orders(&path, &skip).unwrap();

    let found: Vec<_> = problems
        .first
        .iter()
        .map(|p| (p.row, p.line, p.field))
        .collect();
    assert_eq!(
        found,
        [
            (2, None, "member_id"),
            (2, None, "quantity"),
            (2, None, "amount"),
            (3, None, "ts"),
        ]
    );
    assert_eq!(problems.total, 2);
    assert_eq!(report.rows_rejected, 2);
    assert_eq!(
        std::fs::read_to_string(&rejects).unwrap(),
        "row,line,field,value,reason,member_id,ts,item_id,category,quantity,amount\n\
         2,,member_id; quantity; amount,; ; NaN,empty or missing value; empty or missing value; \
         not a finite number (NaN or infinite),,2024-01-05T00:00:00,b,c,,NaN\n\
         3,,ts,,empty or missing value; expected a timestamp in ISO-8601 (YYYY-MM-DD or YYYY-MM-DDThh:mm:ss),m3,,c,c,1,1\n"
    );
}

#[test]
fn a_missing_parquet_column_is_reported_with_the_columns_found() {
    let dir = Dir::new();
    let path = dir.path("orders.parquet");
    typed_orders(&path);
    let mapping = ColumnMapping {
        amount: "total".into(),
        ..ColumnMapping::canonical()
    };

    let result = read_orders(&path, &ReadOptions::new(mapping));

    assert!(
        matches!(&result, Err(Error::MissingColumn { field: "amount", column, found, .. })
            if column == "total" && found == "member_id, ts, item_id, category, quantity, amount"),
        "{result:?}"
    );
}

#[test]
fn a_column_of_an_unusable_type_is_a_format_error_naming_it() {
    let dir = Dir::new();
    let path = dir.path("orders.parquet");
    write_parquet(
        &path,
        vec![
            (
                "member_id",
                Arc::new(StringArray::from(vec!["m1"])) as ArrayRef,
            ),
            ("ts", Arc::new(Date32Array::from(vec![19_727]))),
            ("item_id", Arc::new(StringArray::from(vec!["a"]))),
            ("category", Arc::new(StringArray::from(vec!["c"]))),
            ("quantity", Arc::new(BooleanArray::from(vec![true]))),
            ("amount", Arc::new(Float64Array::from(vec![1.0]))),
        ],
    );

    let result = read_orders(&path, &ReadOptions::default());

    assert!(
        matches!(&result, Err(Error::Format { message, .. }) if message.contains("`quantity`") && message.contains("Boolean")),
        "{result:?}"
    );
}

#[test]
fn a_file_that_is_not_parquet_is_a_format_error() {
    let dir = Dir::new();
    let path = dir.write("orders.parquet", canonical_csv(&SAME_AS_CSV));

    let result = read_orders(&path, &ReadOptions::default());

    assert!(matches!(result, Err(Error::Format { message, .. }) if message.contains("Parquet")));
}
