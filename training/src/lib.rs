//! tiefen offline training: order exports in, churn and next-purchase models out.

pub mod synth;
