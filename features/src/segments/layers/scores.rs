//! R, F and M scores from a store's own distribution.

use super::ranking::{Ranking, bin_of};
use crate::Day;
use crate::segments::{MemberFacts, Population};

/// The highest score of each dimension; scores run `0..=SCORE_MAX`, higher is better (as in
/// Braze's published table).
pub const SCORE_MAX: u8 = 3;

/// The purchase-day count from which frequency is scored by rank among repeaters: one purchase
/// day scores F 0, two score F 1, and members with `REPEATER_DAYS` or more split into F 2 (lower
/// half) and F 3 (upper half).
pub const REPEATER_DAYS: u32 = 3;

/// One member's recency, frequency and monetary scores, each `0..=`[`SCORE_MAX`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct RfmScore {
    /// Recency: 3 for the most recent quarter of the store's members.
    pub r: u8,
    /// Frequency: 0 = one purchase day, 1 = two, 2/3 = lower/upper half of the repeaters.
    pub f: u8,
    /// Monetary: 3 for the quarter of members with the highest net spend.
    pub m: u8,
}

/// A store's scoring scales as of one day: the distributions of recency, purchase days and
/// net spend over its population (members with a purchase day before that day).
///
/// Scoring rule, for a member with facts `x`:
/// - **R** from days since the last purchase day, fewer is better: `p` = mid-rank percentile of
///   `-recency_days` in the store, `R = min(3, floor(4p))`.
/// - **M** from net spend (purchases less returns, over all history before the day), more is
///   better: `M = min(3, floor(4p))` with `p` the mid-rank percentile of `net_spend`.
/// - **F** from distinct purchase days: 1 day → 0, 2 days → 1, and from [`REPEATER_DAYS`] on,
///   `F = 2 + min(1, floor(2p))` with `p` the mid-rank percentile among repeaters only.
///
/// The mid-rank percentile of a value is (members below it + half the members equal to it) /
/// members, so **equal values always get equal scores**, and bins cannot collapse the way
/// `pandas.qcut(duplicates="drop")` makes them in PyMC-Marketing's `rfm_segments` (where a store
/// of mostly one-order customers gets "RFM score will not exceed 2"). With no ties the four bins
/// are the quartiles. A value shared by most members lands in the bin its middle falls in.
///
/// Frequency is not ranked over everyone because in most stores the majority bought on one day
/// only: that tie alone holds more than half the members, so ranked frequency carries no
/// information below the median and shifts with the share of one-time buyers. Fixed counts for
/// one and two purchase days keep F comparable between stores and between `T` and `T - H`, and
/// the step from one to two purchase days is the largest change in repeat behaviour; only among
/// repeaters is the store's own distribution informative.
///
/// Monetary is total net spend, not average order value: with average order value a regular who
/// spent NT$40,000 over 80 small visits scores below a one-time NT$1,500 buyer, which inverts the
/// value the groups are meant to show (PyMC-Marketing uses average order value; Shopify's
/// descriptions speak of "the most spend"). Returns reduce it, as they do tier spend.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RfmScales {
    /// The day the scales were fit at.
    pub as_of: Day,
    /// Distribution of `-recency_days` (negated so higher is better).
    recency: Ranking,
    /// Distribution of purchase days.
    frequency: Ranking,
    /// Distribution of net spend.
    monetary: Ranking,
}

impl RfmScales {
    /// The scales of `population` (its own day and members).
    pub fn fit(population: &Population) -> RfmScales {
        let facts = || population.members.iter().map(|p| &p.facts);
        RfmScales {
            as_of: population.as_of,
            recency: Ranking::new(facts().map(|f| -f64::from(f.recency_days))),
            frequency: Ranking::new(facts().map(|f| f64::from(f.purchase_days))),
            monetary: Ranking::new(facts().map(|f| f.net_spend)),
        }
    }

    /// Number of members the scales were fit on.
    pub fn population(&self) -> u64 {
        self.recency.len()
    }

    /// The scores of a member with `facts` (as of the scales' day). A member outside the
    /// population is ranked against it; against an empty population every ranked score is the
    /// middle one (R 2, M 2, F 3 for a repeater).
    pub fn score(&self, facts: &MemberFacts) -> RfmScore {
        RfmScore {
            r: self.recency_score(facts.recency_days),
            f: self.frequency_score(facts.purchase_days),
            m: self.monetary_score(facts.net_spend),
        }
    }

    /// R for `recency_days` days since the last purchase day.
    pub fn recency_score(&self, recency_days: u32) -> u8 {
        bin_of(
            self.recency.mid_rank(-f64::from(recency_days)),
            SCORE_MAX + 1,
        )
    }

    /// F for `purchase_days` distinct purchase days.
    pub fn frequency_score(&self, purchase_days: u32) -> u8 {
        match purchase_days {
            0 | 1 => 0,
            2 => 1,
            n => {
                let floor = f64::from(REPEATER_DAYS);
                2 + bin_of(self.frequency.mid_rank_from(f64::from(n), floor), 2)
            }
        }
    }

    /// M for `net_spend`.
    pub fn monetary_score(&self, net_spend: f64) -> u8 {
        bin_of(self.monetary.mid_rank(net_spend), SCORE_MAX + 1)
    }

    /// The published bins: for each dimension and score, the range of values members of the
    /// population have with that score, and how many members that is.
    pub fn bins(&self) -> RfmBins {
        let recency = self.recency.distinct().map(|(v, c)| (-v, c));
        RfmBins {
            as_of: self.as_of,
            population: self.population(),
            recency_days: bins_of(recency, |v| self.recency_score(v as u32)),
            purchase_days: bins_of(self.frequency.distinct(), |v| {
                self.frequency_score(v as u32)
            }),
            net_spend: bins_of(self.monetary.distinct(), |v| self.monetary_score(v)),
        }
    }
}

/// The values that get one score in one dimension.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScoreBin {
    /// The score, `0..=`[`SCORE_MAX`].
    pub score: u8,
    /// Smallest value with this score.
    pub min: f64,
    /// Largest value with this score.
    pub max: f64,
    /// Members with this score.
    pub members: u64,
}

/// A store's RFM bins as of a day ("thresholds unique to your account", published): one list
/// per dimension, ascending by score, leaving out scores no member has.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RfmBins {
    /// The day the scales were fit at.
    pub as_of: Day,
    /// Members scored.
    pub population: u64,
    /// Days since the last purchase day, per R score.
    pub recency_days: Vec<ScoreBin>,
    /// Distinct purchase days, per F score.
    pub purchase_days: Vec<ScoreBin>,
    /// Net spend, per M score.
    pub net_spend: Vec<ScoreBin>,
}

fn bins_of(values: impl Iterator<Item = (f64, u64)>, score: impl Fn(f64) -> u8) -> Vec<ScoreBin> {
    let mut bins: Vec<ScoreBin> = Vec::new();
    for (v, count) in values {
        let s = score(v);
        match bins.iter_mut().find(|b| b.score == s) {
            Some(b) => {
                b.min = b.min.min(v);
                b.max = b.max.max(v);
                b.members += count;
            }
            None => bins.push(ScoreBin {
                score: s,
                min: v,
                max: v,
                members: count,
            }),
        }
    }
    bins.sort_by_key(|b| b.score);
    bins
}
