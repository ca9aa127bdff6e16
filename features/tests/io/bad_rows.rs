use features::io::{BadRowPolicy, ColumnMapping, ReadOptions, read_orders};
use features::time::TsFormat;
use features::{RowProblem, RowProblems};

use crate::helpers::{Dir, bad_rows, canonical_csv, dump, line};

const GOOD: &str = "m1,2024-01-05,a,c,1,10";

/// Reads a canonical file of one good row then `bad`, and returns its only problem.
fn single_problem(bad: &str, mapping: ColumnMapping) -> RowProblem {
    let good = match mapping.ts_format {
        TsFormat::Iso8601 => GOOD,
        TsFormat::Pattern(_) => "m1,01/05/2024,a,c,1,10",
    };
    let dir = Dir::new();
    let path = dir.write("orders.csv", canonical_csv(&[good, bad]));
    let problems = bad_rows(read_orders(&path, &ReadOptions::new(mapping)));
    assert_eq!(problems.total, 1, "{problems}");
    assert_eq!(problems.first.len(), 1, "{problems}");
    problems.first.into_iter().next().unwrap()
}

#[test]
fn each_kind_of_bad_value_is_reported_with_row_line_field_value_and_reason() {
    let iso = ColumnMapping::canonical;
    let us_dates = || ColumnMapping {
        ts_format: TsFormat::Pattern("%m/%d/%Y".into()),
        ..ColumnMapping::canonical()
    };
    let cases = [
        (
            ",2024-01-05,a,c,1,10",
            iso(),
            "member_id",
            "",
            "empty or missing",
        ),
        (
            "  ,2024-01-05,a,c,1,10",
            iso(),
            "member_id",
            "  ",
            "empty or missing",
        ),
        (
            "m1,2024-01-05,,c,1,10",
            iso(),
            "item_id",
            "",
            "empty or missing",
        ),
        (
            "m1,2024-13-05,a,c,1,10",
            iso(),
            "ts",
            "2024-13-05",
            "ISO-8601",
        ),
        ("m1,,a,c,1,10", iso(), "ts", "", "empty or missing"),
        (
            "m1,2024-01-05,a,c,1,10",
            us_dates(),
            "ts",
            "2024-01-05",
            "`%m/%d/%Y`",
        ),
        (
            "m1,2024-01-05,a,c,two,10",
            iso(),
            "quantity",
            "two",
            "not a number",
        ),
        (
            "m1,2024-01-05,a,c,,10",
            iso(),
            "quantity",
            "",
            "empty or missing",
        ),
        (
            "m1,2024-01-05,a,c,NaN,10",
            iso(),
            "quantity",
            "NaN",
            "not a finite",
        ),
        (
            "m1,2024-01-05,a,c,1,inf",
            iso(),
            "amount",
            "inf",
            "not a finite",
        ),
        (
            "m1,2024-01-05,a,c,1,1e400",
            iso(),
            "amount",
            "1e400",
            "not a finite",
        ),
        (
            "m1,2024-01-05,a,c,1,\"1,200\"",
            iso(),
            "amount",
            "1,200",
            "not a number",
        ),
    ];
    for (bad, mapping, field, value, reason) in cases {
        let p = single_problem(bad, mapping);

        assert_eq!(
            (p.row, p.line, p.field, p.value.as_str()),
            (2, Some(3), field, value),
            "{bad}"
        );
        assert!(p.reason.contains(reason), "{bad}: {}", p.reason);
    }
}

#[test]
fn a_bad_row_after_a_quoted_multi_line_value_has_its_exact_row_and_line() {
    let dir = Dir::new();
    let path = dir.write(
        "orders.csv",
        "member_id,ts,item_id,category,quantity,amount,note\n\
         m1,2024-01-05,a,c,1,10,plain\n\
         m1,2024-01-06,b,c,1,10,\"three\nline\nnote\"\n\
         m2,2024-01-07,a,c,1,abc,x\n",
    );

    let problems = bad_rows(read_orders(&path, &ReadOptions::default()));

    assert_eq!(
        problems.first,
        [RowProblem {
            row: 3,
            line: Some(6),
            field: "amount",
            value: "abc".into(),
            reason: "not a number".into(),
        }]
    );
}

#[test]
fn a_row_with_several_problems_reports_all_of_them() {
    let problems = {
        let dir = Dir::new();
        let path = dir.write("orders.csv", canonical_csv(&[GOOD, ",bad,a,c,x,10"]));
        bad_rows(read_orders(&path, &ReadOptions::default()))
    };

    let fields: Vec<_> = problems.first.iter().map(|p| (p.row, p.field)).collect();
    assert_eq!(fields, [(2, "member_id"), (2, "ts"), (2, "quantity")]);
    assert_eq!(problems.total, 1);
}

#[test]
fn long_values_are_truncated_to_80_characters() {
    let long = "字".repeat(100);

    let p = single_problem(
        &format!("m1,2024-01-05,a,c,1,{long}"),
        ColumnMapping::canonical(),
    );

    assert_eq!(p.value.chars().count(), 80);
}

