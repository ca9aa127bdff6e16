//! Readable reasons for a member's churn risk: the largest risk-raising terms
//! ([`Linear::term`]) of the explaining logistic model, each kept as a typed [`Reason`] with the
//! member's own numbers, and worded in English ([`Reason::en`], also its `Display`) or
//! Traditional Chinese ([`Reason::zh_tw`]) by whoever shows it.

use super::model::Linear;
use crate::spec::{LEN, idx};

/// At most this many reasons per member.
pub const MAX_REASONS: usize = 3;

/// What a reason says; its numbers are in [`Reason::values`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ReasonKind {
    /// No purchase for `[0]` times the usual gap (`[1]` days since the last, usually every `[2]`).
    OverdueGap = 0,
    /// No purchase for `[0]` days.
    NoPurchaseFor = 1,
    /// Bought only once, `[0]` days ago.
    BoughtOnce = 2,
    /// Buys rarely: `[0]` purchase days in `[1]` days.
    BuysRarely = 3,
    /// Buying less often: `[0]` purchase days in the last 30 days, `[1]` in the 60 before.
    BuyingLessOften = 4,
    /// No purchase in the last 90 days.
    NoPurchase90Days = 5,
    /// Spending less: `[0]` in the last 30 days, `[1]` in the 60 before.
    SpendingLess = 6,
    /// New customer: first purchase `[0]` days ago.
    NewCustomer = 7,
    /// Returned `[0]` (a share) of spend.
    Returns = 8,
    /// Lives in a region with few of the store's members (`[0]`, a share).
    RareRegion = 9,
    /// Members of the same region, age group or tier come back less often than most.
    AttributeEffect = 10,
    /// The purchase pattern gives a `[0]` (probability) chance of no purchase in the horizon.
    PatternNoPurchase = 11,
    /// Expected purchases in the horizon: `[0]`.
    FewExpected = 12,
}

impl ReasonKind {
    /// Every kind, by code.
    pub const ALL: [ReasonKind; 13] = [
        ReasonKind::OverdueGap,
        ReasonKind::NoPurchaseFor,
        ReasonKind::BoughtOnce,
        ReasonKind::BuysRarely,
        ReasonKind::BuyingLessOften,
        ReasonKind::NoPurchase90Days,
        ReasonKind::SpendingLess,
        ReasonKind::NewCustomer,
        ReasonKind::Returns,
        ReasonKind::RareRegion,
        ReasonKind::AttributeEffect,
        ReasonKind::PatternNoPurchase,
        ReasonKind::FewExpected,
    ];

    /// The kind with this code.
    pub fn from_code(code: u8) -> Option<ReasonKind> {
        Self::ALL.get(code as usize).copied()
    }
}

/// One reason: what it says and the member's numbers behind it (compact: 13 bytes of data, so
/// every member's answer can hold its reasons without strings).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reason {
    /// What it says.
    pub kind: ReasonKind,
    /// Its numbers (meaning by kind; unused ones are 0).
    pub values: [f32; 3],
}

/// `40 days` / `1 day`.
fn days_en(x: f32) -> String {
    format!(
        "{} day{}",
        x.round(),
        if x.round() == 1.0 { "" } else { "s" }
    )
}

impl Reason {
    fn new(kind: ReasonKind, values: [f32; 3]) -> Reason {
        Reason { kind, values }
    }

    /// The reason in English.
    pub fn en(&self) -> String {
        let [a, b, c] = self.values;
        match self.kind {
            ReasonKind::OverdueGap => format!(
                "no purchase for {a:.1}x the usual gap ({} since the last, usually every {})",
                days_en(b),
                days_en(c)
            ),
            ReasonKind::NoPurchaseFor => format!("no purchase for {}", days_en(a)),
            ReasonKind::BoughtOnce => format!("bought only once, {} ago", days_en(a)),
            ReasonKind::BuysRarely => format!("buys rarely: {a} purchase days in {}", days_en(b)),
            ReasonKind::BuyingLessOften => format!(
                "buying less often: {a} purchase days in the last 30 days, {b} in the 60 before"
            ),
            ReasonKind::NoPurchase90Days => "no purchase in the last 90 days".to_string(),
            ReasonKind::SpendingLess => {
                format!("spending less: {a:.0} in the last 30 days, {b:.0} in the 60 before")
            }
            ReasonKind::NewCustomer => format!("new customer: first purchase {} ago", days_en(a)),
            ReasonKind::Returns => format!("returned {:.0}% of spend", 100.0 * a),
            ReasonKind::RareRegion => format!(
                "lives in a region with few of the store's members ({:.1}%)",
                100.0 * a
            ),
            ReasonKind::AttributeEffect => {
                "members of the same region, age group or tier come back less often than most"
                    .to_string()
            }
            ReasonKind::PatternNoPurchase => format!(
                "purchase pattern gives a {:.0}% chance of no purchase in the horizon",
                100.0 * a
            ),
            ReasonKind::FewExpected => format!("expected purchases in the horizon: {a:.1}"),
        }
    }

