//! Every member's order lines (training snapshot plus accepted events) and attributes.

use std::sync::Arc;

use features::state::MemberState;
use features::{Day, MemberAttributes, NO_CATEGORY, PurchaseHistory, PurchaseLine, Vocab};

use super::events::OrderEvent;

/// One member's lines (canonical order) and attributes.
#[derive(Debug, Clone, Default)]
pub struct Member {
    /// Lines in canonical order.
    pub lines: Vec<PurchaseLine>,
    /// The members-table row, when known.
    pub attributes: Option<MemberAttributes>,
}

impl Member {
    /// The member's history.
    pub fn history(&self) -> PurchaseHistory<'_> {
        PurchaseHistory::new(&self.lines, self.attributes.as_ref())
    }

    /// The day answers for this member are computed as of: the model's `as_of`, or the day
    /// after the member's latest line when that is later (an event on or after `as_of` moves
    /// the member's clock so that the event counts as history).
    pub fn answer_day(&self, model_as_of: Day) -> Day {
        match self.lines.last() {
            Some(l) if Day::of_ts(l.ts) >= model_as_of => Day::of_ts(l.ts).plus(1),
            _ => model_as_of,
        }
    }
}

/// Members with dense ids, plus the item and category vocabularies.
///
/// The item and category vocabularies are shared (`Arc`) so that an event's answers are
/// computed outside the state's lock with the names as they were when its lines were applied;
/// a new id is added copy-on-write (the copy happens only while such a computation holds the
/// old vocabulary).
#[derive(Debug, Clone, Default)]
pub struct MemberStore {
    /// Member ids.
    pub ids: Vocab,
    /// Item ids.
    pub items: Arc<Vocab>,
    /// Category ids.
    pub categories: Arc<Vocab>,
    /// Members, indexed by their id in [`MemberStore::ids`].
    pub members: Vec<Member>,
}

impl MemberStore {
    /// The store as of training, from a member-state file.
    pub fn from_state(state: MemberState) -> MemberStore {
        let book = state.book;
        let members = (0..book.members().len() as u32)
            .map(|m| Member {
                lines: book.history(m).lines().to_vec(),
                attributes: book.attributes(m).cloned(),
            })
            .collect();
        MemberStore {
            ids: book.members().clone(),
            items: Arc::new(book.items().clone()),
            categories: Arc::new(book.categories().clone()),
            members,
        }
    }

    /// The dense id of a member, if known.
    pub fn id_of(&self, member_id: &str) -> Option<u32> {
        self.ids.get(member_id)
    }

    /// Adds one event's line to its member (creating the member when new); returns the
    /// member's dense id.
    pub fn apply(&mut self, e: &OrderEvent) -> u32 {
        let m = self.ids.intern(&e.member_id);
        if m as usize == self.members.len() {
            self.members.push(Member::default());
        }
        let line = PurchaseLine {
            ts: e.ts,
            item: intern(&mut self.items, &e.item_id),
            category: if e.category.is_empty() {
                NO_CATEGORY
            } else {
                intern(&mut self.categories, &e.category)
            },
            quantity: e.quantity,
            amount: e.amount,
        };
        let lines = &mut self.members[m as usize].lines;
        let at = lines.partition_point(|l| l.canonical_cmp(&line).is_le());
        lines.insert(at, line);
        m
    }

    /// Total order lines held.
    pub fn line_count(&self) -> usize {
        self.members.iter().map(|m| m.lines.len()).sum()
    }
}

/// The id of `name`, adding it (copy-on-write) when new.
fn intern(vocab: &mut Arc<Vocab>, name: &str) -> u32 {
    match vocab.get(name) {
        Some(id) => id,
        None => Arc::make_mut(vocab).intern(name),
    }
}
