//! Replaying a member's lines through a tier programme.

use super::ledger::Ledger;
use super::program::{Downgrade, ValidTierProgram};
use crate::{Day, PurchaseHistory};

/// A member's tier as of a day.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TierStatus {
    /// Index of the level in [`ValidTierProgram::levels`] (0 = base).
    pub level: usize,
    /// The day the member reached this level (kept through renewals); for the base level the
    /// first day with a line, or the day of the downgrade to it. `None` without any line.
    pub since: Option<Day>,
    /// The review day: the level is held through the day before, and renewed or downgraded on
    /// it. `None` for the base level and for programmes without `validity_days`.
    pub expiry: Option<Day>,
    /// Net spend that counts toward an upgrade on the as-of day: lines in the window ending on
    /// it, i.e. `as_of - window_days + 1 ..= as_of - 1` (all history for a lifetime window).
    pub qualifying_spend: f64,
    /// Net spend that reaches the next level's `spend` if bought on the as-of day (0 or more);
    /// `None` at the top level or when the next level has no `spend` threshold.
    pub spend_to_next: Option<f64>,
    /// Net spend already counted for the review at `expiry`: lines from `expiry -
    /// window_days` to the day before the as-of day. `None` without an expiry.
    pub renewal_spend: Option<f64>,
    /// Net spend still needed before `expiry` to renew (0 or more). `None` without an expiry.
    pub spend_to_renew: Option<f64>,
}

/// Why a member's level changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TierChangeKind {
    /// Reached a higher level by window spend or one order.
    Upgrade,
    /// Kept the level at review: a new validity period from the review day.
    Renew,
    /// Lost the level at review.
    Downgrade,
    /// Returns took window spend back below the threshold of a level reached by spend.
    Clawback,
}

/// One change in a member's tier, for the membership update log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct TierChange {
    /// The day the change took effect.
    pub day: Day,
    /// What happened.
    pub kind: TierChangeKind,
    /// Level before.
    pub from: usize,
    /// Level after (equal to `from` for a renewal).
    pub to: usize,
}

#[derive(Debug, Clone, Copy)]
struct Held {
    level: usize,
    since: Option<Day>,
    expiry: Option<Day>,
    /// First day of the window that reached this level by spend, while returns can still take it
    /// back (until its first review); `None` otherwise.
    anchor: Option<Day>,
}

impl ValidTierProgram {
    /// The member's tier as of `as_of`, from the lines of `history` strictly before it.
    ///
    /// Rules, replayed day by day over the lines before `as_of` (amounts net of returns: a
    /// return line subtracts its absolute amount on the day it happens):
    /// - **Reach.** At the end of each day `d` with lines, the member moves up to the highest
    ///   level whose `spend` the net spend of the window ending on `d` meets, or whose
    ///   `single_order` one order (purchase lines sharing a timestamp) on `d` meets. The new
    ///   level is held from `d` (`since`) and reviewed on `d + validity_days` (`expiry`), so it
    ///   is valid for `validity_days` days counting `d` itself.
    /// - **Review.** At the start of the review day `E`, the level is renewed when the net spend
    ///   of the window ending on `E - 1` meets its `renew` threshold (default `spend`): `since`
    ///   is kept and the next review is `E + validity_days`. Otherwise the member is downgraded
    ///   as [`Downgrade`] says, holds the new level from `E` and, unless it is the base level,
    ///   reviews it on `E + validity_days`. Lines of `E` count after the review. With
    ///   `window_days == validity_days` the renewal window is the validity period itself, so
    ///   the spend of the day the level was reached counts toward its first renewal (as in
    ///   "12 months of spend" rules); a window one day shorter leaves that day out.
    /// - **Returns.** Until its first review, a level reached by window spend is taken back when
    ///   returns bring the net spend from that window's first day up to today below its `spend`
    ///   (purchases only add to that sum, so only returns can do this): the member goes to the
    ///   highest level that sum still reaches, never below the level held before the upgrade,
    ///   whose `since` and `expiry` come back (a restored level already past its review is
    ///   reviewed the next day). Levels reached by one order are not taken back, because
    ///   returns are not linked to orders.
    ///
    /// Days are calendar days, so a 365-day window or validity spanning 29 February covers one
    /// day less than a calendar year. Amounts within a billionth (relative) of a threshold meet
    /// it, so floating-point sums of decimal amounts do not miss an exact threshold.
    pub fn evaluate(&self, history: &PurchaseHistory<'_>, as_of: Day) -> TierStatus {
        self.replay(history, as_of).0
    }

    /// [`ValidTierProgram::evaluate`], with every change on the way in day order.
    pub fn replay(
        &self,
        history: &PurchaseHistory<'_>,
        as_of: Day,
    ) -> (TierStatus, Vec<TierChange>) {
        let ledger = Ledger::new(history.before(as_of));
        let mut run = Run {
            program: self,
            ledger: &ledger,
            held: Held {
                level: 0,
                since: ledger.first_day(),
                expiry: None,
                anchor: None,
            },
            previous: Vec::new(),
            changes: Vec::new(),
        };
        for (day, max_order) in ledger.days() {
            run.review_until(day);
            run.claw_back(day);
            run.reach(day, max_order);
        }
        run.review_until(as_of);
        (run.status(as_of), run.changes)
    }
}

