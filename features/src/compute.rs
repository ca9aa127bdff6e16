//! The per-member feature computation.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::spec::{LEN, idx};
use crate::{Day, FeatureVector, NO_CATEGORY, PurchaseHistory, StoreContext};

const WINDOWS: [i32; 3] = [7, 30, 90];

/// Computes the feature vector of one member as of `as_of`, from the lines strictly before it
/// and the population values in `context` (the [`StoreContext`] of the same `as_of`).
///
/// Returns `None` when the member has no line before `as_of` (not in the population then).
/// The result depends only on that part of the history, never on its input order; each
/// feature's meaning is documented in [`spec::FEATURES`](crate::spec::FEATURES).
///
/// ```
/// use features::{compute, spec::idx, Day, PurchaseHistory, PurchaseLine, StoreContext, NO_CATEGORY};
/// let day = |d: i32| Day(11_300 + d);
/// let line = |d: i32, amount: f64| PurchaseLine {
///     ts: day(d).start_ts(), item: 0, category: NO_CATEGORY, quantity: 1.0, amount,
/// };
/// let lines = [line(0, 100.0), line(10, 50.0), line(30, 70.0)];
/// let ctx = StoreContext::default();
/// let v = compute(&PurchaseHistory::new(&lines, None), day(40), &ctx).unwrap();
/// assert_eq!(v.get(idx::RECENCY_DAYS), 10.0);
/// assert_eq!(v.get(idx::FREQUENCY_DAYS), 3.0);
/// assert_eq!(v.get(idx::GAP_MEAN_DAYS), 15.0);
/// assert_eq!(v.get(idx::MONETARY_NET), 220.0);
/// ```
pub fn compute(
    history: &PurchaseHistory<'_>,
    as_of: Day,
    context: &StoreContext,
) -> Option<FeatureVector> {
    let lines = history.before(as_of);
    let first_line_day = Day::of_ts(lines.first()?.ts);
    let mut v = [0f32; LEN];

    let mut gross = 0f64;
    let mut returned = 0f64;
    let mut return_lines = 0u32;
    let mut order_lines = 0u32;
    let mut quantity = 0f64;
    let mut days: Vec<Day> = Vec::new();
    let mut dow = [0u32; 7];
    let mut win_days = [0u32; 3];
    let mut win_spend = [0f64; 3];
    let (mut prev_days, mut prev_spend) = (0u32, 0f64);
    let mut first_bought: FxHashMap<u32, Day> = FxHashMap::default();
    let mut categories: FxHashSet<u32> = FxHashSet::default();
    let mut repeat_lines = 0u32;

    for line in lines {
        if line.is_return() {
            return_lines += 1;
            returned += line.amount.abs();
            continue;
        }
        let day = Day::of_ts(line.ts);
        let age = as_of.0 - day.0;
        let new_day = days.last() != Some(&day);
        if new_day {
            days.push(day);
            dow[day.weekday()] += 1;
        }
        for (w, &len) in WINDOWS.iter().enumerate() {
            if age <= len {
                win_days[w] += u32::from(new_day);
                win_spend[w] += line.amount;
            }
        }
        if age > 30 && age <= 90 {
            prev_days += u32::from(new_day);
            prev_spend += line.amount;
        }
        order_lines += 1;
        gross += line.amount;
        quantity += line.quantity;
        let first = *first_bought.entry(line.item).or_insert(day);
        repeat_lines += u32::from(first < day);
        if line.category != NO_CATEGORY {
            categories.insert(line.category);
        }
    }

    let n_days = days.len() as f64;
    let per_day = |x: f64| if days.is_empty() { 0.0 } else { x / n_days };
    let (first_day, last_day) = match (days.first(), days.last()) {
        (Some(&f), Some(&l)) => (f, l),
        _ => (first_line_day, first_line_day),
    };
    let gaps: Vec<f64> = days
        .windows(2)
        .map(|w| f64::from(w[1].0 - w[0].0))
        .collect();
    let tenure = f64::from(as_of.0 - first_day.0);
    // With fewer than two purchase days no gap has closed yet: the member's gap is at least
    // the tenure, the censored value (rather than 0, which would read as a very short gap).
    let gap_mean = if gaps.is_empty() {
        tenure
    } else {
        gaps.iter().sum::<f64>() / gaps.len() as f64
    };
    let gap_std = if gaps.len() < 2 {
        0.0
    } else {
        (gaps.iter().map(|g| (g - gap_mean).powi(2)).sum::<f64>() / gaps.len() as f64).sqrt()
    };
    let recency = f64::from(
        as_of.0
            - if days.is_empty() {
                first_line_day.0
            } else {
                last_day.0
            },
    );

    v[idx::RECENCY_DAYS] = recency as f32;
    v[idx::FREQUENCY_DAYS] = n_days as f32;
    v[idx::ORDER_LINES] = order_lines as f32;
    v[idx::MONETARY_NET] = (gross - returned) as f32;
    v[idx::SPEND_PER_DAY] = per_day(gross) as f32;
    v[idx::TENURE_DAYS] = tenure as f32;
    v[idx::GAP_MEAN_DAYS] = gap_mean as f32;
    v[idx::GAP_STD_DAYS] = gap_std as f32;
    v[idx::LAST_GAP_DAYS] = gaps.last().copied().unwrap_or(0.0) as f32;
    v[idx::RECENCY_OVER_GAP] = if !gaps.is_empty() && gap_mean > 0.0 {
        (recency / gap_mean) as f32
    } else {
        0.0
    };
    for w in 0..3 {
        v[idx::DAYS_7D + w] = win_days[w] as f32;
        v[idx::SPEND_7D + w] = win_spend[w] as f32;
    }
    v[idx::TREND_DAYS_30D] =
        ((f64::from(win_days[1]) + 1.0) / (f64::from(prev_days) / 2.0 + 1.0)).ln() as f32;
    v[idx::TREND_SPEND_30D] =
        ((win_spend[1].max(0.0) + 1.0) / (prev_spend.max(0.0) / 2.0 + 1.0)).ln() as f32;
    v[idx::DISTINCT_ITEMS] = first_bought.len() as f32;
    v[idx::DISTINCT_CATEGORIES] = categories.len() as f32;
    v[idx::BASKET_LINES] = per_day(f64::from(order_lines)) as f32;
    v[idx::BASKET_QUANTITY] = per_day(quantity) as f32;
    v[idx::REPEAT_LINE_SHARE] = if order_lines > 0 {
        repeat_lines as f32 / order_lines as f32
    } else {
        0.0
    };
    v[idx::RETURN_LINES] = return_lines as f32;
    v[idx::RETURN_SHARE] = if gross > 0.0 {
        (returned / gross) as f32
    } else {
        0.0
    };
    for (d, &count) in dow.iter().enumerate() {
        v[idx::DOW_MON + d] = per_day(f64::from(count)) as f32;
    }
    v[idx::RATE_PER_30D] = (n_days * 30.0 / tenure.max(30.0)) as f32;
    write_attributes(&mut v, history, as_of);
    v[idx::REGION_SHARE] =
        context.region_share(history.attributes().and_then(|a| a.region.as_deref()));
    v[idx::ATTRIBUTE_EFFECT] = context.attribute_effects.effect(history.attributes());
    Some(FeatureVector(v))
}

fn write_attributes(v: &mut [f32; LEN], history: &PurchaseHistory<'_>, as_of: Day) {
    let Some(a) = history.attributes() else {
        return;
    };
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    v[idx::MEMBER_KNOWN] = 1.0;
    v[idx::MEMBERSHIP_KNOWN] = flag(a.joined.is_some());
    v[idx::MEMBERSHIP_DAYS] = a.joined.map_or(0.0, |j| (as_of.0 - j.0).max(0) as f32);
    let age = a.age_years(as_of);
    v[idx::AGE_KNOWN] = flag(age.is_some());
    v[idx::AGE_YEARS] = age.unwrap_or(0.0);
    let to_birthday = a.days_to_birthday(as_of);
    v[idx::BIRTHDAY_KNOWN] = flag(to_birthday.is_some());
    v[idx::DAYS_TO_BIRTHDAY] = to_birthday.unwrap_or(0.0);
    v[idx::TIER_RANK] = a.tier_rank as f32;
}

#[cfg(test)]
#[path = "compute_tests.rs"]
mod tests;
