//! Integration tests of `features::io`: reading CSV and Parquet order and member files, and
//! the offer rules on the bundled sample read through it.

mod bad_rows;
mod batches;
mod buckets;
mod csv;
mod helpers;
mod mapping;
mod members;
mod offers;
mod parquet;
