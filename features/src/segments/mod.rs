//! Segments: how a membership programme sorts its members, as pure functions of the order
//! lines before a day.
//!
//! - [`layers`] (會員分層): R, F and M scores from each store's own distribution and a
//!   replaceable group table (champions 冠軍會員 … lost), as of `T` and `T - H`, with movement.
//! - [`lifecycle`]: new, active, due, lapsing, lost, with thresholds from the store's gaps.
//! - [`tiers`] (會員分級): a rules engine over net spend (window or one order), validity,
//!   renewal and downgrade.
//!
//! Every configuration type deserialises with serde (TOML in the training and serving
//! configs) and is used only after `check()`, which returns a [`ConfigError`] naming the group,
//! level or field at fault. Everything reads only lines strictly before the as-of day, like
//! [`compute`](crate::compute).
//!
//! ```
//! use features::segments::{
//!     GroupTable, LifecycleParams, LifecycleThresholds, Population, TierLevel, TierProgram,
//!     layering,
//! };
//! use features::{Day, OrderBookBuilder};
//!
//! let day = |d: i32| Day(19_700 + d);
//! let mut b = OrderBookBuilder::new();
//! for (member, d, amount) in [("a", 0, 900.0), ("a", 30, 800.0), ("a", 60, 700.0), ("b", 10, 300.0)] {
//!     b.push_line(member, day(d).start_ts(), "sku", "cat", 1.0, amount);
//! }
//! let book = b.finish();
//! let (t, table) = (day(70), GroupTable::default().check().unwrap());
//!
//! let layering = layering(&book, t, 30, &table);
//! let a = layering.member(0).unwrap();
//! assert_eq!(table.groups()[a.now.group].id, "champions");
//! assert!(a.previous.is_some());
//!
//! let population = Population::of_book(&book, t);
//! let params = LifecycleParams::default().check().unwrap();
//! let stages = LifecycleThresholds::of_population(&params, &population);
//! assert_eq!(stages.classify(population.facts(1).unwrap()).as_str(), "due");
//!
//! let level = |id: &str, spend: Option<f64>| TierLevel {
//!     id: id.into(), label: id.into(), spend, single_order: None, renew: None,
//! };
//! let program = TierProgram {
//!     window_days: Some(365),
//!     validity_days: Some(365),
//!     downgrade: Default::default(),
//!     levels: vec![level("regular", None), level("silver", Some(2000.0))],
//! }
//! .check()
//! .unwrap();
//! let status = program.evaluate(&book.history(0), t);
//! assert_eq!((status.level, status.since, status.expiry), (1, Some(day(60)), Some(day(425))));
//! ```

mod codec;
mod error;
pub mod layers;
pub mod lifecycle;
mod model;
mod population;
pub mod tiers;

pub use codec::SegmentCodes;
pub use error::ConfigError;
pub use layers::{
    GroupRule, GroupTable, Layering, MemberLayer, MovementMatrix, Placement, RfmScales, RfmScore,
    SCORE_MAX, ValidGroupTable, layering,
};
pub use lifecycle::{Lifecycle, LifecycleParams, LifecycleThresholds, LifecycleValidParams};
pub use model::{
    SEGMENTS_FILE, SegmentAnswer, SegmentModel, Segments, TierAnswer, ValueSetting,
    keep_probability,
};
pub use population::{MemberFacts, Population, PopulationMember};
pub(crate) use population::{gaps_of, median, purchase_days};
pub use tiers::{TierLevel, TierProgram, TierStatus, ValidTierProgram};

#[cfg(test)]
mod model_tests;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
