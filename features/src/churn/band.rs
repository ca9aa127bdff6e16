//! Risk bands by churn probability.

/// Thresholds of the risk bands: `high` from `high`, `medium` from `medium`, `low` below.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RiskBands {
    /// Lowest probability in the `high` band (default 0.7).
    pub high: f32,
    /// Lowest probability in the `medium` band (default 0.4).
    pub medium: f32,
}

impl Default for RiskBands {
    fn default() -> Self {
        Self {
            high: 0.7,
            medium: 0.4,
        }
    }
}

impl RiskBands {
    /// The band of probability `p`: `high`, `medium` or `low`.
    pub fn band(&self, p: f32) -> &'static str {
        if p >= self.high {
            "high"
        } else if p >= self.medium {
            "medium"
        } else {
            "low"
        }
    }
}

/// The band of `p` with the default thresholds: `high` from 0.7, `medium` from 0.4, `low` below.
pub fn risk_band(p: f32) -> &'static str {
    RiskBands::default().band(p)
}
