//! Reading order-line and member files (CSV, Parquet) into an order book.