    /// The reason in Traditional Chinese (Taiwan).
    pub fn zh_tw(&self) -> String {
        let [a, b, c] = self.values;
        let d = |x: f32| x.round();
        match self.kind {
            ReasonKind::OverdueGap => format!(
                "已超過平常回購間隔的 {a:.1} 倍未購買（距上次 {} 天，平常每 {} 天）",
                d(b),
                d(c)
            ),
            ReasonKind::NoPurchaseFor => format!("已 {} 天未購買", d(a)),
            ReasonKind::BoughtOnce => format!("只買過一次，在 {} 天前", d(a)),
            ReasonKind::BuysRarely => format!("很少購買：{} 天內只有 {a} 個購買日", d(b)),
            ReasonKind::BuyingLessOften => {
                format!("購買變少：最近 30 天 {a} 個購買日，之前 60 天 {b} 個")
            }
            ReasonKind::NoPurchase90Days => "最近 90 天沒有購買".to_string(),
            ReasonKind::SpendingLess => {
                format!("消費變少：最近 30 天 {a:.0}，之前 60 天 {b:.0}")
            }
            ReasonKind::NewCustomer => format!("新顧客：首次購買在 {} 天前", d(a)),
            ReasonKind::Returns => format!("退貨占消費的 {:.0}%", 100.0 * a),
            ReasonKind::RareRegion => {
                format!("所在地區的會員很少（占 {:.1}%）", 100.0 * a)
            }
            ReasonKind::AttributeEffect => "同地區、年齡層或等級的會員回購較少".to_string(),
            ReasonKind::PatternNoPurchase => {
                format!("依購買模式，預測期間內不購買的機率為 {:.0}%", 100.0 * a)
            }
            ReasonKind::FewExpected => format!("預測期間內的預期購買次數：{a:.1}"),
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en())
    }
}

