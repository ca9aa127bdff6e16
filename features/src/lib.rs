//! One definition of every tiefen member feature, shared by training and serving.
//!
//! Order lines become an [`OrderBook`]; a member's [`PurchaseHistory`] becomes a
//! [`FeatureVector`] as of a date with [`compute`], using only lines strictly before that date.
//! The names, order and units of the vector are in [`spec`], with a schema hash that every
//! exported model records. [`Window`] gives churn labels and next-purchase truth sets, and
//! [`training_cutoffs`] lists earlier cutoffs to train on. With the `arrow` cargo feature,
//! [`io`] reads CSV and Parquet exports into an order book. [`segments`] sorts members into
//! layers, lifecycle stages and tiers, and [`offers`] turns a member's answers into their next
//! best offers. [`uplift`] measures campaigns against a control group and [`campaign`] holds
//! their pure primitives (stable holdout buckets, frequency caps). [`partition`] is the
//! member-hash rule that routes a member's events and requests to one partition.
//!
//! ```
//! use features::{OrderBookBuilder, Day, Window, Kind, spec::idx};
//! use chrono::NaiveDate;
//!
//! let ts = |d: &str| features::time::parse_iso(d).unwrap();
//! let mut b = OrderBookBuilder::new();
//! b.push_line("m1", ts("2024-01-05"), "碳粉匣-黑", "碳粉匣", 1.0, 1200.0);
//! b.push_line("m1", ts("2024-02-16"), "碳粉匣-黑", "碳粉匣", 1.0, 1200.0);
//! b.push_line("m1", ts("2024-03-29"), "碳粉匣-黑", "碳粉匣", 1.0, 1200.0);
//! let book = b.finish();
//!
//! let as_of = Day::from_date(NaiveDate::from_ymd_opt(2024, 3, 29).unwrap());
//! let snap = book.snapshot(as_of);
//! assert_eq!(snap.row(0)[idx::FREQUENCY_DAYS], 2.0); // the line on as_of is not history
//! assert_eq!(snap.row(0)[idx::RECENCY_OVER_GAP], 1.0); // 42 days since, every 42 days
//! let window = Window::new(as_of, 28);
//! assert!(!window.churned(&book.history(0)));
//! assert_eq!(window.truth(&book.history(0), Kind::Category), [0]);
//! ```

pub mod answer;
mod attributes;
mod book;
pub mod campaign;
pub mod churn;
pub mod codec;
mod compute;
mod context;
pub mod contract;
mod cutoffs;
mod effects;
mod error;
pub mod gather;
mod history;
#[cfg(feature = "arrow")]
pub mod io;
mod labels;
mod line;
pub mod offers;
pub mod parallel;
pub mod partition;
mod preferences;
mod problems;
pub mod recommend;
pub mod segments;
mod snapshot;
pub mod spec;
pub mod state;
pub mod time;
pub mod uplift;
pub mod value;
mod vocab;

pub use attributes::{MemberAttributes, age_group_midpoint};
pub use book::{OrderBook, OrderBookBuilder};
pub use compute::compute;
pub use context::StoreContext;
pub use cutoffs::{Cutoff, CutoffPlan, training_cutoffs};
pub use effects::{ATTRIBUTES, Attribute, AttributeEffects, MISSING_LEVEL};
pub use error::{Error, Result};
pub use history::{FeatureVector, PurchaseHistory};
pub use labels::Window;
pub use line::{NO_CATEGORY, PurchaseLine, sort_canonical};
pub use preferences::{Kind, Preference, preferences};
pub use problems::{RowProblem, RowProblems};
pub use snapshot::Snapshot;
pub use time::Day;
pub use vocab::Vocab;
