//! Reading order-line and member files (CSV, Parquet) into an order book.
//!
//! A [`ColumnMapping`] says which column holds which field; [`read_orders`] reads an order file
//! in Arrow batches into an [`crate::OrderBookBuilder`], and [`read_members`] adds a members
//! table to it. No value is dropped silently: every bad row is reported with its row number (and
//! line, for CSV), field, value and reason, and either stops the load
//! ([`BadRowPolicy::Stop`], the default) or is written to a rejects file
//! ([`BadRowPolicy::Skip`]).
//!
//! ```no_run
//! use features::io::{ColumnMapping, ReadOptions, read_orders};
//!
//! # fn main() -> features::Result<()> {
//! let mapping = ColumnMapping::from_toml_file("notebooks-data/mappings/tafeng.toml")?;
//! let report = read_orders("ta_feng_all_months_merged.csv", &ReadOptions::new(mapping))?;
//! assert_eq!(report.rows_rejected, 0);
//! let book = report.into_book();
//! # Ok(()) }
//! ```

mod buckets;
mod carried;
mod columns;
mod csv_source;
mod lines;
mod mapping;
mod member_columns;
mod members;
mod options;
mod orders;
mod parquet_source;
mod read;
mod rejects;
mod source;

pub use buckets::{BucketPass, Buckets, ROW_GROUP, bucket_orders};
pub use mapping::ColumnMapping;
pub use member_columns::{AttributeColumns, MemberColumns};
pub use members::read_members;
pub use options::{BadRowPolicy, LoadReport, MembersReport, ReadOptions};
pub use orders::read_orders;
