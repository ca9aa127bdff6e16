//! What happened in one arm of a campaign, summarised without per-member vectors.

use super::UpliftError;

/// One arm of a campaign: those who received it, or the held-out control group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arm {
    /// Members who received the campaign.
    Treated,
    /// Members held out of it.
    Control,
}

impl std::fmt::Display for Arm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Arm::Treated => "treated",
            Arm::Control => "control",
        })
    }
}

/// Count, sum and sum of squares of a per-member value: enough for a mean and a sample
/// variance, and mergeable across shards. Every member counts, including those with value 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Moments {
    /// Number of members summarised.
    pub count: u64,
    /// Sum of their values.
    pub sum: f64,
    /// Sum of their squared values.
    pub sum_sq: f64,
}

impl Moments {
    /// Adds one member's value (the caller checks it is finite; [`GroupOutcome::push`] does).
    pub fn push(&mut self, x: f64) {
        self.count += 1;
        self.sum += x;
        self.sum_sq += x * x;
    }

    /// Adds another summary of different members.
    pub fn merge(&mut self, other: &Moments) {
        self.count += other.count;
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
    }

    /// The mean, `None` when there is no member.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }

    /// The sample variance (divisor `count - 1`), `None` below two members. Rounding in
    /// `sum_sq - sum²/count` can go a hair below zero when all values are equal; that is clamped
    /// to 0.
    pub fn variance(&self) -> Option<f64> {
        (self.count > 1).then(|| {
            let n = self.count as f64;
            ((self.sum_sq - self.sum * self.sum / n) / (n - 1.0)).max(0.0)
        })
    }
}

/// A per-member value measured in both arms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Orders per member in the measurement window.
    Orders,
    /// Spend per member in the measurement window (store currency).
    Spend,
}

/// One arm's outcome: members, converters (members with at least one order) and the
/// [`Moments`] of orders and spend per member. Built with [`GroupOutcome::push`] or checked by
/// [`GroupOutcome::new`], so the counts always agree.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct GroupOutcome {
    members: u64,
    converters: u64,
    orders: Moments,
    spend: Moments,
}

impl GroupOutcome {
    /// Checks summaries computed elsewhere (for example in SQL): `converters <= members`,
    /// `orders.count == spend.count == members`, finite sums and non-negative sums of squares.
    /// The error names the arm and the field.
    pub fn new(
        arm: Arm,
        members: u64,
        converters: u64,
        orders: Moments,
        spend: Moments,
    ) -> Result<GroupOutcome, UpliftError> {
        let inconsistent = |field, value| UpliftError::Inconsistent {
            arm,
            field,
            value,
            members,
        };
        if converters > members {
            return Err(inconsistent("converters", converters));
        }
        if orders.count != members {
            return Err(inconsistent("orders.count", orders.count));
        }
        if spend.count != members {
            return Err(inconsistent("spend.count", spend.count));
        }
        for (field, m) in [("orders", &orders), ("spend", &spend)] {
            if !m.sum.is_finite() || !m.sum_sq.is_finite() || m.sum_sq < 0.0 {
                return Err(UpliftError::NotFinite { field, index: 0 });
            }
        }
        Ok(GroupOutcome {
            members,
            converters,
            orders,
            spend,
        })
    }

    /// Adds one member with `orders` orders and `spend` spend (may be negative after refunds;
    /// must be finite). A member converts when `orders >= 1`.
    pub fn push(&mut self, orders: u32, spend: f64) -> Result<(), UpliftError> {
        if !spend.is_finite() {
            return Err(UpliftError::NotFinite {
                field: "spend",
                index: self.members as usize,
            });
        }
        self.members += 1;
        self.converters += u64::from(orders >= 1);
        self.orders.push(f64::from(orders));
        self.spend.push(spend);
        Ok(())
    }

    /// Members in the arm.
    pub fn members(&self) -> u64 {
        self.members
    }

    /// Members with at least one order.
    pub fn converters(&self) -> u64 {
        self.converters
    }

    /// The summary of one per-member metric.
    pub fn moments(&self, metric: Metric) -> &Moments {
        match metric {
            Metric::Orders => &self.orders,
            Metric::Spend => &self.spend,
        }
    }

    /// Converters / members, `None` for an empty arm.
    pub fn conversion_rate(&self) -> Option<f64> {
        (self.members > 0).then(|| self.converters as f64 / self.members as f64)
    }
}
