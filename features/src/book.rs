//! The order book: every order line of a dataset, interned and grouped by member.

use rustc_hash::FxHashMap;

use crate::{Day, MemberAttributes, NO_CATEGORY, PurchaseHistory, PurchaseLine, Vocab};

/// All order lines of a dataset, grouped by member and in canonical order within a member,
/// plus the members table. Member, item and category ids are dense and ordered by their strings,
/// so they do not depend on the order the input was read in.
#[derive(Debug, Clone)]
pub struct OrderBook {
    members: Vocab,
    items: Vocab,
    categories: Vocab,
    lines: Vec<PurchaseLine>,
    offsets: Vec<usize>,
    attributes: Vec<Option<MemberAttributes>>,
}

impl OrderBook {
    /// Member ids.
    pub fn members(&self) -> &Vocab {
        &self.members
    }

    /// Item ids.
    pub fn items(&self) -> &Vocab {
        &self.items
    }

    /// Category ids (empty categories are not in it).
    pub fn categories(&self) -> &Vocab {
        &self.categories
    }

    /// Number of order lines.
    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// The history of member `member` (an id of [`OrderBook::members`]).
    pub fn history(&self, member: u32) -> PurchaseHistory<'_> {
        let m = member as usize;
        PurchaseHistory::new(
            &self.lines[self.offsets[m]..self.offsets[m + 1]],
            self.attributes[m].as_ref(),
        )
    }

    /// The members table row of a member, if any.
    pub fn attributes(&self, member: u32) -> Option<&MemberAttributes> {
        self.attributes[member as usize].as_ref()
    }

    /// A book from parts already in order: `offsets` has one more entry than `members`, and
    /// member `m`'s lines (canonical order) are `lines[offsets[m]..offsets[m + 1]]`.
    pub(crate) fn from_parts(
        members: Vocab,
        items: Vocab,
        categories: Vocab,
        lines: Vec<PurchaseLine>,
        offsets: Vec<usize>,
        attributes: Vec<Option<MemberAttributes>>,
    ) -> Self {
        OrderBook {
            members,
            items,
            categories,
            lines,
            offsets,
            attributes,
        }
    }

    /// The first and last day with a line, `None` for an empty book.
    pub fn day_range(&self) -> Option<(Day, Day)> {
        let first = self.lines.iter().map(|l| l.ts).min()?;
        let last = self.lines.iter().map(|l| l.ts).max()?;
        Some((Day::of_ts(first), Day::of_ts(last)))
    }

    /// The first day with a line before `as_of`, `None` when there is none.
    pub fn first_day_before(&self, as_of: Day) -> Option<Day> {
        let cut = as_of.start_ts();
        self.lines
            .iter()
            .map(|l| l.ts)
            .filter(|&t| t < cut)
            .min()
            .map(Day::of_ts)
    }
}

/// Collects order lines and member rows, then sorts and interns them into an [`OrderBook`].
#[derive(Debug, Default)]
pub struct OrderBookBuilder {
    members: Vocab,
    items: Vocab,
    categories: Vocab,
    lines: Vec<(u32, PurchaseLine)>,
    attributes: FxHashMap<u32, MemberAttributes>,
}

impl OrderBookBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one order line; an empty `category` means none.
    pub fn push_line(
        &mut self,
        member: &str,
        ts: i64,
        item: &str,
        category: &str,
        quantity: f64,
        amount: f64,
    ) {
        let member = self.members.intern(member);
        let item = self.items.intern(item);
        let category = if category.is_empty() {
            NO_CATEGORY
        } else {
            self.categories.intern(category)
        };
        self.lines.push((
            member,
            PurchaseLine {
                ts,
                item,
                category,
                quantity,
                amount,
            },
        ));
    }

    /// Sets the members-table row of `member`; a later row for the same member replaces it.
    pub fn set_attributes(&mut self, member: &str, attributes: MemberAttributes) {
        let id = self.members.intern(member);
        self.attributes.insert(id, attributes);
    }

    /// Number of lines pushed so far.
    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// Interns ids in string order, sorts lines by member and canonical order, and builds the book.
    pub fn finish(self) -> OrderBook {
        let (members, member_map) = self.members.into_sorted();
        let (items, item_map) = self.items.into_sorted();
        let (categories, category_map) = self.categories.into_sorted();
        let mut lines = self.lines;
        for (m, l) in &mut lines {
            *m = member_map[*m as usize];
            l.item = item_map[l.item as usize];
            if l.category != NO_CATEGORY {
                l.category = category_map[l.category as usize];
            }
        }
        lines.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.canonical_cmp(&b.1)));
        let mut offsets = vec![0usize; members.len() + 1];
        for (m, _) in &lines {
            offsets[*m as usize + 1] += 1;
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let mut attributes = vec![None; members.len()];
        for (old, a) in self.attributes {
            attributes[member_map[old as usize] as usize] = Some(a);
        }
        OrderBook {
            members,
            items,
            categories,
            lines: lines.into_iter().map(|(_, l)| l).collect(),
            offsets,
            attributes,
        }
    }
}
