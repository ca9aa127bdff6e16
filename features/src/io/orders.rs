//! Reading order lines into an order book builder.

use std::path::Path;

use crate::io::carried::CarriedAttributes;
use crate::io::columns::{Column, EMPTY, Kind, TsCache};
use crate::io::mapping::describe_format;
use crate::io::members::{AttributeParser, attribute_columns};
use crate::io::read::{PassOutcome, read_rows};
use crate::io::rejects::problem;
use crate::io::source::Wanted;
use crate::io::{LoadReport, ReadOptions};
use crate::{OrderBookBuilder, Result, RowProblem};

/// Reads the order lines of a `.csv` or `.parquet` file into a new [`OrderBookBuilder`].
///
/// Columns are found by the names in `opts.mapping`; a missing one is
/// [`crate::Error::MissingColumn`]. Ids and categories are trimmed of surrounding whitespace and
/// otherwise kept as written (`"00141833"` stays a string). A row is bad when its member id or
/// item id is empty, its timestamp does not parse in the mapping's `ts_format`, or its quantity
/// or amount is empty, not a number, NaN or infinite; bad rows are handled by `opts.policy`.
/// Lines with a negative quantity or amount are returns: they are kept and counted in
/// [`LoadReport::returns`]. An empty category means none. With `[members_from_orders]` in the
/// mapping, the last non-empty value of each attribute per member is set on the builder.
///
/// CSV files are UTF-8 with a header line (a byte-order mark is skipped), comma-separated, with
/// optional double quotes; a row whose field count differs from the header's is
/// [`crate::Error::Format`] naming its line. Parquet columns may be typed: strings (also large,
/// view and dictionary-encoded) or integers for ids, numbers or strings for quantity and amount,
/// dates or timestamps or strings for `ts` (a timestamp with a UTC offset is converted to the
/// wall-clock time of that offset).
pub fn read_orders(path: impl AsRef<Path>, opts: &ReadOptions) -> Result<LoadReport> {
    let mut builder = OrderBookBuilder::new();
    let pass = read_order_lines(path.as_ref(), opts, |member, ts, item, category, q, a| {
        builder.push_line(member, ts, item, category, q, a);
    })?;
    pass.carried.apply(&mut builder);
    Ok(LoadReport {
        builder,
        rows_read: pass.outcome.rows_read,
        rows_rejected: pass.outcome.rows_rejected,
        returns: pass.returns,
        fingerprint: pass.outcome.fingerprint,
    })
}

/// What [`read_order_lines`] found besides the lines.
pub(crate) struct OrderPass {
    /// Rows, rejects and fingerprint.
    pub(crate) outcome: PassOutcome,
    /// Good lines that are returns.
    pub(crate) returns: u64,
    /// Attributes carried on the lines (`[members_from_orders]`).
    pub(crate) carried: CarriedAttributes,
}

/// The validating pass of [`read_orders`], handing each good line to `on_line(member, ts,
/// item, category, quantity, amount)` (trimmed ids; an empty category means none).
pub(crate) fn read_order_lines(
    path: &Path,
    opts: &ReadOptions,
    mut on_line: impl FnMut(&str, i64, &str, &str, f64, f64),
) -> Result<OrderPass> {
    let mapping = &opts.mapping;
    let mut wanted: Vec<Wanted> = mapping
        .order_columns()
        .into_iter()
        .map(|(field, column)| Wanted {
            field,
            column: column.to_string(),
            kind: match field {
                "ts" => Kind::Time,
                "quantity" | "amount" => Kind::Number,
                _ => Kind::Text,
            },
            optional: field == "category",
        })
        .collect();
    let default_attributes = Default::default();
    let carried_spec = mapping
        .members_from_orders
        .as_ref()
        .unwrap_or(&default_attributes);
    wanted.extend(attribute_columns(carried_spec));
    let mut attributes = AttributeParser::new(carried_spec);
    let mut carried = CarriedAttributes::default();
    let mut times = TsCache::new(mapping.ts_format.clone());
    let mut returns = 0u64;
    let outcome = read_rows(path, opts, &wanted, |columns, i, keep, problems| {
        let member = required_text(&columns[0], i, "member_id", problems);
        let ts = columns[1].time(i, &mut times);
        if ts.is_none() {
            problems.push(ts_problem(&columns[1], i, &times));
        }
        let item = required_text(&columns[2], i, "item_id", problems);
        let category = columns[3].text(i).trim();
        let quantity = number(&columns[4], i, "quantity", problems);
        let amount = number(&columns[5], i, "amount", problems);
        let row_attributes = attributes.parse(&columns[6..], i, problems);
        if let (true, true, Some(ts)) = (keep, problems.is_empty(), ts) {
            on_line(member, ts, item, category, quantity, amount);
            if quantity < 0.0 || amount < 0.0 {
                returns += 1;
            }
            carried.update(member, &row_attributes);
        }
    })?;
    Ok(OrderPass {
        outcome,
        returns,
        carried,
    })
}

#[inline]
fn required_text<'c>(
    column: &'c Column,
    i: usize,
    field: &'static str,
    problems: &mut Vec<RowProblem>,
) -> &'c str {
    let value = column.text(i).trim();
    if value.is_empty() {
        problems.push(problem(field, &column.raw(i), EMPTY));
    }
    value
}

#[inline]
fn number(column: &Column, i: usize, field: &'static str, problems: &mut Vec<RowProblem>) -> f64 {
    column.number(i).unwrap_or_else(|reason| {
        problems.push(problem(field, &column.raw(i), reason));
        0.0
    })
}

fn ts_problem(column: &Column, i: usize, times: &TsCache) -> RowProblem {
    let raw = column.raw(i);
    let expected = describe_format(times.format());
    let reason = if raw.trim().is_empty() {
        format!("{EMPTY}; expected a timestamp in {expected}")
    } else {
        format!("not a timestamp in the expected format, {expected}")
    };
    problem("ts", &raw, reason)
}
