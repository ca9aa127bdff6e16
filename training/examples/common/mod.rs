//! What the development examples share: `FILE MAPPING AS_OF` from the command line.

use features::io::{ColumnMapping, ReadOptions, read_members, read_orders};
use features::{Day, OrderBook};

/// The order book of `args[1]` read with mapping `args[2]` (`tafeng`, `canonical` or a mapping
/// file), with the members file of the environment variable `MEMBERS` when set, and the as-of
/// date `args[3]`.
pub(crate) fn book_and_as_of(args: &[String]) -> anyhow::Result<(OrderBook, Day)> {
    let mapping = match args[2].as_str() {
        "tafeng" => ColumnMapping::tafeng(),
        "canonical" => ColumnMapping::canonical(),
        file => ColumnMapping::from_toml_file(file)?,
    };
    let options = ReadOptions::new(mapping);
    let mut report = read_orders(&args[1], &options)?;
    if let Ok(members) = std::env::var("MEMBERS") {
        read_members(&members, &options, &mut report.builder)?;
    }
    let book = report.into_book();
    let as_of = Day::from_date(features::time::parse_date(&args[3]).expect("as-of date"));
    Ok((book, as_of))
}

/// The environment variable `name` parsed, or `default` when it is unset or does not parse.
pub(crate) fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
