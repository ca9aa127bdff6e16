//! Metrics of a spend prediction against actual spend: Spearman's rank correlation (average
//! ranks for ties, from statrs), mean absolute error, and the share of actual spend captured by
//! the top fraction of members by prediction.

use statrs::statistics::{Data, OrderStatistics, RankTieBreaker};

use crate::error::{Error, Result};

fn check_pair(what: &'static str, a: &[f64], b: &[f64]) -> Result<()> {
    if a.len() != b.len() {
        return Err(Error::LengthMismatch {
            what,
            expected: a.len(),
            got: b.len(),
        });
    }
    for (index, v) in a.iter().chain(b).enumerate() {
        if !v.is_finite() {
            return Err(Error::NonFinite {
                what,
                index: index % a.len().max(1),
            });
        }
    }
    Ok(())
}

/// Pearson's correlation; `None` with fewer than 2 values, a constant input or a non-finite one.
pub fn pearson(a: &[f64], b: &[f64]) -> Option<f64> {
    let n = a.len();
    if n < 2 || n != b.len() {
        return None;
    }
    let (ma, mb) = (
        a.iter().sum::<f64>() / n as f64,
        b.iter().sum::<f64>() / n as f64,
    );
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (dx, dy) = (x - ma, y - mb);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    let r = sab / (saa * sbb).sqrt();
    r.is_finite().then_some(r.clamp(-1.0, 1.0))
}

/// Average ranks (1-based; tied values share the mean of their positions).
pub fn average_ranks(values: &[f64]) -> Vec<f64> {
    Data::new(values.to_vec()).ranks(RankTieBreaker::Average)
}

/// Spearman's rank correlation: Pearson's correlation of the average ranks. Undefined (an
/// error) with fewer than 2 values or when either side is constant.
pub fn spearman(a: &[f64], b: &[f64]) -> Result<f64> {
    check_pair("spearman input", a, b)?;
    pearson(&average_ranks(a), &average_ranks(b)).ok_or(Error::UndefinedMetric {
        metric: "spearman",
        reason: "fewer than 2 members or a constant side",
    })
}

/// Mean absolute error.
pub fn mean_absolute_error(predicted: &[f64], actual: &[f64]) -> Result<f64> {
    check_pair("mean absolute error input", predicted, actual)?;
    if predicted.is_empty() {
        return Err(Error::EmptyData);
    }
    let total: f64 = predicted
        .iter()
        .zip(actual)
        .map(|(p, a)| (p - a).abs())
        .sum();
    Ok(total / predicted.len() as f64)
}

/// Share of the total of `actual` held by the `⌈fraction · n⌉` members with the highest
/// `predicted`. Members tied with the last one taken share the remaining places: each counts
/// with the fraction of them that fits (the expectation over random tie-breaking), so the
/// result never depends on input order. Undefined when `actual` sums to 0 (or less).
pub fn top_share(predicted: &[f64], actual: &[f64], fraction: f64) -> Result<f64> {
    check_pair("top share input", predicted, actual)?;
    if !(fraction > 0.0 && fraction <= 1.0) {
        return Err(crate::ParamsError::Fraction(fraction).into());
    }
    let total: f64 = actual.iter().sum();
    if predicted.is_empty() || total <= 0.0 {
        return Err(Error::UndefinedMetric {
            metric: "top share of actual spend",
            reason: "no actual spend",
        });
    }
    let k = ((fraction * predicted.len() as f64).ceil() as usize).clamp(1, predicted.len());
    let mut order: Vec<usize> = (0..predicted.len()).collect();
    order.sort_by(|&i, &j| predicted[j].total_cmp(&predicted[i]));
    let cut = predicted[order[k - 1]];
    let (mut above, mut tied, mut n_above, mut n_tied) = (0.0, 0.0, 0usize, 0usize);
    for (&p, &a) in predicted.iter().zip(actual) {
        if p > cut {
            above += a;
            n_above += 1;
        } else if p == cut {
            tied += a;
            n_tied += 1;
        }
    }
    let places = (k - n_above) as f64 / n_tied as f64;
    Ok((above + places * tied) / total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_matches_a_hand_computed_case_with_ties() {
        // a ranks: 10 -> 1, 20 & 20 -> 2.5, 40 -> 4, 50 -> 5.
        // b ranks: 1 -> 1, 3 -> 3, 2 -> 2, 5 & 5 -> 4.5.
        let a = [10.0, 20.0, 20.0, 40.0, 50.0];
        let b = [1.0, 3.0, 2.0, 5.0, 5.0];
        assert_eq!(average_ranks(&a), [1.0, 2.5, 2.5, 4.0, 5.0]);
        assert_eq!(average_ranks(&b), [1.0, 3.0, 2.0, 4.5, 4.5]);
        // Both rank vectors have mean 3; deviations (-2, -.5, -.5, 1, 2) and (-2, 0, -1, 1.5,
        // 1.5): Σdxdy = 4 + 0 + .5 + 1.5 + 3 = 9, Σdx² = 9.5, Σdy² = 9.5, so ρ = 9 / 9.5.
        let rho = spearman(&a, &b).expect("defined");
        assert!((rho - 9.0 / 9.5).abs() < 1e-12, "{rho}");
        let reversed: Vec<f64> = a.iter().map(|v| -v).collect();
        assert!((spearman(&a, &reversed).expect("defined") + 1.0).abs() < 1e-12);
        let err = spearman(&a, &[1.0; 5]).unwrap_err();
        assert!(matches!(err, Error::UndefinedMetric { .. }), "{err:?}");
        let err = spearman(&a, &[1.0, 2.0, f64::NAN, 3.0, 4.0]).unwrap_err();
        assert!(matches!(err, Error::NonFinite { index: 2, .. }), "{err:?}");
    }

    #[test]
    fn mae_and_top_share_match_hand_results_and_split_ties() {
        let predicted = [5.0, 1.0, 3.0, 3.0, 0.0];
        let actual = [10.0, 0.0, 20.0, 60.0, 10.0];
        assert_eq!(mean_absolute_error(&predicted, &actual).expect("ok"), 18.0);
        // Top 20% = 1 member: 5.0 -> 10 of 100.
        assert_eq!(top_share(&predicted, &actual, 0.2).expect("ok"), 0.1);
        // Top 40% = 2 members: 5.0, then one of the two tied at 3.0 (half of 80).
        assert_eq!(top_share(&predicted, &actual, 0.4).expect("ok"), 0.5);
        let err = top_share(&predicted, &[0.0; 5], 0.1).unwrap_err();
        assert!(matches!(err, Error::UndefinedMetric { .. }), "{err:?}");
    }
}
