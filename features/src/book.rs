//! The order book: every order line of a dataset, interned and grouped by member.

use rustc_hash::FxHashMap;

use crate::partition::member_hash;
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

    /// Members with at least one line.
    pub fn buyer_count(&self) -> usize {
        self.offsets.windows(2).filter(|w| w[1] > w[0]).count()
    }

    /// The book restricted to `max_members` of its members with a line: those whose
    /// [`member_hash`] is smallest (ties by id), every line of each, with the same
    /// vocabularies, ids and members table, so a model fitted on it applies to this book as it
    /// is. `None` when no more than `max_members` members have a line (the sample would be the
    /// whole book). The choice depends only on the member ids, never on the order or the size of
    /// the input: a member of the sample of a smaller store stays in it as the store grows
    /// (while the limit holds it), and an id's hash is the one [`crate::partition`] routes by.
    pub fn member_sample(&self, max_members: usize) -> Option<OrderBook> {
        let mut keyed: Vec<(u64, u32)> = (0..self.members.len() as u32)
            .filter(|&m| self.offsets[m as usize + 1] > self.offsets[m as usize])
            .map(|m| (member_hash(self.members.name(m)), m))
            .collect();
        if keyed.len() <= max_members {
            return None;
        }
        if max_members > 0 {
            keyed.select_nth_unstable(max_members - 1);
        }
        let mut keep = vec![false; self.members.len()];
        for &(_, m) in &keyed[..max_members] {
            keep[m as usize] = true;
        }
        drop(keyed);
        let kept_lines: usize = (0..keep.len())
            .filter(|&m| keep[m])
            .map(|m| self.offsets[m + 1] - self.offsets[m])
            .sum();
        let mut lines = Vec::with_capacity(kept_lines);
        let mut offsets = Vec::with_capacity(keep.len() + 1);
        offsets.push(0);
        for (m, &kept) in keep.iter().enumerate() {
            if kept {
                lines.extend_from_slice(&self.lines[self.offsets[m]..self.offsets[m + 1]]);
            }
            offsets.push(lines.len());
        }
        Some(OrderBook {
            members: self.members.clone(),
            items: self.items.clone(),
            categories: self.categories.clone(),
            lines,
            offsets,
            attributes: self.attributes.clone(),
        })
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

    /// A builder whose item and category ids start as `items` and `categories` (sorted, as an
    /// [`OrderBook`]'s are): a book built from lines that all use these ids keeps them, so
    /// books of different members (a run's member-hash buckets) share one numbering.
    pub fn with_vocabularies(items: Vocab, categories: Vocab) -> Self {
        OrderBookBuilder {
            items,
            categories,
            ..Self::default()
        }
    }

    /// The members-table rows set so far, by member id (the lines are dropped).
    pub fn into_attributes(self) -> Vec<(Box<str>, MemberAttributes)> {
        let members = self.members;
        self.attributes
            .into_iter()
            .map(|(m, a)| (members.name(m).into(), a))
            .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Ten members `m0..m9`, member `mi` with `i + 1` lines; `m3` also has a members row, and
    /// `m10` has only a members row.
    fn book() -> OrderBook {
        let mut b = OrderBookBuilder::new();
        for i in 0..10 {
            for j in 0..=i {
                let ts = 86_400 * (j as i64 + 1);
                b.push_line(&format!("m{i}"), ts, &format!("i{j}"), "c", 1.0, 10.0);
            }
        }
        let tier = |t: &str| MemberAttributes {
            tier: Some(t.into()),
            ..MemberAttributes::default()
        };
        b.set_attributes("m3", tier("gold"));
        b.set_attributes("m10", tier("silver"));
        b.finish()
    }

    fn names(book: &OrderBook) -> Vec<&str> {
        (0..book.members().len() as u32)
            .filter(|&m| !book.history(m).lines().is_empty())
            .map(|m| book.members().name(m))
            .collect()
    }

    #[test]
    fn a_member_sample_keeps_the_smallest_hashes_with_every_line_and_the_same_ids() {
        let full = book();
        assert_eq!(full.buyer_count(), 10);
        // The four smallest FNV-1a 64 hashes of m0..m9 (Python, partition module's function):
        // m8, m9, m0, m1.
        let sample = full.member_sample(4).expect("10 buyers > 4");
        assert_eq!(names(&sample), ["m0", "m1", "m8", "m9"]);
        assert_eq!(sample.line_count(), 1 + 2 + 9 + 10);
        assert_eq!(sample.buyer_count(), 4);
        for m in 0..full.members().len() as u32 {
            let kept = ["m0", "m1", "m8", "m9"].contains(&full.members().name(m));
            let lines = sample.history(m).lines().to_vec();
            assert_eq!(lines.is_empty(), !kept, "{}", full.members().name(m));
            if kept {
                assert_eq!(lines, full.history(m).lines());
            }
        }
        // Same vocabularies and members table: ids mean the same in both books.
        assert_eq!(sample.items().len(), full.items().len());
        assert_eq!(sample.members().len(), full.members().len());
        let m3 = full.members().get("m3").unwrap();
        assert_eq!(sample.attributes(m3).unwrap().tier.as_deref(), Some("gold"));
    }

    #[test]
    fn no_sample_when_the_limit_holds_every_buyer_and_the_sample_is_nested() {
        let full = book();
        assert!(full.member_sample(10).is_none());
        assert!(full.member_sample(11).is_none());
        assert_eq!(names(&full.member_sample(2).unwrap()), ["m8", "m9"]);
        assert_eq!(full.member_sample(0).unwrap().line_count(), 0);
    }
}
