//! tiefen offline training: order exports in, churn and next-purchase models out.

pub mod bgnbd;
pub mod churn;
pub mod config;
mod curvature;
pub mod error;
pub mod metrics;
pub mod onnx;
pub mod pipeline;
pub mod recommend;
pub mod synth;
pub mod value;

pub use config::{Args, Cli, RawConfig, TrainConfig};
pub use error::{Error, ParamsError, Result};
