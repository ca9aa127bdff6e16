//! Fitting the churn effects of member attribute levels: a logistic regression on the design
//! plus one indicator column per attribute level (one-hot), whose level coefficients become
//! the [`AttributeEffects`] that the `attribute_effect` feature sums.

use std::collections::BTreeMap;

use features::{ATTRIBUTES, Attribute, AttributeEffects, MemberAttributes};

use features::churn::Linear;

use super::params::LogisticParams;
use crate::error::Result;

/// Levels seen on fewer training rows than this get no effect (0, like a new level): too few
/// members to tell their churn apart from noise.
pub const MIN_LEVEL_ROWS: usize = 30;

/// A logistic model fitted with one indicator column per frequent attribute level, folded back
/// to the design's width: the indicators' coefficients become [`AttributeEffects`] and the
/// design's `effect_column` carries them with weight 1 (offset 0, scale 1), so that
/// `model` on a row whose `effect_column` holds the member's summed effect gives exactly the
/// logit of the one-hot model.
#[derive(Debug, Clone, PartialEq)]
pub struct OneHotFit {
    /// The model at the design's width.
    pub model: Linear,
    /// The level effects the `effect_column` must hold.
    pub effects: AttributeEffects,
}

/// Fits `params` on a row-major design `x` of `n_cols` columns widened by the indicators of the
/// frequent levels of each row's attributes (see [`OneHotLevels::frequent`]), with
/// `effect_column` set to 0, then folds the indicators into [`OneHotFit::effects`].
///
/// # Errors
/// Those of [`LogisticParams::fit`] (one-class labels, non-finite values).
pub fn fit_one_hot(
    x: &[f32],
    n_cols: usize,
    effect_column: usize,
    labels: &[bool],
    attributes: &[Option<&MemberAttributes>],
    params: &LogisticParams,
) -> Result<OneHotFit> {
    let levels = OneHotLevels::frequent(attributes);
    let mut x = x.to_vec();
    for row in x.chunks_exact_mut(n_cols) {
        row[effect_column] = 0.0;
    }
    let width = n_cols + levels.width();
    // The indicators stay 0/1, so the ridge shrinks a rare level's effect hard (as the simple
    // baseline's one-hot encoder does); standardised, a rare level would get a large effect.
    let params = params.clone().unscaled_from(Some(n_cols));
    let wide = params.fit(&levels.widen(&x, n_cols, attributes), width, labels)?;
    let mut effects = AttributeEffects::default();
    let mut intercept = f64::from(wide.intercept);
    let mut j = n_cols;
    for (a, names) in &levels.levels {
        let table = effects.table_mut(*a);
        for name in names {
            let (w, o, s) = (
                f64::from(wide.weights[j]),
                f64::from(wide.offsets[j]),
                f64::from(wide.scales[j]),
            );
            // w (x - o) / s = (w / s) x - w o / s for the 0/1 indicator x.
            table.insert(name.clone(), (w / s) as f32);
            intercept -= w * o / s;
            j += 1;
        }
    }
    let mut model = Linear {
        log1p: wide.log1p[..n_cols].to_vec(),
        offsets: wide.offsets[..n_cols].to_vec(),
        scales: wide.scales[..n_cols].to_vec(),
        weights: wide.weights[..n_cols].to_vec(),
        intercept: intercept as f32,
        calibration: None,
    };
    model.log1p[effect_column] = false;
    model.offsets[effect_column] = 0.0;
    model.scales[effect_column] = 1.0;
    model.weights[effect_column] = 1.0;
    Ok(OneHotFit { model, effects })
}

impl OneHotFit {
    /// The fit whose logit is `share · logit_self + (1 − share) · logit_other` for every member
    /// (see [`Linear::blend`] and [`AttributeEffects::blend`]).
    pub fn blend(&self, other: &OneHotFit, share: f64) -> OneHotFit {
        OneHotFit {
            model: self.model.blend(&other.model, share),
            effects: self.effects.blend(&other.effects, share),
        }
    }
}

/// The attribute levels that get an indicator column: per attribute, the levels with at least
/// [`MIN_LEVEL_ROWS`] rows, when there are two or more such (else the attribute is left out).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OneHotLevels {
    /// The attributes with their levels, in [`ATTRIBUTES`] order, each in name order.
    pub levels: Vec<(Attribute, Vec<String>)>,
}

impl OneHotLevels {
    /// The frequent levels of the rows' attributes.
    pub fn frequent(attributes: &[Option<&MemberAttributes>]) -> OneHotLevels {
        let levels = ATTRIBUTES
            .iter()
            .map(|&a| (a, frequent_levels(a, attributes)))
            .filter(|(_, levels)| levels.len() >= 2)
            .collect();
        OneHotLevels { levels }
    }

    /// Number of indicator columns.
    pub fn width(&self) -> usize {
        self.levels.iter().map(|(_, l)| l.len()).sum()
    }

