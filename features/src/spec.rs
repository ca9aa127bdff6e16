//! The feature specification: names, order, units and the schema hash.
//!
//! This is the one definition of the member feature vector, shared by training and serving.
//! Every model exported by training records [`SCHEMA_VERSION`] and [`schema_hash`]; serving
//! refuses a model whose hash differs from its own.

use sha2::{Digest, Sha256};

/// One feature of the vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct FeatureDef {
    /// Stable snake_case name.
    pub name: &'static str,
    /// Unit of the value (`days`, `count`, `money`, `share`, `flag`, ...).
    pub unit: &'static str,
    /// What the value means, including its value for members without the data.
    pub doc: &'static str,
}

macro_rules! define_features {
    ($($idx:ident = $name:literal, $unit:literal, $doc:literal;)*) => {
        /// Index constants into a [`FeatureVector`](crate::FeatureVector), one per feature.
        #[allow(missing_docs)]
        pub mod idx {
            define_features!(@idx 0usize; $($idx)*);
        }
        /// Every feature, in vector order.
        pub const FEATURES: [FeatureDef; LEN] = [$(FeatureDef { name: $name, unit: $unit, doc: $doc }),*];
        /// Number of features.
        pub const LEN: usize = [$($name),*].len();
    };
    (@idx $n:expr; $head:ident $($rest:ident)*) => {
        pub const $head: usize = $n;
        define_features!(@idx $n + 1usize; $($rest)*);
    };
    (@idx $n:expr;) => {};
}

define_features! {
    RECENCY_DAYS = "recency_days", "days", "Days from the last purchase day to as_of (>= 1); with no purchase yet, days since the first line.";
    FREQUENCY_DAYS = "frequency_days", "count", "Distinct purchase days.";
    ORDER_LINES = "order_lines", "count", "Purchase lines (returns excluded).";
    MONETARY_NET = "monetary_net", "money", "Total spend net of returns.";
    SPEND_PER_DAY = "spend_per_day", "money", "Gross spend per purchase day (mean basket value); 0 with no purchase.";
    TENURE_DAYS = "tenure_days", "days", "Days from the first purchase day to as_of; with no purchase yet, from the first line.";
    GAP_MEAN_DAYS = "gap_mean_days", "days", "Mean gap between consecutive purchase days; with fewer than two, the tenure (no gap has closed, so the gap is at least that long).";
    GAP_STD_DAYS = "gap_std_days", "days", "Population standard deviation of those gaps; 0 with fewer than two gaps.";
    LAST_GAP_DAYS = "last_gap_days", "days", "Gap between the last two purchase days; 0 with fewer than two.";
    RECENCY_OVER_GAP = "recency_over_gap", "ratio", "recency_days / gap_mean_days: how overdue the member is; 0 with fewer than two purchase days.";
    DAYS_7D = "days_7d", "count", "Purchase days in [as_of - 7d, as_of).";
    DAYS_30D = "days_30d", "count", "Purchase days in [as_of - 30d, as_of).";
    DAYS_90D = "days_90d", "count", "Purchase days in [as_of - 90d, as_of).";
    SPEND_7D = "spend_7d", "money", "Gross spend in [as_of - 7d, as_of).";
    SPEND_30D = "spend_30d", "money", "Gross spend in [as_of - 30d, as_of).";
    SPEND_90D = "spend_90d", "money", "Gross spend in [as_of - 90d, as_of).";
    TREND_DAYS_30D = "trend_days_30d", "log ratio", "ln((days_30d + 1) / (d_prev / 2 + 1)) with d_prev the purchase days in [as_of - 90d, as_of - 30d): above 0 when buying more often lately.";
    TREND_SPEND_30D = "trend_spend_30d", "log ratio", "ln((spend_30d + 1) / (s_prev / 2 + 1)) with s_prev the gross spend in [as_of - 90d, as_of - 30d).";
    DISTINCT_ITEMS = "distinct_items", "count", "Distinct items bought.";
    DISTINCT_CATEGORIES = "distinct_categories", "count", "Distinct non-empty categories bought.";
    BASKET_LINES = "basket_lines", "count", "Purchase lines per purchase day; 0 with no purchase.";
    BASKET_QUANTITY = "basket_quantity", "units", "Units per purchase day; 0 with no purchase.";
    REPEAT_LINE_SHARE = "repeat_line_share", "share", "Share of purchase lines whose item this member bought on an earlier day (repeat versus explore); 0 with no purchase.";
    RETURN_LINES = "return_lines", "count", "Return or cancellation lines (negative quantity or amount).";
    RETURN_SHARE = "return_share", "share", "Returned amount / gross spend (can exceed 1); 0 with no spend.";
    DOW_MON = "dow_mon", "share", "Share of purchase days on a Monday; 0 with no purchase.";
    DOW_TUE = "dow_tue", "share", "Share of purchase days on a Tuesday.";
    DOW_WED = "dow_wed", "share", "Share of purchase days on a Wednesday.";
    DOW_THU = "dow_thu", "share", "Share of purchase days on a Thursday.";
    DOW_FRI = "dow_fri", "share", "Share of purchase days on a Friday.";
    DOW_SAT = "dow_sat", "share", "Share of purchase days on a Saturday.";
    DOW_SUN = "dow_sun", "share", "Share of purchase days on a Sunday.";
    RATE_PER_30D = "rate_per_30d", "count", "Purchase days per 30 days of tenure: frequency_days * 30 / max(tenure_days, 30).";
    MEMBER_KNOWN = "member_known", "flag", "1 when the members table has a row for this member.";
    MEMBERSHIP_DAYS = "membership_days", "days", "Days from joining the programme to as_of (0 when unknown or later).";
    MEMBERSHIP_KNOWN = "membership_known", "flag", "1 when the join date is known.";
    AGE_YEARS = "age_years", "years", "Age from the birthday, else the middle of the age group; 0 when unknown.";
    AGE_KNOWN = "age_known", "flag", "1 when age_years is known.";
    DAYS_TO_BIRTHDAY = "days_to_birthday", "days", "Days from as_of to the next birthday (0..=365); 0 when unknown.";
    BIRTHDAY_KNOWN = "birthday_known", "flag", "1 when the birthday is known.";
    TIER_RANK = "tier_rank", "rank", "Position of the member's tier in the configured tier order, 1 = lowest; 0 when unknown.";
    REGION_SHARE = "region_share", "share", "Share of the population (members with a line before as_of) living in the member's region, from the cutoff's StoreContext; 0 when the region is unknown.";
    ATTRIBUTE_EFFECT = "attribute_effect", "log odds", "Sum of the churn log-odds the model learnt for the member's region, age group and tier levels (AttributeEffects in the StoreContext; a missing value is its own level); 0 for levels too rare to learn and before the effects are fitted.";
}

