//! Binary-classification metrics: ranking quality (ROC AUC, average precision, lift) and
//! probability quality (Brier score, log loss, reliability table).

use serde::Serialize;

use crate::error::{Error, ParamsError, Result};

/// Share of the population whose lift [`BinaryReport::lift_top_decile`] reports.
const TOP_DECILE: f64 = 0.10;

/// Summary of a binary classifier on one labelled population, as written to model manifests.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BinaryReport {
    /// Number of rows evaluated.
    pub population: usize,
    /// Share of positive labels, in `[0, 1]`.
    pub base_rate: f64,
    /// ROC AUC, see [`roc_auc`].
    pub auc: f64,
    /// Average precision, see [`average_precision`].
    pub average_precision: f64,
    /// Brier score, see [`brier`].
    pub brier: f64,
    /// Lift of the top 10% by probability, see [`lift_top_fraction`].
    pub lift_top_decile: f64,
    /// Log loss in nats, see [`log_loss`].
    pub log_loss: f64,
}

impl BinaryReport {
    /// Computes every metric of the report for probabilities `probs` of the positive class.
    ///
    /// # Errors
    /// Those of the individual metrics: empty or mismatched inputs, probabilities outside
    /// `[0, 1]`, or labels holding a single class.
    pub fn compute<P: Copy + Into<f64>>(probs: &[P], labels: &[bool]) -> Result<Self> {
        let p = checked_probs(probs, labels)?;
        let positives = labels.iter().filter(|&&y| y).count();
        Ok(Self {
            population: labels.len(),
            base_rate: positives as f64 / labels.len() as f64,
            auc: roc_auc(&p, labels)?,
            average_precision: average_precision(&p, labels)?,
            brier: brier(&p, labels)?,
            lift_top_decile: lift_top_fraction(&p, labels, TOP_DECILE)?,
            log_loss: log_loss(&p, labels)?,
        })
    }
}

/// One bin of a [`reliability_table`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReliabilityBin {
    /// Inclusive lower edge of the bin's probability range.
    pub lower: f64,
    /// Upper edge (exclusive, except `1.0` for the last bin).
    pub upper: f64,
    /// Rows whose probability falls in the bin.
    pub count: usize,
    /// Mean predicted probability of those rows; `None` for an empty bin.
    pub mean_predicted: Option<f64>,
    /// Share of positive labels among those rows; `None` for an empty bin.
    pub observed_rate: Option<f64>,
}

/// Area under the ROC curve: the probability that a random positive scores above a random
/// negative, ties counting one half (Mann-Whitney U with average ranks). Equals
/// scikit-learn's `roc_auc_score`.
///
/// # Errors
/// [`Error::EmptyData`], [`Error::LengthMismatch`], [`Error::NonFinite`] for a NaN or infinite
/// score, and [`Error::UndefinedMetric`] when the labels hold only one class.
pub fn roc_auc<S: Copy + Into<f64>>(scores: &[S], labels: &[bool]) -> Result<f64> {
    let s = checked_scores(scores, labels)?;
    let (pos, neg) = class_counts(labels);
    if pos == 0 || neg == 0 {
        return Err(undefined("roc_auc", "labels hold only one class"));
    }
    let mut order: Vec<usize> = (0..s.len()).collect();
    order.sort_by(|&a, &b| s[a].total_cmp(&s[b]));
    let mut positive_rank_sum = 0.0;
    for (start, group) in tie_groups(&s, &order) {
        let mean_rank = (2 * start + group.len() + 1) as f64 / 2.0;
        let group_positives = group.iter().filter(|&&i| labels[i]).count();
        positive_rank_sum += mean_rank * group_positives as f64;
    }
    let (p, q) = (pos as f64, neg as f64);
    Ok((positive_rank_sum - p * (p + 1.0) / 2.0) / (p * q))
}

