use features::io::{
    AttributeColumns, BadRowPolicy, ColumnMapping, MemberColumns, ReadOptions, read_members,
    read_orders,
};
use features::time::TsFormat;
use features::{Day, Error, MemberAttributes, OrderBookBuilder};

use crate::helpers::{Dir, bad_rows, canonical_csv, ts};

fn with_members(date_format: TsFormat, tier_levels: &[&str]) -> ReadOptions {
    ReadOptions::new(ColumnMapping {
        members: Some(MemberColumns {
            member_id: "會員編號".into(),
            attributes: AttributeColumns {
                joined: Some("入會日".into()),
                birthday: Some("生日".into()),
                age_group: None,
                region: Some("地區".into()),
                tier: Some("等級".into()),
                date_format,
                tier_levels: tier_levels.iter().map(|t| t.to_string()).collect(),
            },
        }),
        ..ColumnMapping::canonical()
    })
}

const MEMBERS: &str = "會員編號,入會日,生日,地區,等級\n\
                       m1,2020-01-05,1980-03-10,台北,金卡\n\
                       m2,,,,普卡\n\
                       m3,2021-06-30,,高雄,\n";

#[test]
fn a_members_table_without_a_tier_column_leaves_the_tier_unknown() {
    let dir = Dir::new();
    let orders = dir.write("orders.csv", canonical_csv(&["m1,2024-01-05,a,c,1,10"]));
    let members = dir.write(
        "members.csv",
        "會員編號,入會日,生日,地區\nm1,2020-01-05,,台北\n",
    );
    let options = with_members(TsFormat::Iso8601, &["普卡", "銀卡", "金卡"]);
    let mut report = read_orders(&orders, &options).unwrap();

    read_members(&members, &options, &mut report.builder).unwrap();

    let book = report.into_book();
    let attributes = book.attributes(0).unwrap();
    assert_eq!(attributes.region.as_deref(), Some("台北"));
    assert_eq!(
        (attributes.tier.as_deref(), attributes.tier_rank),
        (None, 0)
    );
}

#[test]
fn a_members_table_sets_attributes_and_tier_ranks() {
    let dir = Dir::new();
    let orders = dir.write("orders.csv", canonical_csv(&["m1,2024-01-05,a,c,1,10"]));
    let members = dir.write("members.csv", MEMBERS);
    let options = with_members(TsFormat::Iso8601, &["普卡", "銀卡", "金卡"]);
    let mut report = read_orders(&orders, &options).unwrap();

    let read = read_members(&members, &options, &mut report.builder).unwrap();

    assert_eq!((read.rows_read, read.rows_rejected), (3, 0));
    let book = report.into_book();
    let names: Vec<&str> = book.members().names().collect();
    assert_eq!(names, ["m1", "m2", "m3"]);
    assert_eq!(
        book.attributes(0),
        Some(&MemberAttributes {
            joined: Some(Day::of_ts(ts("2020-01-05"))),
            birthday: chrono::NaiveDate::from_ymd_opt(1980, 3, 10),
            age_group: None,
            region: Some("台北".into()),
            tier: Some("金卡".into()),
            tier_rank: 3,
        })
    );
    assert_eq!(book.attributes(1).map(|a| a.tier_rank), Some(1));
    assert_eq!(
        book.attributes(2).map(|a| (a.tier.clone(), a.tier_rank)),
        Some((None, 0))
    );
}

#[test]
fn without_tier_levels_tiers_are_kept_with_rank_zero() {
    let dir = Dir::new();
    let members = dir.write("members.csv", MEMBERS);
    let mut builder = OrderBookBuilder::new();

    read_members(
        &members,
        &with_members(TsFormat::Iso8601, &[]),
        &mut builder,
    )
    .unwrap();

    let book = builder.finish();
    let first = book.attributes(0).unwrap();
    assert_eq!((first.tier.as_deref(), first.tier_rank), (Some("金卡"), 0));
}

