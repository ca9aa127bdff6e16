//! Integration tests of `features::io`: reading CSV and Parquet order and member files.

mod bad_rows;
mod batches;
mod csv;
mod helpers;
mod mapping;
mod members;
mod parquet;
