use features::Error;
use features::io::{ColumnMapping, ReadOptions, read_orders};

use crate::helpers::{Dir, canonical_csv, dump, line, read_book, sha256_hex, snapshot};

#[test]
fn canonical_csv_round_trips_with_exact_values() {
    let dir = Dir::new();
    let content = canonical_csv(&[
        "m1,2024-01-05,sku-1,toner,1,1200",
        "m2,2024-01-07,sku-1,toner,-1,-1200",
        "m1,2024-02-16T10:30:00,sku-2,,2,99.5",
    ]);
    let path = dir.write("orders.csv", &content);

    let report = read_orders(&path, &ReadOptions::default()).unwrap();

    assert_eq!(report.rows_read, 3);
    assert_eq!(report.rows_rejected, 0);
    assert_eq!(report.returns, 1);
    assert_eq!(report.fingerprint, sha256_hex(content.as_bytes()));
    assert_eq!(
        dump(&report.into_book()),
        [
            line("m1", "2024-01-05", "sku-1", "toner", 1.0, 1200.0),
            line("m1", "2024-02-16T10:30:00", "sku-2", "", 2.0, 99.5),
            line("m2", "2024-01-07", "sku-1", "toner", -1.0, -1200.0),
        ]
    );
}

#[test]
fn tafeng_export_with_bom_quotes_and_leading_zeros_reads_through_the_preset() {
    let dir = Dir::new();
    let path = dir.write(
        "tafeng.csv",
        "\u{feff}\"TRANSACTION_DT\",\"CUSTOMER_ID\",\"AGE_GROUP\",\"PIN_CODE\",\"PRODUCT_SUBCLASS\",\"PRODUCT_ID\",\"AMOUNT\",\"ASSET\",\"SALES_PRICE\"\r\n\
         \"11/1/2000\",\"00141833\",\"35-39\",\"115\",\"110411\",\"4710199010372\",\"2\",\"24\",\"30\"\r\n\
         \"2/28/2001\",\"00141833\",\"\",\"Others\",\"100407\",\"0471004365410\",\"1\",\"142\",\"166\"\r\n\
         \"1/9/2001\",\"01104905\",\"<25\",\"\",\"120107\",\"4710857472535\",\"3\",\"48\",\"46\"\r\n",
    );

    let book = read_book(&path, ColumnMapping::tafeng());

    assert_eq!(
        dump(&book),
        [
            line(
                "00141833",
                "2000-11-01",
                "4710199010372",
                "110411",
                2.0,
                30.0
            ),
            line(
                "00141833",
                "2001-02-28",
                "0471004365410",
                "100407",
                1.0,
                166.0
            ),
            line(
                "01104905",
                "2001-01-09",
                "4710857472535",
                "120107",
                3.0,
                46.0
            ),
        ]
    );
    let first = book.attributes(0).unwrap();
    assert_eq!(first.age_group.as_deref(), Some("35-39"));
    assert_eq!(first.region.as_deref(), Some("Others"));
    let second = book.attributes(1).unwrap();
    assert_eq!(second.age_group.as_deref(), Some("<25"));
    assert_eq!(second.region, None);
}

#[test]
fn chinese_ids_and_categories_are_kept_as_written() {
    let dir = Dir::new();
    let path = dir.write(
        "orders.csv",
        canonical_csv(&[
            "會員001,2024-01-05,碳粉匣-黑,碳粉匣,1,1200",
            "\"會員002\",2024-01-06,\"茶葉, 烏龍\",茶,2,600",
        ]),
    );

    let book = read_book(&path, ColumnMapping::canonical());

    assert_eq!(
        dump(&book),
        [
            line("會員001", "2024-01-05", "碳粉匣-黑", "碳粉匣", 1.0, 1200.0),
            line("會員002", "2024-01-06", "茶葉, 烏龍", "茶", 2.0, 600.0),
        ]
    );
}

#[test]
fn ids_and_numbers_are_trimmed_of_surrounding_spaces() {
    let dir = Dir::new();
    let path = dir.write(
        "orders.csv",
        canonical_csv(&[" m1 ,2024-01-05, sku-1 , toner , 1 , 12.50 "]),
    );

    let book = read_book(&path, ColumnMapping::canonical());

    assert_eq!(
        dump(&book),
        [line("m1", "2024-01-05", "sku-1", "toner", 1.0, 12.5)]
    );
}

#[test]
fn renamed_and_reordered_columns_are_found_by_name() {
    let dir = Dir::new();
    let path = dir.write(
        "export.csv",
        "Total,Qty,Sku,When,Extra,Customer,Group\n10,1,a,05.01.2024,x,c1,g\n",
    );
    let mapping = ColumnMapping::from_toml_str(
        "member_id = \"Customer\"\nts = \"When\"\nitem_id = \"Sku\"\ncategory = \"Group\"\n\
         quantity = \"Qty\"\namount = \"Total\"\nts_format = \"%d.%m.%Y\"",
    )
    .unwrap();

    let book = read_book(&path, mapping);

    assert_eq!(dump(&book), [line("c1", "2024-01-05", "a", "g", 1.0, 10.0)]);
}