#[test]
fn an_unknown_tier_or_bad_date_is_a_bad_row_and_nothing_is_loaded() {
    let dir = Dir::new();
    let members = dir.write(
        "members.csv",
        "會員編號,入會日,生日,地區,等級\nm1,2020-01-05,,台北,鑽石卡\nm2,05/01/2020,,,普卡\n,,,,\n",
    );
    let mut builder = OrderBookBuilder::new();

    let options = with_members(TsFormat::Iso8601, &["普卡", "銀卡", "金卡"]);
    let problems = bad_rows(read_members(&members, &options, &mut builder));

    let found: Vec<_> = problems
        .first
        .iter()
        .map(|p| (p.row, p.line, p.field, p.value.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (1, Some(2), "tier", "鑽石卡"),
            (2, Some(3), "joined", "05/01/2020"),
            (3, Some(4), "member_id", ""),
        ]
    );
    assert!(
        problems.first[0]
            .reason
            .contains("unknown tier; tier_levels are [普卡, 銀卡, 金卡]")
    );
    assert!(problems.first[1].reason.contains("ISO-8601"));
    assert_eq!(builder.finish().members().len(), 0);
}

#[test]
fn skipping_bad_member_rows_keeps_the_good_ones() {
    let dir = Dir::new();
    let members = dir.write(
        "members.csv",
        "會員編號,入會日,生日,地區,等級\nm1,05.01.2020,,台北,鑽石卡\nm2,05.01.2020,,,普卡\n",
    );
    let rejects = dir.path("rejects.csv");
    let options = with_members(TsFormat::Pattern("%d.%m.%Y".into()), &["普卡"]).with_policy(
        BadRowPolicy::Skip {
            rejects: rejects.clone(),
        },
    );
    let mut builder = OrderBookBuilder::new();

    let report = read_members(&members, &options, &mut builder).unwrap();

    assert_eq!(report.rows_rejected, 1);
    let book = builder.finish();
    assert_eq!(book.members().names().collect::<Vec<_>>(), ["m2"]);
    assert_eq!(
        book.attributes(0).unwrap().joined,
        Some(Day::of_ts(ts("2020-01-05")))
    );
    assert!(
        std::fs::read_to_string(&rejects)
            .unwrap()
            .contains("1,2,tier,鑽石卡")
    );
}

#[test]
fn reading_members_without_a_members_section_is_a_config_error() {
    let dir = Dir::new();
    let members = dir.write("members.csv", MEMBERS);

    let result = read_members(
        &members,
        &ReadOptions::default(),
        &mut OrderBookBuilder::new(),
    );

    assert!(matches!(result, Err(Error::Config(m)) if m.contains("[members]")));
}

#[test]
fn attributes_on_order_lines_keep_the_last_non_empty_value_per_member() {
    let dir = Dir::new();
    let orders = dir.write(
        "orders.csv",
        "member_id,ts,item_id,category,quantity,amount,tier,age\n\
         m1,2024-01-05,a,c,1,10,銀卡,25-29\n\
         m1,2024-01-06,a,c,1,10,金卡,\n\
         m1,2024-01-04,a,c,1,10,,30-34\n\
         m2,2024-01-04,a,c,1,10,,\n",
    );
    let options = ReadOptions::new(ColumnMapping {
        members_from_orders: Some(AttributeColumns {
            tier: Some("tier".into()),
            age_group: Some("age".into()),
            tier_levels: vec!["銀卡".into(), "金卡".into()],
            ..AttributeColumns::default()
        }),
        ..ColumnMapping::canonical()
    });

    let book = read_orders(&orders, &options).unwrap().into_book();

    let m1 = book.attributes(0).unwrap();
    assert_eq!(
        (m1.tier.as_deref(), m1.tier_rank, m1.age_group.as_deref()),
        (Some("金卡"), 2, Some("30-34"))
    );
    assert_eq!(book.attributes(1), None);
}
