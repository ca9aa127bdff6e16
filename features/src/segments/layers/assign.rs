//! Each member's group as of `T` and as of `T - H`, and the movement between them.

use super::scores::{RfmScales, RfmScore};
use super::table::ValidGroupTable;
use crate::segments::Population;
use crate::{Day, OrderBook};

/// A member's scores and group on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Placement {
    /// The member's scores in that day's scales.
    pub score: RfmScore,
    /// Index of the group in [`ValidGroupTable::groups`].
    pub group: usize,
}

/// One member's layer now and `H` days earlier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct MemberLayer {
    /// Member id in the order book.
    pub member: u32,
    /// Placement as of `T`.
    pub now: Placement,
    /// Placement as of `T - H`; `None` when the member had no purchase day before `T - H`.
    pub previous: Option<Placement>,
}

/// The layers of a store's population as of `T`, with each member's group as of `T - H` in
/// the scales of that earlier day.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Layering {
    /// The scales at `T`.
    pub scales: RfmScales,
    /// The scales at `T - H`, fit on that day's own population.
    pub previous_scales: RfmScales,
    /// One entry per member of the population at `T`, in ascending member id.
    pub members: Vec<MemberLayer>,
}

impl Layering {
    /// The layer of `member`, `None` when it is not in the population at `T`.
    pub fn member(&self, member: u32) -> Option<&MemberLayer> {
        self.members
            .binary_search_by_key(&member, |l| l.member)
            .ok()
            .map(|i| &self.members[i])
    }
}

/// Scores and groups every member of `population` with `scales` and `table`, in the
/// population's order.
pub fn place(
    population: &Population,
    scales: &RfmScales,
    table: &ValidGroupTable,
) -> Vec<(u32, Placement)> {
    population
        .members
        .iter()
        .map(|p| {
            let score = scales.score(&p.facts);
            let group = table.group_of(score);
            (p.member, Placement { score, group })
        })
        .collect()
}

/// The layers of `book` as of `as_of` (`T`) and as of `as_of - horizon_days` (`T - H`): each
/// day's population is scored in its own scales, from the history strictly before that day.
pub fn layering(
    book: &OrderBook,
    as_of: Day,
    horizon_days: u32,
    table: &ValidGroupTable,
) -> Layering {
    let now = Population::of_book(book, as_of);
    let previous = Population::of_book(book, as_of.plus(-(horizon_days as i32)));
    layering_of(&now, &previous, table)
}

/// The layers from two populations already built (`now` at `T`, `previous` at `T - H`); members
/// of `previous` that are not in `now` are left out.
pub fn layering_of(now: &Population, previous: &Population, table: &ValidGroupTable) -> Layering {
    let scales = RfmScales::fit(now);
    let previous_scales = RfmScales::fit(previous);
    let before = place(previous, &previous_scales, table);
    let members = place(now, &scales, table)
        .into_iter()
        .map(|(member, placement)| MemberLayer {
            member,
            now: placement,
            previous: before
                .binary_search_by_key(&member, |(m, _)| *m)
                .ok()
                .map(|i| before[i].1),
        })
        .collect();
    Layering {
        scales,
        previous_scales,
        members,
    }
}

/// Counts of members by group at `T - H` (rows) and group at `T` (columns).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MovementMatrix {
    /// Group ids in table order: the columns, and the first rows.
    pub groups: Vec<String>,
    /// `counts[from][to]`: members in group `from` at `T - H` and group `to` at `T`. There is
    /// one row per group plus a last row for members with no purchase day before `T - H`.
    pub counts: Vec<Vec<u64>>,
}

impl MovementMatrix {
    /// The movement matrix of `layering`, whose groups index `table`.
    pub fn of(layering: &Layering, table: &ValidGroupTable) -> MovementMatrix {
        let n = table.groups().len();
        let mut counts = vec![vec![0u64; n]; n + 1];
        for l in &layering.members {
            let from = l.previous.map_or(n, |p| p.group);
            counts[from][l.now.group] += 1;
        }
        MovementMatrix {
            groups: table.groups().iter().map(|g| g.id.clone()).collect(),
            counts,
        }
    }

    /// Members that moved from group `from` (`None`: not yet a buyer at `T - H`) to group `to`.
    pub fn count(&self, from: Option<usize>, to: usize) -> u64 {
        self.counts[from.unwrap_or(self.groups.len())][to]
    }

    /// Members in the same group at both days.
    pub fn stayed(&self) -> u64 {
        (0..self.groups.len()).map(|g| self.counts[g][g]).sum()
    }
}
