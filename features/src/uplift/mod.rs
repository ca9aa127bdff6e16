//! Campaign measurement: did the campaign change what its members did, compared with a
//! held-out control group? Pure statistics, no I/O.
//!
//! - Each arm is a [`GroupOutcome`]: members, converters (members with an order) and the
//!   [`Moments`] (count, sum, sum of squares) of orders and spend per member.
//! - Conversion: [`absolute_uplift`] (Newcombe hybrid score interval) and [`relative_uplift`]
//!   (log-ratio interval).
//! - Orders or spend per member: [`mean_uplift`] (Welch t interval),
//!   [`relative_mean_uplift`] (delta method) and [`incremental_total`] (incremental revenue).
//! - Ranked audiences (uplift models): [`uplift_at_k`], [`qini_curve`], [`qini_auc_score`],
//!   [`uplift_curve`], [`uplift_auc_score`], as scikit-uplift defines them.
//! - Planning: [`minimum_detectable_uplift`] and [`control_size_needed`].
//!
//! Data that leave a figure undefined (an empty arm, zero variance, a zero control rate) give
//! a [`Degenerate`] reason, never NaN. The values are checked against statsmodels and
//! scikit-uplift on fixed datasets (`features/tests/uplift_reference/`).
//!
//! ```
//! use features::uplift::{Arm, Confidence, GroupOutcome, Metric, absolute_uplift, mean_uplift};
//!
//! let mut treated = GroupOutcome::default();
//! let mut control = GroupOutcome::default();
//! for i in 0..1000u32 {
//!     treated.push(u32::from(i % 10 < 3), if i % 10 < 3 { 500.0 } else { 0.0 }).unwrap();
//!     control.push(u32::from(i % 10 < 2), if i % 10 < 2 { 450.0 } else { 0.0 }).unwrap();
//! }
//! let conf = Confidence::default();
//! let d = absolute_uplift(&treated, &control, conf).unwrap();
//! assert!((d.value - 0.1).abs() < 1e-12);
//! let ci = d.interval.unwrap();
//! assert!(ci.low > 0.0 && ci.contains(0.1));
//! let spend = mean_uplift(&treated, &control, Metric::Spend, conf).unwrap();
//! assert!((spend.value - 60.0).abs() < 1e-9);
//!
//! let empty = GroupOutcome::default();
//! assert!(absolute_uplift(&treated, &empty, conf).is_err());
//! # let _ = Arm::Treated;
//! ```

mod curves;
mod error;
mod interval;
mod means;
mod outcome;
mod power;
mod proportions;
mod ranked;

pub use curves::{
    CurvePoint, perfect_qini_curve, perfect_uplift_curve, qini_auc_score, qini_curve,
    uplift_auc_score, uplift_curve,
};
pub use error::{Degenerate, UpliftError};
pub use interval::{Confidence, Estimate, Interval};
pub use means::{incremental_total, mean_uplift, relative_mean_uplift};
pub use outcome::{Arm, GroupOutcome, Metric, Moments};
pub use power::{
    ControlSize, Detectable, PowerTest, control_size_needed, minimum_detectable_uplift,
};
pub use proportions::{absolute_uplift, relative_uplift};
pub use ranked::{Scored, Strategy, TopK, uplift_at_k};

#[cfg(test)]
mod reference_tests;
#[cfg(test)]
mod tests;
