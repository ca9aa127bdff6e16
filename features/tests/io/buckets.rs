//! Member-hash buckets on disk: what one validating pass writes must read back as the book
//! `read_orders` gives, split by member, with the same store ids, sample, dates and bad-row
//! rules.

use std::path::PathBuf;

use features::io::{
    BadRowPolicy, Buckets, ColumnMapping, ReadOptions, bucket_orders, read_members, read_orders,
};
use features::partition::partition_of;
use features::state::state_members;
use features::{Day, OrderBook};

use crate::helpers::{Dir, bad_rows, canonical_csv, dump, ts};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../notebooks-data")
        .join(name)
}

fn options() -> ReadOptions {
    ReadOptions::new(ColumnMapping::from_toml_file(data("mappings/canonical.toml")).unwrap())
}

/// The bundled sample read whole, as a run without buckets reads it.
fn whole() -> OrderBook {
    let mut report = read_orders(data("sample/orders.csv"), &options()).unwrap();
    read_members(data("sample/members.csv"), &options(), &mut report.builder).unwrap();
    report.into_book()
}

/// The bundled sample (orders and members) in `n` buckets in `dir`.
fn sample_buckets(dir: &Dir, n: u32) -> Buckets {
    let mut pass = bucket_orders(data("sample/orders.csv"), &options(), &dir.path("b"), n).unwrap();
    pass.read_members(data("sample/members.csv"), &options())
        .unwrap();
    pass.finish()
}

/// The lines and attributes of member `id` of `book`.
fn member(
    book: &OrderBook,
    id: &str,
) -> (
    Vec<features::PurchaseLine>,
    Option<features::MemberAttributes>,
) {
    let m = book
        .members()
        .get(id)
        .unwrap_or_else(|| panic!("{id} is in the book"));
    (
        book.history(m).lines().to_vec(),
        book.attributes(m).cloned(),
    )
}

#[test]
fn the_buckets_of_the_sample_read_back_as_the_whole_book_split_by_member_partition() {
    let dir = Dir::new();
    let book = whole();
    let buckets = sample_buckets(&dir, 4);
    assert_eq!(buckets.len(), 4);
    assert_eq!((buckets.rows_read, buckets.rows_rejected), (54_728, 0));
    assert_eq!(buckets.lines, book.line_count() as u64);
    assert_eq!(buckets.returns, 532);
    assert_eq!(buckets.buyer_count(), book.buyer_count());
    assert_eq!(
        buckets.items().names().collect::<Vec<_>>(),
        book.items().names().collect::<Vec<_>>()
    );
    assert_eq!(
        buckets.categories().names().collect::<Vec<_>>(),
        book.categories().names().collect::<Vec<_>>()
    );
    assert_eq!(buckets.day_range(), book.day_range());
    for as_of in ["2023-01-01", "2024-12-04", "1999-01-01"].map(|d| Day::of_ts(ts(d))) {
        assert_eq!(
            buckets.first_day_before(as_of),
            book.first_day_before(as_of),
            "{as_of}"
        );
        assert_eq!(
            buckets.state_count(as_of),
            state_members(&book, as_of).len(),
            "{as_of}"
        );
    }
    let mut seen = 0;
    for i in 0..buckets.len() {
        let part = buckets.book(i).unwrap();
        // The store's ids, whatever the bucket holds.
        assert_eq!(part.items().len(), book.items().len());
        for id in part.members().names() {
            assert_eq!(
                partition_of(id, 4),
                i as u32,
                "{id} is in its partition's bucket"
            );
            assert_eq!(member(&part, id), member(&book, id), "{id}");
            seen += 1;
        }
    }
    assert_eq!(
        seen,
        book.members().len(),
        "every member, once (with lines or attributes)"
    );
}

#[test]
fn the_sample_read_from_the_buckets_is_the_book_s_member_sample() {
    let dir = Dir::new();
    let book = whole();
    let buckets = sample_buckets(&dir, 3);
    let from_buckets = buckets.sample(500).unwrap().expect("more than 500 members");
    let in_memory = book.member_sample(500).unwrap();
    assert_eq!(from_buckets.buyer_count(), 500);
    assert_eq!(dump(&from_buckets), dump(&in_memory));
    for id in from_buckets.members().names() {
        let m = in_memory.members().get(id).unwrap();
        assert_eq!(
            member(&from_buckets, id).1.as_ref(),
            in_memory.attributes(m),
            "{id}"
        );
    }
    assert!(
        buckets.sample(book.buyer_count()).unwrap().is_none(),
        "no sample of everyone"
    );
    assert_eq!(dump(&buckets.all().unwrap()), dump(&book));
}

#[test]
fn a_bad_row_stops_the_pass_naming_it_and_the_skip_policy_lists_it_as_read_orders_does() {
    let dir = Dir::new();
    let csv = canonical_csv(&[
        "m1,2024-01-01,i1,c1,1,10",
        "m2,2024-01-02,i2,c1,x,10",
        "m3,2024-01-03,i3,,2,20",
    ]);
    let file = dir.write("orders.csv", csv);
    let problems = bad_rows(bucket_orders(
        &file,
        &ReadOptions::default(),
        &dir.path("b"),
        2,
    ));
    let expected = bad_rows(read_orders(&file, &ReadOptions::default()));
    assert_eq!(format!("{problems}"), format!("{expected}"));
    assert!(format!("{problems}").contains("quantity"), "{problems}");

    let rejects = dir.path("rejects.csv");
    let skip = ReadOptions::default().with_policy(BadRowPolicy::Skip {
        rejects: rejects.clone(),
    });
    let buckets = bucket_orders(&file, &skip, &dir.path("b"), 2)
        .unwrap()
        .finish();
    assert_eq!(
        (buckets.rows_read, buckets.rows_rejected, buckets.lines),
        (3, 1, 2)
    );
    let listed = std::fs::read_to_string(&rejects).unwrap();
    assert!(listed.contains("m2"), "{listed}");
    let all = buckets.all().unwrap();
    assert_eq!(all.buyer_count(), 2);
    assert!(
        all.members().get("m2").is_none(),
        "the bad row is not loaded"
    );
}
