//! ONNX export of the churn and ranking models, plus the tract-based load-back used to check
//! that an exported file predicts what the in-memory model predicts.
//!
//! Both exporters produce a graph with input `features: float[N, D]` and output
//! `probability: float[N, 1]` (P(class 1)), so serving reads the same output for every model.
//!
//! ```no_run
//! use training::onnx::{ExportMeta, Linear, LoadedModel, export_logistic, write_model};
//!
//! # fn main() -> training::Result<()> {
//! let model = Linear {
//!     offsets: vec![0.0, 1.0],
//!     scales: vec![1.0, 2.0],
//!     weights: vec![0.5, -0.25],
//!     intercept: 0.1,
//!     calibration: None,
//!     log1p: Vec::new(),
//! };
//! let meta = ExportMeta {
//!     model_name: "churn".into(),
//!     version: "1".into(),
//!     schema_hash: "abc".into(),
//!     feature_names: vec!["recency".into(), "frequency".into()],
//!     extra: vec![],
//! };
//! write_model(&export_logistic(&model, &meta)?, "models/churn.onnx")?;
//! let loaded = LoadedModel::load("models/churn.onnx", 2)?;
//! let p = loaded.predict(&[3.0, 4.0], 1)?;
//! assert!((p[0] - model.predict_row(&[3.0, 4.0])).abs() < 1e-5);
//! # Ok(())
//! # }
//! ```

mod export;
mod io;
mod model;
mod proto;

pub use export::{
    ExportMeta, INPUT_NAME, OUTPUT_NAME, PRODUCER_NAME, RESERVED_KEYS, export_logistic,
    export_logit_sum, export_tree_ensemble, export_tree_ensemble_gather,
};
pub use features::churn::Linear;
pub use io::{LoadedModel, read_metadata, write_model};
pub use model::{LogitSum, Node, Tree, TreeEnsemble};

#[cfg(test)]
mod reference_tests;
#[cfg(test)]
mod test_support;
pub mod testing;
#[cfg(test)]
mod tests;
