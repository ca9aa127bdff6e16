//! A member's purchase history and the feature vector computed from it.

use crate::{Day, MemberAttributes, PurchaseLine, spec};

/// The order lines of one member, in canonical order (see
/// [`sort_canonical`](crate::sort_canonical)), with the member's attributes when known.
///
/// A history may hold lines after any date of interest: every computation takes an `as_of` and
/// reads only the lines strictly before it.
#[derive(Debug, Clone, Copy)]
pub struct PurchaseHistory<'a> {
    lines: &'a [PurchaseLine],
    attributes: Option<&'a MemberAttributes>,
}

impl<'a> PurchaseHistory<'a> {
    /// A history over `lines`, which must be in canonical order.
    ///
    /// # Panics
    /// In debug builds, if the lines are not sorted by time.
    pub fn new(lines: &'a [PurchaseLine], attributes: Option<&'a MemberAttributes>) -> Self {
        debug_assert!(
            lines.windows(2).all(|w| w[0].ts <= w[1].ts),
            "lines must be sorted by ts"
        );
        PurchaseHistory { lines, attributes }
    }

    /// Every line, including any on or after a given date.
    pub fn lines(&self) -> &'a [PurchaseLine] {
        self.lines
    }

    /// The member's attributes, when the members table has them.
    pub fn attributes(&self) -> Option<&'a MemberAttributes> {
        self.attributes
    }

    /// The lines strictly before `as_of` (a line at exactly the start of `as_of` is not history).
    pub fn before(&self, as_of: Day) -> &'a [PurchaseLine] {
        let cut = as_of.start_ts();
        &self.lines[..self.lines.partition_point(|l| l.ts < cut)]
    }

    /// The lines in `[start, end)`.
    pub fn between(&self, start: Day, end: Day) -> &'a [PurchaseLine] {
        let (a, b) = (start.start_ts(), end.start_ts());
        let lo = self.lines.partition_point(|l| l.ts < a);
        let hi = self.lines.partition_point(|l| l.ts < b);
        &self.lines[lo..hi.max(lo)]
    }
}

/// A member's feature vector: [`spec::LEN`] values in the order of [`spec::FEATURES`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeatureVector(pub [f32; spec::LEN]);

impl FeatureVector {
    /// The value of one feature, by its index in [`spec::idx`].
    pub fn get(&self, index: usize) -> f32 {
        self.0[index]
    }

    /// The values as a slice.
    pub fn as_slice(&self) -> &[f32] {
        &self.0
    }
}
