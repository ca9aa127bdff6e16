//! Churn scoring pieces shared by training and serving: BG/NBD predictions, the model's
//! design row, the model's one evaluator ([`ChurnEvaluator`]), readable reasons and risk
//! bands. Model fitting stays in `training`.
//!
//! ```
//! use features::churn::{BgNbd, N_COLS, design_row, risk_band};
//! use features::spec;
//!
//! let bgnbd = BgNbd { r: 0.5, alpha: 30.0, a: 0.8, b: 3.0 };
//! let mut feats = [0.0f32; spec::LEN];
//! feats[spec::idx::FREQUENCY_DAYS] = 3.0;
//! feats[spec::idx::TENURE_DAYS] = 200.0;
//! feats[spec::idx::RECENCY_DAYS] = 40.0;
//! let row = design_row(&feats, Some(&bgnbd), 28);
//! assert_eq!(row.len(), N_COLS);
//! assert!((0.0..=1.0).contains(&row[spec::LEN]));
//! assert_eq!(risk_band(0.75), "high");
//! ```

mod artifact;
mod band;
mod bgnbd;
mod design;
mod model;
mod reasons;

pub use artifact::{CHURN_ARTIFACT_FILE, ChurnArtifact};
pub use band::{RiskBands, risk_band};
pub use bgnbd::{BgNbd, Rfm, hyp2f1};
pub use design::{
    BGNBD_COLUMNS, BGNBD_FALLBACK, N_COLS, bgnbd_columns, design_row, input_names, rfm_of,
};
pub use model::{ChurnEvaluator, Linear, ScoringModel, TreeArrays, signed_log1p};
pub use reasons::{MAX_REASONS, Reason, ReasonKind, joined_en, reasons};
