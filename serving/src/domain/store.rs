//! Every member's order lines (training snapshot plus accepted events) and attributes. The
//! store keeps a member's lines packed ([`features::codec::pack_lines`], about a third of
//! their in-memory size) and unpacks them into a [`Member`] when a member is computed or
//! read.

use std::sync::Arc;

use features::codec::{Reader, pack_lines, unpack_lines};
use features::state::MemberState;
use features::{Day, MemberAttributes, NO_CATEGORY, PurchaseHistory, PurchaseLine, Vocab};

use super::events::OrderEvent;

/// One member's lines (canonical order) and attributes, unpacked for computing.
#[derive(Debug, Clone, Default)]
pub struct Member {
    /// Lines in canonical order.
    pub lines: Vec<PurchaseLine>,
    /// The members-table row, when known.
    pub attributes: Option<Arc<MemberAttributes>>,
}

impl Member {
    /// The member's history.
    pub fn history(&self) -> PurchaseHistory<'_> {
        PurchaseHistory::new(&self.lines, self.attributes.as_deref())
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

/// One member as the store keeps it: packed lines and shared attributes.
#[derive(Debug, Clone)]
pub struct StoredMember {
    lines: Box<[u8]>,
    attributes: Option<Arc<MemberAttributes>>,
}

impl Default for StoredMember {
    fn default() -> Self {
        StoredMember::new(&[], None)
    }
}

impl StoredMember {
    fn new(lines: &[PurchaseLine], attributes: Option<Arc<MemberAttributes>>) -> StoredMember {
        StoredMember {
            lines: pack_lines(lines),
            attributes,
        }
    }

    /// The member's lines and attributes, unpacked.
    pub fn unpack(&self) -> Member {
        Member {
            lines: self.lines(),
            attributes: self.attributes.clone(),
        }
    }

    /// The member's lines, in canonical order.
    pub fn lines(&self) -> Vec<PurchaseLine> {
        unpack_lines(&self.lines).expect("lines the store packed")
    }

    /// Lines held (the packed form's count, read without unpacking).
    pub fn line_count(&self) -> usize {
        Reader::new(&self.lines)
            .var()
            .expect("lines the store packed") as usize
    }

    /// The members-table row, when known.
    pub fn attributes(&self) -> Option<&MemberAttributes> {
        self.attributes.as_deref()
    }

    fn insert(&mut self, line: PurchaseLine) {
        let mut lines = self.lines();
        let at = lines.partition_point(|l| l.canonical_cmp(&line).is_le());
        lines.insert(at, line);
        *self = StoredMember::new(&lines, self.attributes.take());
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
    pub members: Vec<StoredMember>,
}

impl MemberStore {
    /// The store as of training, from a member-state file.
    pub fn from_state(state: MemberState) -> MemberStore {
        let book = state.book;
        let members = (0..book.members().len() as u32)
            .map(|m| {
                let attributes = book.attributes(m).cloned().map(Arc::new);
                StoredMember::new(book.history(m).lines(), attributes)
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

    /// Member `m`'s lines and attributes, unpacked.
    pub fn member(&self, m: u32) -> Member {
        self.members[m as usize].unpack()
    }

    /// Every member, unpacked (for tests and tools that look at every history at once).
    pub fn unpacked(&self) -> Vec<Member> {
        self.members.iter().map(StoredMember::unpack).collect()
    }

    /// Drops member `m`'s lines and attributes (a member another replica owns); the id stays.
    pub fn forget(&mut self, m: u32) {
        if let Some(member) = self.members.get_mut(m as usize) {
            *member = StoredMember::default();
        }
    }

    /// Adds one event's line to its member (creating the member when new); returns the
    /// member's dense id.
    pub fn apply(&mut self, e: &OrderEvent) -> u32 {
        let m = self.ids.intern(&e.member_id);
        if m as usize == self.members.len() {
            self.members.push(StoredMember::default());
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
        self.members[m as usize].insert(line);
        m
    }

    /// Total order lines held.
    pub fn line_count(&self) -> usize {
        self.members.iter().map(StoredMember::line_count).sum()
    }
}

/// The id of `name`, adding it (copy-on-write) when new.
fn intern(vocab: &mut Arc<Vocab>, name: &str) -> u32 {
    match vocab.get(name) {
        Some(id) => id,
        None => Arc::make_mut(vocab).intern(name),
    }
}
