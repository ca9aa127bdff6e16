//! tiefen offline training: order exports in, churn and next-purchase models out.

pub mod synth;
pub mod bgnbd;
pub mod error;
pub mod onnx;

pub use error::{Error, ParamsError, Result};
