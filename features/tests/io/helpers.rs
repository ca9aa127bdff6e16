//! Small files in a temporary folder, and comparable views of what was read.

use std::path::PathBuf;

use features::io::{ColumnMapping, ReadOptions, read_orders};
use features::{Day, Error, OrderBook, RowProblems, Snapshot};

/// One order line with its strings: member, ts, item, category (`""` = none), quantity, amount.
pub(crate) type Line = (String, i64, String, String, f64, f64);

/// A temporary folder that files are written into.
pub(crate) struct Dir(pub tempfile::TempDir);

impl Dir {
    pub(crate) fn new() -> Dir {
        Dir(tempfile::tempdir().expect("a temporary folder"))
    }

    /// Writes `content` to `name` and returns its path.
    pub(crate) fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, content).expect("write a test file");
        path
    }

    /// The path of `name` in the folder.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }
}

/// Seconds of an ISO date or date-time.
pub(crate) fn ts(s: &str) -> i64 {
    features::time::parse_iso(s).expect("a valid ISO test timestamp")
}

/// Every line of the book, by member id and then in canonical order.
pub(crate) fn dump(book: &OrderBook) -> Vec<Line> {
    let mut out = Vec::new();
    for m in 0..book.members().len() as u32 {
        for l in book.history(m).lines() {
            let category = if l.category == features::NO_CATEGORY {
                String::new()
            } else {
                book.categories().name(l.category).to_string()
            };
            out.push((
                book.members().name(m).to_string(),
                l.ts,
                book.items().name(l.item).to_string(),
                category,
                l.quantity,
                l.amount,
            ));
        }
    }
    out
}

/// One expected line.
pub(crate) fn line(member: &str, at: &str, item: &str, category: &str, q: f64, a: f64) -> Line {
    (member.into(), ts(at), item.into(), category.into(), q, a)
}

/// Reads `path` with `mapping` and the default options, and finishes the book.
pub(crate) fn read_book(path: &PathBuf, mapping: ColumnMapping) -> OrderBook {
    read_orders(path, &ReadOptions::new(mapping))
        .expect("the file reads without problems")
        .into_book()
}

/// The snapshot of a book as of `date`.
pub(crate) fn snapshot(book: &OrderBook, date: &str) -> Snapshot {
    book.snapshot(Day::of_ts(ts(date)))
}

/// The problems of a read that must fail with [`Error::BadRows`].
pub(crate) fn bad_rows<T: std::fmt::Debug>(result: features::Result<T>) -> RowProblems {
    match result {
        Err(Error::BadRows(problems)) => problems,
        other => panic!("expected Error::BadRows, got {other:?}"),
    }
}

/// SHA-256 of `bytes`, lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A canonical CSV: header then `rows` joined by newlines.
pub(crate) fn canonical_csv(rows: &[&str]) -> String {
    let mut s = String::from("member_id,ts,item_id,category,quantity,amount\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}
