//! Layers (會員分層): R, F and M scores from each store's own distribution, a replaceable group
//! table (first match wins), and each member's group as of `T` and `T - H` with the movement
//! between them.

mod assign;
mod ranking;
mod scores;
mod table;

pub use assign::{Layering, MemberLayer, MovementMatrix, Placement, layering, layering_of, place};
pub use ranking::Ranking;
pub use scores::{REPEATER_DAYS, RfmBins, RfmScales, RfmScore, SCORE_MAX, ScoreBin};
pub use table::{GroupRule, GroupTable, ScoreRange, ValidGroupTable};

#[cfg(test)]
mod table_tests;
#[cfg(test)]
mod tests;
