//! Seeded synthetic data for a Taiwanese membership brand (apparel, beauty, home and office).
//!
//! [`generate`] turns checked [`SynthParams`] into a [`SynthData`]: a members table and order
//! lines with per-category replenishment cycles, style preferences, basket composition,
//! weekly and holiday seasonality, churn, prices with sale discounts and a few returns.
//! The same seed and parameters always give byte-identical CSV.
//!
//! [`simulate_outcome`] continues the same members past `end` into a campaign's outcome
//! window, where the treated members of an [`Assignment`] get a known [`TreatmentEffect`]:
//! an end-to-end check that a campaign report recovers the effect it should.
//!
//! ```
//! use training::synth::{SynthParams, generate};
//! use chrono::NaiveDate;
//!
//! let params = SynthParams::default()
//!     .with_members(50)
//!     .with_end(NaiveDate::from_ymd_opt(2023, 6, 30).unwrap())
//!     .check()
//!     .unwrap();
//! let data = generate(&params);
//! assert_eq!(data.members.len(), 50);
//! let mut csv = Vec::new();
//! data.write_orders(&mut csv).unwrap();
//! assert!(csv.starts_with(b"member_id,ts,item_id,category,quantity,amount\n"));
//! ```

mod assignment;
mod basket;
pub mod calendar;
pub mod catalog;
mod error;
mod files;
mod members;
mod outcome;
mod output;
mod params;
mod simulate;
mod stream;
mod treatment;

pub use assignment::{Arm, Assigned, Assignment, AssignmentProblem};
pub use catalog::{CATEGORIES, Catalog, Category, Department, Item};
pub use error::{Error, Result};
pub use files::{Formats, Written, write_dataset};
pub use members::{AGE_GROUPS, REGIONS};
pub use outcome::{GroupTruth, Outcome, OutcomeLine, simulate_outcome};
pub use output::{MEMBERS_HEADER, MemberRecord, ORDERS_HEADER, OrderLine, SynthData, Tier};
pub use params::{SynthParams, SynthParamsError, SynthValidParams};
pub use simulate::generate;
pub use stream::stream_orders;
pub use treatment::{OutcomeParams, OutcomeParamsError, OutcomeValidParams, TreatmentEffect};