    /// The indicator columns of one member, appended to `out`.
    pub fn indicators(&self, attributes: Option<&MemberAttributes>, out: &mut Vec<f32>) {
        for (a, names) in &self.levels {
            let level = a.level(attributes);
            out.extend(names.iter().map(|n| if n == level { 1.0f32 } else { 0.0 }));
        }
    }

    /// A row-major matrix of `n_cols` columns with each row's indicators appended.
    pub fn widen(
        &self,
        x: &[f32],
        n_cols: usize,
        attributes: &[Option<&MemberAttributes>],
    ) -> Vec<f32> {
        let mut wide = Vec::with_capacity(attributes.len() * (n_cols + self.width()));
        for (row, attrs) in x.chunks_exact(n_cols).zip(attributes) {
            wide.extend_from_slice(row);
            self.indicators(*attrs, &mut wide);
        }
        wide
    }
}

/// The levels of `attribute` with at least [`MIN_LEVEL_ROWS`] rows, in name order.
fn frequent_levels(attribute: Attribute, attributes: &[Option<&MemberAttributes>]) -> Vec<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for a in attributes {
        *counts.entry(attribute.level(*a)).or_default() += 1;
    }
    counts
        .into_iter()
        .filter(|&(_, c)| c >= MIN_LEVEL_ROWS)
        .map(|(l, _)| l.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::churn::Log1pColumns;

    fn member(region: &str) -> MemberAttributes {
        MemberAttributes {
            region: Some(region.into()),
            ..MemberAttributes::default()
        }
    }

    /// Two regions with churn rates 0.2 and 0.6, one numeric column of noise, an effect column,
    /// and a rare third region.
    fn data() -> (Vec<f32>, Vec<bool>, Vec<MemberAttributes>) {
        let (mut x, mut y, mut attrs) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..1000 {
            let (a, churned) = if i < 500 {
                ("north", i % 5 == 0)
            } else {
                ("south", i % 5 < 3)
            };
            x.extend([(i % 7) as f32, 9.0]);
            y.push(churned);
            attrs.push(member(a));
        }
        for i in 0..10 {
            x.extend([1.0, 9.0]);
            y.push(i % 2 == 0);
            attrs.push(member("rare"));
        }
        (x, y, attrs)
    }

    #[test]
    fn effects_recover_the_log_odds_ratio_of_two_regions_and_skip_rare_levels() {
        let (x, y, attrs) = data();
        let attrs: Vec<_> = attrs.iter().map(Some).collect();
        let params = LogisticParams::new().l2(1e-6).log1p(Log1pColumns::None);
        let fit = fit_one_hot(&x, 2, 1, &y, &attrs, &params).unwrap();
        let e = &fit.effects;
        let want = (0.6f64 / 0.4).ln() - (0.2f64 / 0.8).ln();
        let got = f64::from(e.region["south"] - e.region["north"]);
        assert!((got - want).abs() < 0.01, "{got} vs {want}");
        assert!(!e.region.contains_key("rare"));
        assert!(e.age_group.is_empty() && e.tier.is_empty());
    }

    /// The folded model with the effect column filled gives the one-hot model's logit.
    #[test]
    fn the_folded_model_reproduces_the_one_hot_model_on_every_row() {
        let (x, y, attrs) = data();
        let attrs: Vec<_> = attrs.iter().map(Some).collect();
        let params = LogisticParams::new().log1p(Log1pColumns::None);
        let fit = fit_one_hot(&x, 2, 1, &y, &attrs, &params).unwrap();
        let levels = OneHotLevels::frequent(&attrs);
        let mut zeroed = x.clone();
        zeroed.iter_mut().skip(1).step_by(2).for_each(|v| *v = 0.0);
        let wide = params
            .clone()
            .unscaled_from(Some(2))
            .fit(&levels.widen(&zeroed, 2, &attrs), 2 + levels.width(), &y)
            .unwrap();
        let mut filled = x.clone();
        for (row, a) in filled.chunks_exact_mut(2).zip(&attrs) {
            row[1] = fit.effects.effect(*a);
        }
        let folded = fit.model.logits(&filled);
        let want = wide.logits(&levels.widen(&zeroed, 2, &attrs));
        for (i, (a, b)) in folded.iter().zip(&want).enumerate() {
            assert!((a - b).abs() < 1e-4, "row {i}: folded {a}, one-hot {b}");
        }
    }

    #[test]
    fn one_level_only_gives_no_effects() {
        let one = member("north");
        let x: Vec<f32> = (0..200).map(|i| (i % 3) as f32).collect();
        let y: Vec<bool> = (0..100).map(|i| i % 2 == 0).collect();
        let attrs = vec![Some(&one); 100];
        let fit = fit_one_hot(&x, 2, 1, &y, &attrs, &LogisticParams::new()).unwrap();
        assert!(fit.effects.is_empty());
        assert_eq!(fit.model.weights[1], 1.0);
    }
}
