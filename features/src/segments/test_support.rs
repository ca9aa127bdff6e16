//! Tiny stores for the segment tests.

use crate::{Day, NO_CATEGORY, OrderBook, OrderBookBuilder, PurchaseLine};

/// The day `d` days after 2024-01-01.
pub(crate) fn day(d: i32) -> Day {
    date("2024-01-01").plus(d)
}

/// The day of an ISO date.
pub(crate) fn date(s: &str) -> Day {
    Day::of_ts(crate::time::parse_iso(s).expect("a valid date in a test"))
}

/// One line at noon of `day`; a negative amount is a return of one unit.
pub(crate) fn line(day: Day, amount: f64) -> PurchaseLine {
    PurchaseLine {
        ts: day.start_ts() + 12 * 3600,
        item: 0,
        category: NO_CATEGORY,
        quantity: if amount < 0.0 { -1.0 } else { 1.0 },
        amount,
    }
}

/// A book of `(member, day, amount)` lines at noon; a negative amount is a return.
pub(crate) fn book(lines: &[(&str, Day, f64)]) -> OrderBook {
    let mut b = OrderBookBuilder::new();
    for &(member, day, amount) in lines {
        let l = line(day, amount);
        b.push_line(member, l.ts, "sku", "cat", l.quantity, l.amount);
    }
    b.finish()
}