struct Run<'a> {
    program: &'a ValidTierProgram,
    ledger: &'a Ledger,
    held: Held,
    previous: Vec<Held>,
    changes: Vec<TierChange>,
}

impl Run<'_> {
    fn window_start(&self, end: Day) -> Option<Day> {
        let w = self.program.as_program().window_days?;
        Some(end.plus(1 - w as i32))
    }

    fn expiry_from(&self, day: Day, level: usize) -> Option<Day> {
        let v = self.program.as_program().validity_days?;
        (level > 0).then(|| day.plus(v as i32))
    }

    fn log(&mut self, day: Day, kind: TierChangeKind, from: usize, to: usize) {
        self.changes.push(TierChange {
            day,
            kind,
            from,
            to,
        });
    }

    fn review_until(&mut self, until: Day) {
        while let Some(e) = self.held.expiry.filter(|&e| e <= until) {
            self.review(e);
        }
    }

    fn review(&mut self, e: Day) {
        let end = e.plus(-1);
        let spend = self.ledger.spend(self.window_start(end), end);
        let from = self.held.level;
        self.previous.clear();
        let renew = self.program.renew_threshold(from);
        if renew.is_some_and(|t| meets(spend, t)) {
            self.held.expiry = self.expiry_from(e, from);
            self.held.anchor = None;
            self.log(e, TierChangeKind::Renew, from, from);
            return;
        }
        let to = match self.program.as_program().downgrade {
            Downgrade::OneStep => from.saturating_sub(1),
            Downgrade::ToBase => 0,
            Downgrade::ToSupported => (1..from)
                .rev()
                .find(|&l| {
                    self.program
                        .renew_threshold(l)
                        .is_some_and(|t| meets(spend, t))
                })
                .unwrap_or(0),
        };
        self.held = Held {
            level: to,
            since: Some(e),
            expiry: self.expiry_from(e, to),
            anchor: None,
        };
        self.log(e, TierChangeKind::Downgrade, from, to);
    }

    fn claw_back(&mut self, day: Day) {
        while let Some(anchor) = self.held.anchor {
            let spend = self.ledger.spend(Some(anchor), day);
            let level = self.held.level;
            let reached = self.program.levels()[level].spend;
            if reached.is_none_or(|t| meets(spend, t)) {
                return;
            }
            let Some(mut before) = self.previous.pop() else {
                return;
            };
            let levels = self.program.levels();
            let partial = (before.level + 1..level)
                .rev()
                .find(|&l| levels[l].spend.is_some_and(|t| meets(spend, t)));
            if let Some(to) = partial {
                self.previous.push(before);
                self.held.level = to;
                self.log(day, TierChangeKind::Clawback, level, to);
                return;
            }
            if before.expiry.is_some_and(|e| e <= day) {
                before.expiry = Some(day.plus(1));
            }
            self.held = before;
            self.log(day, TierChangeKind::Clawback, level, before.level);
        }
    }

    fn reach(&mut self, day: Day, max_order: f64) {
        let spend = self.ledger.spend(self.window_start(day), day);
        let levels = self.program.levels();
        let by_spend = |l: usize| levels[l].spend.is_some_and(|t| meets(spend, t));
        let by_order = |l: usize| levels[l].single_order.is_some_and(|t| meets(max_order, t));
        let from = self.held.level;
        let Some(to) = (from + 1..levels.len())
            .rev()
            .find(|&l| by_spend(l) || by_order(l))
        else {
            return;
        };
        self.previous.push(self.held);
        self.held = Held {
            level: to,
            since: Some(day),
            expiry: self.expiry_from(day, to),
            anchor: if by_spend(to) {
                Some(self.window_start(day).unwrap_or(Day(i32::MIN)))
            } else {
                None
            },
        };
        self.log(day, TierChangeKind::Upgrade, from, to);
    }

    fn status(&self, as_of: Day) -> TierStatus {
        let last = as_of.plus(-1);
        let qualifying_spend = self.ledger.spend(self.window_start(as_of), last);
        let next = self.program.levels().get(self.held.level + 1);
        let spend_to_next = next
            .and_then(|l| l.spend)
            .map(|t| (t - qualifying_spend).max(0.0));
        let renewal_spend = self.held.expiry.map(|e| {
            let start = self.window_start(e.plus(-1));
            self.ledger.spend(start, last)
        });
        let spend_to_renew = self
            .program
            .renew_threshold(self.held.level)
            .zip(renewal_spend)
            .map(|(t, s)| (t - s).max(0.0));
        TierStatus {
            level: self.held.level,
            since: self.held.since,
            expiry: self.held.expiry,
            qualifying_spend,
            spend_to_next,
            renewal_spend,
            spend_to_renew,
        }
    }
}

/// True when `amount` meets `threshold`, allowing a relative billionth for rounding.
pub(crate) fn meets(amount: f64, threshold: f64) -> bool {
    amount >= threshold - 1e-9 * threshold.abs().max(1.0)
}