/// Version of the feature definitions; bump it whenever a definition changes meaning (v4:
/// `gap_mean_days` of a member with fewer than two purchase days is the tenure, not 0).
pub const SCHEMA_VERSION: u32 = 4;

/// Feature names, in vector order.
pub fn names() -> impl ExactSizeIterator<Item = &'static str> {
    FEATURES.iter().map(|f| f.name)
}

/// Hex SHA-256 of the schema version and the ordered feature names and units. Two builds agree
/// on this hash exactly when their feature vectors mean the same thing position by position.
pub fn schema_hash() -> String {
    let mut h = Sha256::new();
    h.update(format!("tiefen-features-v{SCHEMA_VERSION}\n"));
    for f in FEATURES {
        h.update(f.name);
        h.update("\t");
        h.update(f.unit);
        h.update("\n");
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_snake_case_and_indexes_match() {
        let mut seen = std::collections::HashSet::new();
        for f in FEATURES {
            assert!(seen.insert(f.name), "duplicate {}", f.name);
            assert!(
                f.name
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
            );
        }
        assert_eq!(FEATURES[idx::RECENCY_DAYS].name, "recency_days");
        assert_eq!(FEATURES[idx::TIER_RANK].name, "tier_rank");
        assert_eq!(FEATURES[idx::REGION_SHARE].name, "region_share");
        assert_eq!(FEATURES[idx::ATTRIBUTE_EFFECT].name, "attribute_effect");
        assert_eq!(idx::ATTRIBUTE_EFFECT, LEN - 1);
    }

    #[test]
    fn schema_hash_is_stable_hex() {
        let h = schema_hash();
        assert_eq!(h.len(), 64);
        assert_eq!(h, schema_hash());
    }
}
