//! Labels for a window after a cutoff: churn, and the next-category and next-item truth sets.

use crate::{Day, Kind, OrderBook, PurchaseHistory, Snapshot};

/// A label window `[start, start + horizon_days)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Window {
    /// First day of the window (the cutoff).
    pub start: Day,
    /// First day after the window.
    pub end: Day,
}

impl Window {
    /// The window of `horizon_days` days starting at `start`.
    pub fn new(start: Day, horizon_days: u32) -> Window {
        Window {
            start,
            end: start.plus(horizon_days as i32),
        }
    }

    /// True when the member has a purchase line (not a return) in the window.
    pub fn buys(&self, history: &PurchaseHistory<'_>) -> bool {
        history
            .between(self.start, self.end)
            .iter()
            .any(|l| !l.is_return())
    }

    /// Churn label: no purchase line in the window.
    pub fn churned(&self, history: &PurchaseHistory<'_>) -> bool {
        !self.buys(history)
    }

    /// The distinct categories or items bought in the window, ascending; returns are left out.
    pub fn truth(&self, history: &PurchaseHistory<'_>, kind: Kind) -> Vec<u32> {
        let mut ids: Vec<u32> = history
            .between(self.start, self.end)
            .iter()
            .filter(|l| !l.is_return())
            .filter_map(|l| kind.key(l))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

impl OrderBook {
    /// Churn labels for the snapshot's members over `[as_of, as_of + horizon_days)`.
    pub fn churn_labels(&self, snapshot: &Snapshot, horizon_days: u32) -> Vec<bool> {
        let w = Window::new(snapshot.as_of, horizon_days);
        snapshot
            .members
            .iter()
            .map(|&m| w.churned(&self.history(m)))
            .collect()
    }

    /// Truth sets for the snapshot's members over `[as_of, as_of + horizon_days)`: empty for
    /// members who buy nothing of that kind there.
    pub fn truth_sets(&self, snapshot: &Snapshot, horizon_days: u32, kind: Kind) -> Vec<Vec<u32>> {
        let w = Window::new(snapshot.as_of, horizon_days);
        snapshot
            .members
            .iter()
            .map(|&m| w.truth(&self.history(m), kind))
            .collect()
    }
}
