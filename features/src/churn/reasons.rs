//! Readable reasons for a member's churn risk: the largest risk-raising terms
//! ([`Linear::term`]) of the explaining logistic model, each rendered from the member's own
//! numbers.

use super::model::Linear;
use crate::spec::{LEN, idx};

/// At most this many reasons per member.
pub const MAX_REASONS: usize = 3;

/// The reasons for one design row (risk-raising terms only, largest first; may be empty for a
/// member whose every term lowers the risk).
pub fn reasons(explainer: &Linear, row: &[f32]) -> Vec<String> {
    let mut terms: Vec<(f64, usize)> = (0..row.len().min(explainer.n_features()))
        .map(|j| (explainer.term(j, row[j]), j))
        .filter(|&(c, _)| c > 0.05)
        .collect();
    terms.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out: Vec<String> = Vec::new();
    for text in terms.into_iter().filter_map(|(_, j)| describe(j, row)) {
        if !out.contains(&text) {
            out.push(text);
        }
        if out.len() == MAX_REASONS {
            break;
        }
    }
    out
}

/// The member's own numbers behind column `j`, when they support a readable risk reason;
/// `None` for columns with no reason text or whose values do not bear the reason out.
fn describe(j: usize, r: &[f32]) -> Option<String> {
    let days = |x: f32| {
        format!(
            "{} day{}",
            x.round(),
            if x.round() == 1.0 { "" } else { "s" }
        )
    };
    let (d30, d_prev) = (r[idx::DAYS_30D], r[idx::DAYS_90D] - r[idx::DAYS_30D]);
    let (s30, s_prev) = (r[idx::SPEND_30D], r[idx::SPEND_90D] - r[idx::SPEND_30D]);
    let text = match j {
        idx::RECENCY_OVER_GAP | idx::RECENCY_DAYS | idx::LAST_GAP_DAYS | idx::GAP_MEAN_DAYS
            if r[idx::GAP_MEAN_DAYS] > 0.0 && r[idx::RECENCY_OVER_GAP] >= 1.2 =>
        {
            format!(
                "no purchase for {:.1}x the usual gap ({} since the last, usually every {})",
                r[idx::RECENCY_OVER_GAP],
                days(r[idx::RECENCY_DAYS]),
                days(r[idx::GAP_MEAN_DAYS])
            )
        }
        idx::RECENCY_DAYS if r[idx::RECENCY_DAYS] >= 14.0 => {
            format!("no purchase for {}", days(r[idx::RECENCY_DAYS]))
        }
        idx::FREQUENCY_DAYS | idx::RATE_PER_30D | idx::ORDER_LINES
            if r[idx::FREQUENCY_DAYS] <= 1.0 =>
        {
            format!("bought only once, {} ago", days(r[idx::RECENCY_DAYS]))
        }
        idx::FREQUENCY_DAYS | idx::RATE_PER_30D if r[idx::RATE_PER_30D] < 1.0 => format!(
            "buys rarely: {} purchase days in {}",
            r[idx::FREQUENCY_DAYS],
            days(r[idx::TENURE_DAYS])
        ),
        idx::DAYS_7D | idx::DAYS_30D | idx::DAYS_90D | idx::TREND_DAYS_30D
            if d30 * 2.0 < d_prev =>
        {
            format!(
                "buying less often: {d30} purchase days in the last 30 days, {d_prev} in the 60 before"
            )
        }
        idx::DAYS_30D | idx::DAYS_90D if r[idx::DAYS_90D] == 0.0 => {
            "no purchase in the last 90 days".to_string()
        }
        idx::SPEND_7D | idx::SPEND_30D | idx::SPEND_90D | idx::TREND_SPEND_30D
            if s30 * 2.0 < s_prev =>
        {
            format!("spending less: {s30:.0} in the last 30 days, {s_prev:.0} in the 60 before")
        }
        idx::TENURE_DAYS if r[idx::TENURE_DAYS] <= 60.0 => format!(
            "new customer: first purchase {} ago",
            days(r[idx::TENURE_DAYS])
        ),
        idx::RETURN_LINES | idx::RETURN_SHARE if r[idx::RETURN_SHARE] > 0.0 => {
            format!("returned {:.0}% of spend", 100.0 * r[idx::RETURN_SHARE])
        }
        idx::REGION_SHARE if r[idx::REGION_SHARE] > 0.0 && r[idx::REGION_SHARE] < 0.05 => {
            format!(
                "lives in a region with few of the store's members ({:.1}%)",
                100.0 * r[idx::REGION_SHARE]
            )
        }
        idx::ATTRIBUTE_EFFECT if r[idx::ATTRIBUTE_EFFECT] > 0.0 => {
            "members of the same region, age group or tier come back less often than most"
                .to_string()
        }
        j if j == LEN && r[j] >= 0.5 => {
            format!(
                "purchase pattern gives a {:.0}% chance of no purchase in the horizon",
                100.0 * r[j]
            )
        }
        j if j == LEN + 1 && r[j] < 1.0 => {
            format!("expected purchases in the horizon: {:.1}", r[j])
        }
        _ => return None,
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An explainer whose only non-zero terms are recency (more days, more risk) and region
    /// share (a smaller share, more risk), centred at 10 days and a 30% share.
    fn explainer() -> Linear {
        let n = LEN + 2;
        let mut offsets = vec![0.0; n];
        let mut weights = vec![0.0; n];
        offsets[idx::RECENCY_DAYS] = 10.0;
        weights[idx::RECENCY_DAYS] = 0.1;
        offsets[idx::REGION_SHARE] = 0.3;
        weights[idx::REGION_SHARE] = -10.0;
        Linear {
            log1p: vec![false; n],
            offsets,
            scales: vec![1.0; n],
            weights,
            intercept: 0.0,
            calibration: None,
        }
    }

    #[test]
    fn a_far_region_and_a_long_absence_are_told_largest_first() {
        let mut row = vec![0.0f32; LEN + 2];
        row[idx::RECENCY_DAYS] = 40.0; // term 0.1 * 30 = 3.0
        row[idx::REGION_SHARE] = 0.02; // term -10 * -0.28 = 2.8
        assert_eq!(
            reasons(&explainer(), &row),
            [
                "no purchase for 40 days",
                "lives in a region with few of the store's members (2.0%)"
            ]
        );
        // A large region lowers the risk: no reason; an unknown region (0) is not told.
        row[idx::REGION_SHARE] = 0.45;
        assert_eq!(reasons(&explainer(), &row), ["no purchase for 40 days"]);
        row[idx::REGION_SHARE] = 0.0;
        assert_eq!(reasons(&explainer(), &row), ["no purchase for 40 days"]);
    }
}
