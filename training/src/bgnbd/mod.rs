//! BG/NBD ("beta-geometric / negative binomial distribution") model of repeat purchases,
//! after Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way".
//!
//! Fit on per-member `(x, t_x, T)` summaries, then score members with
//! [`FittedBgNbd::p_no_purchase`], which ranks churn sensibly (unlike `1 - P(alive)`, which
//! calls every one-time buyer safe).
//!
//! ```
//! use training::bgnbd::{BgNbdParams, Rfm};
//!
//! # fn main() -> training::Result<()> {
//! let members: Vec<Rfm> = (0..200u32)
//!     .map(|i| {
//!         let x = i % 7;
//!         let age = 300.0 + f64::from(i % 50);
//!         let recency = if x == 0 { 0.0 } else { age * f64::from(1 + i % 9) / 10.0 };
//!         Rfm::new(x, recency, age)
//!     })
//!     .collect();
//! let model = BgNbdParams::new().penalizer(0.01).fit(&members)?;
//! let risk = model.p_no_purchase(90.0, 2, 120.0, 340.0);
//! assert!((0.0..=1.0).contains(&risk));
//! assert_eq!(model.p_alive(0, 0.0, 340.0), 1.0);
//! # Ok(())
//! # }
//! ```

mod fit;
mod likelihood;
mod params;
mod predict;

pub use fit::{FitReport, FitSolver};
pub use params::{BgNbdParams, BgNbdValidParams, Rfm};
pub use predict::{FittedBgNbd, hyp2f1};

#[cfg(test)]
mod reference_tests;
#[cfg(test)]
mod tests;
