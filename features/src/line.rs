//! One order line after parsing, with ids interned.

/// Category id used for lines without a category.
pub const NO_CATEGORY: u32 = u32::MAX;

/// One order line of one member, with item and category interned into the order book's
/// vocabularies.
///
/// A line with a negative `quantity` or `amount` is a *return or cancellation* (see
/// [`PurchaseLine::is_return`]): it is activity, and its amount is netted out of spend, but it is
/// not a purchase. It creates no purchase day and no item or category preference, and it does not
/// count as buying in a label window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PurchaseLine {
    /// Seconds since 1970-01-01, store-local wall clock.
    pub ts: i64,
    /// Item id in the item vocabulary.
    pub item: u32,
    /// Category id in the category vocabulary, or [`NO_CATEGORY`].
    pub category: u32,
    /// Units on the line (negative for a return).
    pub quantity: f64,
    /// Money total of the line (negative for a return).
    pub amount: f64,
}

impl PurchaseLine {
    /// True for a return or cancellation: negative quantity or negative amount.
    pub fn is_return(&self) -> bool {
        self.quantity < 0.0 || self.amount < 0.0
    }

    /// The canonical order of lines in a history: by time, then by every other field, so that
    /// any input order gives the same sequence (and so the same floating-point sums).
    pub fn canonical_cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.ts
            .cmp(&other.ts)
            .then(self.item.cmp(&other.item))
            .then(self.category.cmp(&other.category))
            .then(self.quantity.total_cmp(&other.quantity))
            .then(self.amount.total_cmp(&other.amount))
    }
}

/// Sorts lines into the canonical order of [`PurchaseLine::canonical_cmp`].
pub fn sort_canonical(lines: &mut [PurchaseLine]) {
    lines.sort_unstable_by(PurchaseLine::canonical_cmp);
}
