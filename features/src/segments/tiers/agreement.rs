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
        let Some(table) = book.attributes(m as u32).and_then(|x| x.tier.as_deref()) else {
            a.missing += 1;
            continue;
        };
        let Some(level) = program.level_by_name(table) else {
            a.unknown += 1;
            continue;
        };
        a.compared += 1;
        if level == status.level {
            a.agree += 1;
            continue;
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
    a.disagreements
        .sort_by(|x, y| y.members.cmp(&x.members).then(x.table.cmp(&y.table)));
    a
}