#[test]
fn batch_size_one_and_64k_give_the_identical_book_and_snapshot() {
    let dir = Dir::new();
    let rows: Vec<String> = (0..400)
        .map(|i| {
            format!(
                "m{},2024-{:02}-{:02},sku-{},cat-{},{},{}.25",
                i % 37,
                1 + i % 3,
                1 + i % 28,
                i % 11,
                i % 5,
                1 + i % 4,
                i
            )
        })
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let path = dir.write("orders.csv", canonical_csv(&rows));
    let read = |batch_size| {
        let options = ReadOptions::default().with_batch_size(batch_size);
        read_orders(&path, &options).unwrap().into_book()
    };

    let small = read(1);
    let large = read(65_536);

    assert_eq!(dump(&small), dump(&large));
    assert_eq!(
        snapshot(&small, "2024-03-10"),
        snapshot(&large, "2024-03-10")
    );
    assert_eq!(snapshot(&small, "2024-03-10").len(), 37);
}

#[test]
fn a_row_with_a_missing_field_is_a_format_error_naming_its_line() {
    let dir = Dir::new();
    let path = dir.write(
        "orders.csv",
        canonical_csv(&[
            "m1,2024-01-05,a,c,1,10",
            "m1,2024-01-06,b,\"multi\nline\",1,10",
            "m2,2024-01-07,a,c,1",
        ]),
    );

    let result = read_orders(&path, &ReadOptions::default());

    assert!(
        matches!(&result, Err(Error::Format { path: p, message }) if p == &path && message.contains("line 5") && message.contains("5 fields")),
        "{result:?}"
    );
}

#[test]
fn a_missing_column_is_reported_with_the_columns_found() {
    let dir = Dir::new();
    let path = dir.write(
        "orders.csv",
        "\u{feff}member_id,ts,item_id,category,qty,amount\nm1,2024-01-05,a,c,1,10\n",
    );

    let result = read_orders(&path, &ReadOptions::default());

    assert!(
        matches!(&result, Err(Error::MissingColumn { field: "quantity", column, found, .. })
            if column == "quantity" && found == "member_id, ts, item_id, category, qty, amount"),
        "{result:?}"
    );
}

#[test]
fn a_file_without_a_category_column_reads_every_line_without_a_category() {
    let dir = Dir::new();
    let path = dir.write(
        "orders.csv",
        "member_id,ts,item_id,quantity,amount\nm1,2024-01-05,a,1,10\n",
    );

    let book = read_orders(&path, &ReadOptions::default())
        .unwrap()
        .into_book();

    assert_eq!(dump(&book), [line("m1", "2024-01-05", "a", "", 1.0, 10.0)]);
    assert!(book.categories().is_empty());
}

#[test]
fn an_unknown_extension_is_an_error_naming_the_file() {
    let dir = Dir::new();
    let path = dir.write("orders.txt", canonical_csv(&["m1,2024-01-05,a,c,1,10"]));

    let result = read_orders(&path, &ReadOptions::default());

    assert!(
        matches!(&result, Err(Error::Format { path: p, message }) if p == &path && message.contains(".csv or .parquet")),
        "{result:?}"
    );
    assert!(result.unwrap_err().to_string().contains("orders.txt"));
}

#[test]
fn an_empty_file_and_a_missing_file_are_errors() {
    let dir = Dir::new();
    let empty = dir.write("empty.csv", "");

    let empty_result = read_orders(&empty, &ReadOptions::default());
    let missing_result = read_orders(dir.path("missing.csv"), &ReadOptions::default());

    assert!(
        matches!(empty_result, Err(Error::Format { message, .. }) if message.contains("no header"))
    );
    assert!(matches!(missing_result, Err(Error::Io { path, .. }) if path.ends_with("missing.csv")));
}

#[test]
fn a_header_only_file_gives_an_empty_book() {
    let dir = Dir::new();
    let path = dir.write("orders.csv", canonical_csv(&[]));

    let report = read_orders(&path, &ReadOptions::default()).unwrap();

    assert_eq!(report.rows_read, 0);
    assert_eq!(report.into_book().line_count(), 0);
}

#[test]
fn batch_size_zero_is_a_config_error() {
    let dir = Dir::new();
    let path = dir.write("orders.csv", canonical_csv(&[]));

    let result = read_orders(&path, &ReadOptions::default().with_batch_size(0));

    assert!(matches!(result, Err(Error::Config(m)) if m.contains("batch_size")));
}

#[test]
fn invalid_utf8_is_a_format_error_naming_line_and_field() {
    let dir = Dir::new();
    let mut content = canonical_csv(&["m1,2024-01-05,a,c,1,10"]).into_bytes();
    content.extend_from_slice(b"m2,2024-01-05,\xff\xfe,c,1,10\n");
    let path = dir.write("orders.csv", content);

    let result = read_orders(&path, &ReadOptions::default());

    assert!(
        matches!(&result, Err(Error::Format { message, .. }) if message == "line 3: field 3 is not UTF-8"),
        "{result:?}"
    );
}
