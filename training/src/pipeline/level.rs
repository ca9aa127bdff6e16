//! Moving the churn probabilities' level at as-of to a reference mean without changing their
//! order: used when the one training cutoff had a label window shorter than the horizon, so
//! the level the model learnt there is not the horizon's.

/// A shift of the calibration intercept (on the logit) and the means it was chosen from.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LevelShift {
    /// The model's mean churn probability over the population at as-of before the shift.
    pub mean_before: f64,
    /// The reference mean the shift reaches: BG/NBD's mean probability of no purchase in the
    /// horizon at as-of.
    pub mean_target: f64,
    /// Added to every logit.
    pub shift: f64,
}

/// The shift `s` with `mean(sigmoid(logit(p_i) + s)) = mean(target)`, found by bisection (the
/// left side rises with `s`), to `1e-9` on the logit. `None` when there is nothing to match:
/// no probabilities, a length mismatch, a non-finite value, or a target mean at 0 or 1.
pub(super) fn mean_matching_shift(probs: &[f64], target: &[f64]) -> Option<LevelShift> {
    if probs.is_empty() || probs.len() != target.len() {
        return None;
    }
    if !probs.iter().chain(target).all(|v| v.is_finite()) {
        return None;
    }
    let n = probs.len() as f64;
    let mean_target = target.iter().sum::<f64>() / n;
    let mean_before = probs.iter().sum::<f64>() / n;
    if !(mean_target > 0.0 && mean_target < 1.0) {
        return None;
    }
    let logits: Vec<f64> = probs
        .iter()
        .map(|&p| {
            let p = p.clamp(1e-9, 1.0 - 1e-9);
            (p / (1.0 - p)).ln()
        })
        .collect();
    let mean_at = |s: f64| logits.iter().map(|&z| sigmoid(z + s)).sum::<f64>() / n;
    let (mut lo, mut hi) = (-40.0f64, 40.0f64);
    while hi - lo > 1e-9 {
        let mid = 0.5 * (lo + hi);
        if mean_at(mid) < mean_target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(LevelShift {
        mean_before,
        mean_target,
        shift: 0.5 * (lo + hi),
    })
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_probability_moves_exactly_to_the_target() {
        // logit(0.2) = -ln 4, logit(0.5) = 0: the shift is ln 4.
        let s = mean_matching_shift(&[0.2], &[0.5]).unwrap();
        assert!((s.shift - 4f64.ln()).abs() < 1e-8, "{s:?}");
        assert_eq!((s.mean_before, s.mean_target), (0.2, 0.5));
    }

    #[test]
    fn the_shifted_mean_equals_the_target_mean_and_the_order_is_kept() {
        let probs = [0.05, 0.3, 0.6, 0.9, 0.99];
        let target = [0.5, 0.2, 0.4, 0.1, 0.3]; // mean 0.3
        let s = mean_matching_shift(&probs, &target).unwrap();
        assert!(s.shift < 0.0);
        let shifted: Vec<f64> = probs
            .iter()
            .map(|&p| sigmoid((p / (1.0 - p)).ln() + s.shift))
            .collect();
        let mean = shifted.iter().sum::<f64>() / 5.0;
        assert!((mean - 0.3).abs() < 1e-8, "{mean}");
        assert!(shifted.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn nothing_to_match_gives_none() {
        assert_eq!(mean_matching_shift(&[], &[]), None);
        assert_eq!(mean_matching_shift(&[0.5], &[0.5, 0.5]), None);
        assert_eq!(mean_matching_shift(&[0.5], &[0.0]), None);
        assert_eq!(mean_matching_shift(&[f64::NAN], &[0.5]), None);
    }
}