#[test]
fn stop_policy_reads_everything_then_lists_the_first_ten_and_the_total() {
    let dir = Dir::new();
    let mut rows = vec![GOOD.to_string()];
    rows.extend((0..12).map(|i| format!("m{i},2024-01-05,a,c,1,bad{i}")));
    rows.push(GOOD.to_string());
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let path = dir.write("orders.csv", canonical_csv(&rows));

    let problems = bad_rows(read_orders(&path, &ReadOptions::default()));

    assert_eq!(problems.total, 12);
    assert_eq!(problems.first.len(), RowProblems::KEEP);
    let rows: Vec<u64> = problems.first.iter().map(|p| p.row).collect();
    assert_eq!(rows, (2..12).collect::<Vec<_>>());
    let message = problems.to_string();
    assert!(message.contains("12 bad rows; first 10:"), "{message}");
    assert!(
        message.contains("row 2 (line 3), amount: not a number (value \"bad0\")"),
        "{message}"
    );
    assert!(
        message.contains("bad9") && !message.contains("bad10"),
        "{message}"
    );
    assert!(message.contains("orders.csv"), "{message}");
}

#[test]
fn skip_policy_loads_the_good_rows_and_writes_every_bad_row_to_the_rejects_file() {
    let dir = Dir::new();
    let path = dir.write(
        "orders.csv",
        canonical_csv(&[
            GOOD,
            ",2024-01-06,b,c,1,x",
            "m2,2024-01-07,b,c,-1,-10",
            "m3,07/01/2024,b,,1,10",
            "m3,2024-01-08,b,,1,10",
        ]),
    );
    let rejects = dir.path("rejects.csv");
    let options = ReadOptions::default().with_policy(BadRowPolicy::Skip {
        rejects: rejects.clone(),
    });

    let report = read_orders(&path, &options).unwrap();

    assert_eq!(
        (report.rows_read, report.rows_rejected, report.returns),
        (5, 2, 1)
    );
    assert_eq!(
        dump(&report.into_book()),
        [
            line("m1", "2024-01-05", "a", "c", 1.0, 10.0),
            line("m2", "2024-01-07", "b", "c", -1.0, -10.0),
            line("m3", "2024-01-08", "b", "", 1.0, 10.0),
        ]
    );
    assert_eq!(
        std::fs::read_to_string(&rejects).unwrap(),
        "row,line,field,value,reason,member_id,ts,item_id,category,quantity,amount\n\
         2,3,member_id; amount,; x,empty or missing value; not a number,,2024-01-06,b,c,1,x\n\
         4,5,ts,07/01/2024,\"not a timestamp in the expected format, ISO-8601 (YYYY-MM-DD or YYYY-MM-DDThh:mm:ss)\",m3,07/01/2024,b,,1,10\n"
    );
}

#[test]
fn skip_policy_without_bad_rows_writes_a_header_only_rejects_file() {
    let dir = Dir::new();
    let path = dir.write("orders.csv", canonical_csv(&[GOOD]));
    let rejects = dir.write("rejects.csv", "stale content from an earlier run\n");
    let options = ReadOptions::default().with_policy(BadRowPolicy::Skip {
        rejects: rejects.clone(),
    });

    let report = read_orders(&path, &options).unwrap();

    assert_eq!(report.rows_rejected, 0);
    assert_eq!(
        std::fs::read_to_string(&rejects).unwrap(),
        "row,line,field,value,reason,member_id,ts,item_id,category,quantity,amount\n"
    );
}

#[test]
fn blank_lines_are_not_rows_but_count_as_lines() {
    let dir = Dir::new();
    let path = dir.write(
        "orders.csv",
        format!(
            "{}\r\n\r\nm2,2024-01-05,a,c,x,10\r\n\r\n",
            canonical_csv(&[GOOD]).trim_end()
        ),
    );

    let problems = bad_rows(read_orders(&path, &ReadOptions::default()));

    let found: Vec<_> = problems.first.iter().map(|p| (p.row, p.line)).collect();
    assert_eq!(found, [(2, Some(4))]);
}

#[test]
fn lines_are_counted_through_bom_crlf_quoted_breaks_and_blank_lines() {
    let dir = Dir::new();
    let head = "\u{feff}member_id,ts,item_id,category,quantity,amount,note\r\n\
                m1,2024-01-05,a,c,1,10,\"x\r\ny\"\r\n\
                \r\n";
    let bad_value = dir.write("bad.csv", format!("{head}m2,2024-01-05,a,c,1,bad,z\r\n"));
    let short_row = dir.write("short.csv", format!("{head}\r\nm2,2024-01-05,a,c,1,10\r\n"));

    let problems = bad_rows(read_orders(&bad_value, &ReadOptions::default()));
    let structural = read_orders(&short_row, &ReadOptions::default());

    let found: Vec<_> = problems.first.iter().map(|p| (p.row, p.line)).collect();
    assert_eq!(found, [(2, Some(5))]);
    assert!(
        matches!(&structural, Err(features::Error::Format { message, .. }) if message.starts_with("line 6: 6 fields")),
        "{structural:?}"
    );
}
