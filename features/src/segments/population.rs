//! What the layers and the lifecycle read from a member's history as of a day, and the store's
//! population at that day.

use crate::{Day, OrderBook, PurchaseHistory, PurchaseLine};

/// The purchase facts of one member as of a day, from the lines strictly before it.
///
/// A *purchase day* is a day with at least one line that is not a return
/// ([`PurchaseLine::is_return`]); returns create no purchase day but are netted out of spend,
/// exactly as in [`compute`](crate::compute).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MemberFacts {
    /// First purchase day.
    pub first_day: Day,
    /// Last purchase day (before `as_of`).
    pub last_day: Day,
    /// Distinct purchase days, at least 1.
    pub purchase_days: u32,
    /// Days from the last purchase day to `as_of`, at least 1.
    pub recency_days: u32,
    /// Days from the first purchase day to `as_of`, at least 1.
    pub tenure_days: u32,
    /// Purchases less returns (absolute amounts of return lines), in the data's currency.
    pub net_spend: f64,
    /// Median of the member's own gaps between consecutive purchase days (the mean of the two
    /// middle gaps for an even count); `None` with one purchase day.
    pub median_gap: Option<f64>,
    /// Number of gaps, `purchase_days - 1`.
    pub gap_count: u32,
}

impl MemberFacts {
    /// The facts of `history` as of `as_of`; `None` when it has no purchase day before `as_of`
    /// (a member with only returns before it is not in the population either).
    pub fn of(history: &PurchaseHistory<'_>, as_of: Day) -> Option<MemberFacts> {
        let lines = history.before(as_of);
        MemberFacts::from_days(&purchase_days(lines), lines, as_of)
    }

    fn from_days(days: &[Day], lines: &[PurchaseLine], as_of: Day) -> Option<MemberFacts> {
        let (&first_day, &last_day) = (days.first()?, days.last()?);
        let mut gaps: Vec<u32> = gaps_of(days).collect();
        gaps.sort_unstable();
        Some(MemberFacts {
            first_day,
            last_day,
            purchase_days: days.len() as u32,
            recency_days: (as_of.0 - last_day.0) as u32,
            tenure_days: (as_of.0 - first_day.0) as u32,
            net_spend: net_spend(lines),
            median_gap: median(&gaps),
            gap_count: gaps.len() as u32,
        })
    }
}

/// One member of a [`Population`]: its id in the order book and its facts.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PopulationMember {
    /// Member id in [`OrderBook::members`].
    pub member: u32,
    /// The member's facts as of the population's day.
    pub facts: MemberFacts,
}

/// The store's population as of a day: every member with a purchase day strictly before it,
/// with their facts, and every closed gap between consecutive purchase days of any member.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Population {
    /// The day the population is taken at; only lines strictly before it are read.
    pub as_of: Day,
    /// Members in ascending id order.
    pub members: Vec<PopulationMember>,
    /// Every gap in days between consecutive purchase days of a member, over all members,
    /// ascending (a member with `n` purchase days contributes `n - 1` gaps).
    pub gaps: Vec<u32>,
}

impl Population {
    /// The population of `book` as of `as_of`.
    pub fn of_book(book: &OrderBook, as_of: Day) -> Population {
        let histories = (0..book.members().len() as u32).map(|m| (m, book.history(m)));
        Population::of_histories(histories, as_of)
    }

    /// The population of any set of `(member id, history)` pairs as of `as_of`.
    pub fn of_histories<'a>(
        histories: impl IntoIterator<Item = (u32, PurchaseHistory<'a>)>,
        as_of: Day,
    ) -> Population {
        let mut members = Vec::new();
        let mut gaps = Vec::new();
        for (member, history) in histories {
            let lines = history.before(as_of);
            let days = purchase_days(lines);
            if let Some(facts) = MemberFacts::from_days(&days, lines, as_of) {
                gaps.extend(gaps_of(&days));
                members.push(PopulationMember { member, facts });
            }
        }
        members.sort_by_key(|p| p.member);
        gaps.sort_unstable();
        Population {
            as_of,
            members,
            gaps,
        }
    }

    /// The facts of `member`, `None` when it is not in the population.
    pub fn facts(&self, member: u32) -> Option<&MemberFacts> {
        self.members
            .binary_search_by_key(&member, |p| p.member)
            .ok()
            .map(|i| &self.members[i].facts)
    }
}

/// The distinct purchase days of canonically ordered `lines`, ascending.
pub(crate) fn purchase_days(lines: &[PurchaseLine]) -> Vec<Day> {
    let mut days: Vec<Day> = Vec::new();
    for line in lines.iter().filter(|l| !l.is_return()) {
        let day = Day::of_ts(line.ts);
        if days.last() != Some(&day) {
            days.push(day);
        }
    }
    days
}

/// Purchases less the absolute amounts of returns, summed in line order.
pub(crate) fn net_spend(lines: &[PurchaseLine]) -> f64 {
    lines.iter().map(signed_amount).sum()
}

/// A line's contribution to net spend: its amount, or minus the absolute amount of a return.
pub(crate) fn signed_amount(line: &PurchaseLine) -> f64 {
    if line.is_return() {
        -line.amount.abs()
    } else {
        line.amount
    }
}

/// The gaps in days between consecutive `days` (ascending).
pub(crate) fn gaps_of(days: &[Day]) -> impl Iterator<Item = u32> + '_ {
    days.windows(2).map(|w| (w[1].0 - w[0].0) as u32)
}

/// The median of ascending `sorted`: the middle value, or the mean of the two middle values
/// for an even count; `None` when empty.
pub(crate) fn median(sorted: &[u32]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(f64::from(sorted[n / 2])),
        _ => Some((f64::from(sorted[n / 2 - 1]) + f64::from(sorted[n / 2])) / 2.0),
    }
}