/// Reasons in English joined by `"; "` (the `reasons` column of `scores.csv` and the churn
/// list's CSV).
pub fn joined_en(reasons: &[Reason]) -> String {
    reasons
        .iter()
        .map(Reason::en)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The reasons for one design row (risk-raising terms only, largest first; may be empty for a
/// member whose every term lowers the risk).
pub fn reasons(explainer: &Linear, row: &[f32]) -> Vec<Reason> {
    let mut terms: Vec<(f64, usize)> = (0..row.len().min(explainer.n_features()))
        .map(|j| (explainer.term(j, row[j]), j))
        .filter(|&(c, _)| c > 0.05)
        .collect();
    terms.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out: Vec<Reason> = Vec::new();
    for reason in terms.into_iter().filter_map(|(_, j)| describe(j, row)) {
        if !out.contains(&reason) {
            out.push(reason);
        }
        if out.len() == MAX_REASONS {
            break;
        }
    }
    out
}

/// The member's own numbers behind column `j`, when they support a readable risk reason;
/// `None` for columns with no reason text or whose values do not bear the reason out.
fn describe(j: usize, r: &[f32]) -> Option<Reason> {
    use ReasonKind as K;
    let (d30, d_prev) = (r[idx::DAYS_30D], r[idx::DAYS_90D] - r[idx::DAYS_30D]);
    let (s30, s_prev) = (r[idx::SPEND_30D], r[idx::SPEND_90D] - r[idx::SPEND_30D]);
    let reason = match j {
        idx::RECENCY_OVER_GAP | idx::RECENCY_DAYS | idx::LAST_GAP_DAYS | idx::GAP_MEAN_DAYS
            if r[idx::GAP_MEAN_DAYS] > 0.0 && r[idx::RECENCY_OVER_GAP] >= 1.2 =>
        {
            Reason::new(
                K::OverdueGap,
                [
                    r[idx::RECENCY_OVER_GAP],
                    r[idx::RECENCY_DAYS],
                    r[idx::GAP_MEAN_DAYS],
                ],
            )
        }
        idx::RECENCY_DAYS if r[idx::RECENCY_DAYS] >= 14.0 => {
            Reason::new(K::NoPurchaseFor, [r[idx::RECENCY_DAYS], 0.0, 0.0])
        }
        idx::FREQUENCY_DAYS | idx::RATE_PER_30D | idx::ORDER_LINES
            if r[idx::FREQUENCY_DAYS] <= 1.0 =>
        {
            Reason::new(K::BoughtOnce, [r[idx::RECENCY_DAYS], 0.0, 0.0])
        }
        idx::FREQUENCY_DAYS | idx::RATE_PER_30D if r[idx::RATE_PER_30D] < 1.0 => Reason::new(
            K::BuysRarely,
            [r[idx::FREQUENCY_DAYS], r[idx::TENURE_DAYS], 0.0],
        ),
        idx::DAYS_7D | idx::DAYS_30D | idx::DAYS_90D | idx::TREND_DAYS_30D
            if d30 * 2.0 < d_prev =>
        {
            Reason::new(K::BuyingLessOften, [d30, d_prev, 0.0])
        }
        idx::DAYS_30D | idx::DAYS_90D if r[idx::DAYS_90D] == 0.0 => {
            Reason::new(K::NoPurchase90Days, [0.0; 3])
        }
        idx::SPEND_7D | idx::SPEND_30D | idx::SPEND_90D | idx::TREND_SPEND_30D
            if s30 * 2.0 < s_prev =>
        {
            Reason::new(K::SpendingLess, [s30, s_prev, 0.0])
        }
        idx::TENURE_DAYS if r[idx::TENURE_DAYS] <= 60.0 => {
            Reason::new(K::NewCustomer, [r[idx::TENURE_DAYS], 0.0, 0.0])
        }
        idx::RETURN_LINES | idx::RETURN_SHARE if r[idx::RETURN_SHARE] > 0.0 => {
            Reason::new(K::Returns, [r[idx::RETURN_SHARE], 0.0, 0.0])
        }
        idx::REGION_SHARE if r[idx::REGION_SHARE] > 0.0 && r[idx::REGION_SHARE] < 0.05 => {
            Reason::new(K::RareRegion, [r[idx::REGION_SHARE], 0.0, 0.0])
        }
        idx::ATTRIBUTE_EFFECT if r[idx::ATTRIBUTE_EFFECT] > 0.0 => {
            Reason::new(K::AttributeEffect, [0.0; 3])
        }
        j if j == LEN && r[j] >= 0.5 => Reason::new(K::PatternNoPurchase, [r[j], 0.0, 0.0]),
        j if j == LEN + 1 && r[j] < 1.0 => Reason::new(K::FewExpected, [r[j], 0.0, 0.0]),
        _ => return None,
    };
    Some(reason)
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

    fn texts(r: &[Reason]) -> Vec<String> {
        r.iter().map(Reason::en).collect()
    }

    #[test]
    fn every_kind_has_a_code_and_both_languages() {
        for (code, kind) in ReasonKind::ALL.iter().enumerate() {
            assert_eq!(*kind as u8 as usize, code);
            assert_eq!(ReasonKind::from_code(code as u8), Some(*kind));
            let r = Reason {
                kind: *kind,
                values: [2.0, 30.0, 12.0],
            };
            assert!(!r.en().is_empty() && !r.zh_tw().is_empty());
            assert_ne!(r.en(), r.zh_tw());
        }
        assert_eq!(ReasonKind::from_code(13), None);
        let r = Reason {
            kind: ReasonKind::OverdueGap,
            values: [3.31, 66.0, 20.0],
        };
        assert_eq!(
            r.en(),
            "no purchase for 3.3x the usual gap (66 days since the last, usually every 20 days)"
        );
        assert_eq!(
            r.zh_tw(),
            "已超過平常回購間隔的 3.3 倍未購買（距上次 66 天，平常每 20 天）"
        );
        let once = Reason {
            kind: ReasonKind::NoPurchaseFor,
            values: [1.0, 0.0, 0.0],
        };
        assert_eq!(once.to_string(), "no purchase for 1 day");
        assert_eq!(
            joined_en(&[once, once]),
            "no purchase for 1 day; no purchase for 1 day"
        );
    }

    #[test]
    fn a_far_region_and_a_long_absence_are_told_largest_first() {
        let mut row = vec![0.0f32; LEN + 2];
        row[idx::RECENCY_DAYS] = 40.0; // term 0.1 * 30 = 3.0
        row[idx::REGION_SHARE] = 0.02; // term -10 * -0.28 = 2.8
        assert_eq!(
            texts(&reasons(&explainer(), &row)),
            [
                "no purchase for 40 days",
                "lives in a region with few of the store's members (2.0%)"
            ]
        );
        // A large region lowers the risk: no reason; an unknown region (0) is not told.
        row[idx::REGION_SHARE] = 0.45;
        assert_eq!(
            texts(&reasons(&explainer(), &row)),
            ["no purchase for 40 days"]
        );
        row[idx::REGION_SHARE] = 0.0;
        assert_eq!(
            texts(&reasons(&explainer(), &row)),
            ["no purchase for 40 days"]
        );
    }
}