/// Average precision as scikit-learn's `average_precision_score` defines it:
/// `Σ_n (R_n − R_{n−1}) P_n` over the distinct score thresholds in decreasing order, rows with
/// tied scores entering together.
///
/// # Errors
/// As [`roc_auc`], with [`Error::UndefinedMetric`] when there is no positive label.
pub fn average_precision<S: Copy + Into<f64>>(scores: &[S], labels: &[bool]) -> Result<f64> {
    let s = checked_scores(scores, labels)?;
    let (pos, _) = class_counts(labels);
    if pos == 0 {
        return Err(undefined("average_precision", "no positive label"));
    }
    let order = order_desc(&s);
    let (mut tp, mut fp, mut ap, mut prev_recall) = (0usize, 0usize, 0.0, 0.0);
    for (_, group) in tie_groups(&s, &order) {
        let group_positives = group.iter().filter(|&&i| labels[i]).count();
        tp += group_positives;
        fp += group.len() - group_positives;
        let recall = tp as f64 / pos as f64;
        ap += (recall - prev_recall) * tp as f64 / (tp + fp) as f64;
        prev_recall = recall;
    }
    Ok(ap)
}

/// Brier score: mean of `(p − y)²` with `y ∈ {0, 1}`; 0 is perfect, lower is better.
///
/// # Errors
/// [`Error::EmptyData`], [`Error::LengthMismatch`] and [`Error::InvalidProbability`].
pub fn brier<P: Copy + Into<f64>>(probs: &[P], labels: &[bool]) -> Result<f64> {
    let p = checked_probs(probs, labels)?;
    let sum: f64 = p
        .iter()
        .zip(labels)
        .map(|(&p, &y)| (p - f64::from(u8::from(y))).powi(2))
        .sum();
    Ok(sum / p.len() as f64)
}

/// Mean negative log-likelihood in nats, with each probability clipped to
/// `[ε, 1 − ε]`, `ε = f64::EPSILON` (scikit-learn's `log_loss` on `float64` input).
///
/// # Errors
/// As [`brier`].
pub fn log_loss<P: Copy + Into<f64>>(probs: &[P], labels: &[bool]) -> Result<f64> {
    let p = checked_probs(probs, labels)?;
    let sum: f64 = p
        .iter()
        .zip(labels)
        .map(|(&p, &y)| {
            let p = p.clamp(f64::EPSILON, 1.0 - f64::EPSILON);
            if y { -p.ln() } else { -(-p).ln_1p() }
        })
        .sum();
    Ok(sum / p.len() as f64)
}

/// Positive rate among the top `fraction` of rows by score, divided by the overall positive
/// rate. The top holds `ceil(n * fraction)` rows (at least one; a product within `1e-9` of an
/// integer counts as that integer, so `30 * 0.1` gives 3 rows), ties in score broken by lower
/// index first.
///
/// # Errors
/// [`ParamsError::Fraction`] unless `0 < fraction <= 1`, the input errors of [`roc_auc`], and
/// [`Error::UndefinedMetric`] when there is no positive label.
pub fn lift_top_fraction<S: Copy + Into<f64>>(
    scores: &[S],
    labels: &[bool],
    fraction: f64,
) -> Result<f64> {
    if !(fraction > 0.0 && fraction <= 1.0) {
        return Err(ParamsError::Fraction(fraction).into());
    }
    let s = checked_scores(scores, labels)?;
    let (pos, _) = class_counts(labels);
    if pos == 0 {
        return Err(undefined("lift", "no positive label"));
    }
    let n = s.len();
    let k = top_count(n, fraction);
    let hits = order_desc(&s)[..k].iter().filter(|&&i| labels[i]).count();
    Ok((hits as f64 / k as f64) / (pos as f64 / n as f64))
}

