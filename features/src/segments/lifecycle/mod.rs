//! Lifecycle (new, active, due, lapsing, lost) with thresholds derived from the store's own
//! repurchase gaps, each overridable in the configuration.

mod params;
mod rule;

pub use params::{LifecycleParams, LifecycleValidParams};
pub use rule::{FALLBACK_DAYS, Lifecycle, LifecycleThresholds, lifecycles};

#[cfg(test)]
mod tests;
