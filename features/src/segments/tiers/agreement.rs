//! The computed tiers of a whole book, and how they compare with the members table.

use super::engine::TierStatus;
use super::program::ValidTierProgram;
use crate::{Day, OrderBook};

/// The tier of every member of `book` as of `as_of`, in member id order (members without a
/// line before `as_of` hold the base level with no `since`).
pub fn tiers(book: &OrderBook, program: &ValidTierProgram, as_of: Day) -> Vec<TierStatus> {
    (0..book.members().len() as u32)
        .map(|m| program.evaluate(&book.history(m), as_of))
        .collect()
}

/// Members whose members-table tier and computed tier differ in one way.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TierDisagreement {
    /// The tier as the members table writes it.
    pub table: String,
    /// The computed level's id.
    pub computed: String,
    /// How many members.
    pub members: u64,
}

/// The members-table tier beside the computed one, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct TierAgreement {
    /// Members whose table tier names a level of the programme (by id or label).
    pub compared: u64,
    /// Of those, members whose computed level is that level.
    pub agree: u64,
    /// Members whose table tier is not a level of the programme (left out of `compared`).
    pub unknown: u64,
    /// Members without a table tier.
    pub missing: u64,
    /// The disagreements by (table tier, computed level), most frequent first.
    pub disagreements: Vec<TierDisagreement>,
}

/// Compares the members table's tier of every member of `book` with `computed` (one status per
/// member in id order, as [`tiers`] returns).
pub fn tier_agreement(
    book: &OrderBook,
    program: &ValidTierProgram,
    computed: &[TierStatus],
) -> TierAgreement {
    let mut a = TierAgreement::default();
    for (m, status) in computed.iter().enumerate() {
        a.count(
            program,
            book.attributes(m as u32).and_then(|x| x.tier.as_deref()),
            status,
        );
    }
    a.sorted()
}

impl TierAgreement {
    /// Counts one member whose members-table tier is `table` and computed tier `status` (a run
    /// that goes through its members a range at a time counts them one by one, then calls
    /// [`sorted`](Self::sorted)).
    pub fn count(&mut self, program: &ValidTierProgram, table: Option<&str>, status: &TierStatus) {
        let a = self;
        let Some(table) = table else {
            a.missing += 1;
            return;
        };
        let Some(level) = program.level_by_name(table) else {
            a.unknown += 1;
            return;
        };
        a.compared += 1;
        if level == status.level {
            a.agree += 1;
            return;
        }
        let computed = program.levels()[status.level].id.clone();
        match a
            .disagreements
            .iter_mut()
            .find(|d| d.table == table && d.computed == computed)
        {
            Some(d) => d.members += 1,
            None => a.disagreements.push(TierDisagreement {
                table: table.to_string(),
                computed,
                members: 1,
            }),
        }
    }

    /// The counts with the disagreements most frequent first.
    pub fn sorted(self) -> TierAgreement {
        let mut a = self;
        a.disagreements
            .sort_by(|x, y| y.members.cmp(&x.members).then(x.table.cmp(&y.table)));
        a
    }
}