/// Calibration table over `bins` equal-width probability bins on `[0, 1]`. A probability `p`
/// falls in bin `min(floor(p * bins), bins − 1)`, so `1.0` lands in the last bin. Every bin is
/// returned, empty ones with `count = 0` and no means.
///
/// # Errors
/// [`ParamsError::Bins`] when `bins == 0`, and the input errors of [`brier`].
pub fn reliability_table<P: Copy + Into<f64>>(
    probs: &[P],
    labels: &[bool],
    bins: usize,
) -> Result<Vec<ReliabilityBin>> {
    if bins == 0 {
        return Err(ParamsError::Bins(bins).into());
    }
    let p = checked_probs(probs, labels)?;
    let mut sums = vec![(0usize, 0.0f64, 0usize); bins];
    for (&p, &y) in p.iter().zip(labels) {
        let bin = ((p * bins as f64).floor() as usize).min(bins - 1);
        let (count, predicted, positives) = &mut sums[bin];
        *count += 1;
        *predicted += p;
        *positives += usize::from(y);
    }
    let width = 1.0 / bins as f64;
    Ok(sums
        .into_iter()
        .enumerate()
        .map(|(b, (count, predicted, positives))| ReliabilityBin {
            lower: b as f64 * width,
            upper: if b + 1 == bins {
                1.0
            } else {
                (b + 1) as f64 * width
            },
            count,
            mean_predicted: (count > 0).then(|| predicted / count as f64),
            observed_rate: (count > 0).then(|| positives as f64 / count as f64),
        })
        .collect())
}

/// Rows in the top `fraction` of `n`: `ceil(n * fraction)` with float noise forgiven, `>= 1`.
fn top_count(n: usize, fraction: f64) -> usize {
    let exact = n as f64 * fraction;
    let nearest = exact.round();
    let k = if (exact - nearest).abs() <= 1e-9 * nearest.max(1.0) {
        nearest
    } else {
        exact.ceil()
    };
    (k as usize).clamp(1, n)
}

/// Row indices by decreasing score, ties by increasing index.
fn order_desc(s: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..s.len()).collect();
    order.sort_by(|&a, &b| s[b].total_cmp(&s[a]));
    order
}

/// Splits `order` (sorted by score) into runs of equal score, each with its start position.
fn tie_groups<'a>(s: &'a [f64], order: &'a [usize]) -> impl Iterator<Item = (usize, &'a [usize])> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start == order.len() {
            return None;
        }
        let score = s[order[start]];
        let len = order[start..]
            .iter()
            .take_while(|&&i| s[i] == score)
            .count();
        let group = (start, &order[start..start + len]);
        start += len;
        Some(group)
    })
}

fn class_counts(labels: &[bool]) -> (usize, usize) {
    let pos = labels.iter().filter(|&&y| y).count();
    (pos, labels.len() - pos)
}

fn checked_len(n: usize, labels: &[bool]) -> Result<()> {
    if labels.is_empty() {
        return Err(Error::EmptyData);
    }
    if n != labels.len() {
        return Err(Error::LengthMismatch {
            what: "scores",
            expected: labels.len(),
            got: n,
        });
    }
    Ok(())
}

fn checked_scores<S: Copy + Into<f64>>(scores: &[S], labels: &[bool]) -> Result<Vec<f64>> {
    checked_len(scores.len(), labels)?;
    let s: Vec<f64> = scores.iter().map(|&v| v.into()).collect();
    match s.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(Error::NonFinite {
            what: "scores",
            index,
        }),
        None => Ok(s),
    }
}

fn checked_probs<P: Copy + Into<f64>>(probs: &[P], labels: &[bool]) -> Result<Vec<f64>> {
    checked_len(probs.len(), labels)?;
    let p: Vec<f64> = probs.iter().map(|&v| v.into()).collect();
    match p.iter().position(|v| !(0.0..=1.0).contains(v)) {
        Some(index) => Err(Error::InvalidProbability {
            index,
            value: p[index],
        }),
        None => Ok(p),
    }
}

fn undefined(metric: &'static str, reason: &'static str) -> Error {
    Error::UndefinedMetric { metric, reason }
}
