//! A member's net spend per day, for window sums.

use crate::segments::population::signed_amount;
use crate::{Day, PurchaseLine};

/// The days with lines of one member, ascending, with each day's largest order and running
/// net spend.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ledger {
    days: Vec<Day>,
    max_order: Vec<f64>,
    /// `prefix[i]`: net spend of `days[..i]`.
    prefix: Vec<f64>,
}

impl Ledger {
    /// The ledger of canonically ordered `lines`.
    pub(crate) fn new(lines: &[PurchaseLine]) -> Ledger {
        let mut ledger = Ledger {
            prefix: vec![0.0],
            ..Ledger::default()
        };
        let mut total = 0.0;
        for (i, line) in lines.iter().enumerate() {
            let day = Day::of_ts(line.ts);
            if ledger.days.last() != Some(&day) {
                ledger.days.push(day);
                ledger.max_order.push(0.0);
                ledger.prefix.push(total);
            }
            total += signed_amount(line);
            if let Some(p) = ledger.prefix.last_mut() {
                *p = total;
            }
            let order_start = i == 0 || lines[i - 1].ts != line.ts;
            if order_start {
                let order: f64 = lines[i..]
                    .iter()
                    .take_while(|l| l.ts == line.ts)
                    .filter(|l| !l.is_return())
                    .map(|l| l.amount)
                    .sum();
                if let Some(m) = ledger.max_order.last_mut() {
                    *m = m.max(order);
                }
            }
        }
        ledger
    }

    /// The first day with a line.
    pub(crate) fn first_day(&self) -> Option<Day> {
        self.days.first().copied()
    }

    /// Each day with lines and the amount of its largest order (purchase lines sharing one
    /// timestamp; 0 on a day of returns only).
    pub(crate) fn days(&self) -> impl Iterator<Item = (Day, f64)> + '_ {
        self.days
            .iter()
            .copied()
            .zip(self.max_order.iter().copied())
    }

    /// Net spend of the days `from ..= to` (`from = None`: from the first line); 0 when the
    /// range is empty.
    pub(crate) fn spend(&self, from: Option<Day>, to: Day) -> f64 {
        let lo = from.map_or(0, |f| self.days.partition_point(|&d| d < f));
        let hi = self.days.partition_point(|&d| d <= to);
        if hi <= lo {
            0.0
        } else {
            self.prefix[hi] - self.prefix[lo]
        }
    }
}
