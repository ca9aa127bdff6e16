//! Every member's order lines (training snapshot plus accepted events) and attributes. The
//! store keeps a member's lines packed ([`features::codec::pack_lines`], about a third of
//! their in-memory size) and unpacks them into a [`Member`] when a member is computed or
//! read.

use std::sync::Arc;

use features::codec::{Reader, pack_lines, unpack_lines};
use features::state::{MemberState, read_member_state_with, twice};
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

    /// The store as of training, read from a member-state file a member at a time: each
    /// member's lines are packed as they are read, so the file's lines are never all unpacked
    /// in memory at once. Returns the file's as-of date too.
    ///
    /// # Errors
    /// Those of [`read_member_state_with`].
    pub fn read(r: &mut impl std::io::Read) -> std::io::Result<(Day, MemberStore)> {
        let mut ids = Vocab::new();
        let mut members = Vec::new();
        let header = read_member_state_with(r, |id, attributes, lines| {
            if ids.get(id).is_some() {
                return Err(twice(id));
            }
            ids.intern(id);
            members.push(StoredMember::new(lines, attributes.map(Arc::new)));
            Ok(())
        })?;
        Ok((
            header.as_of,
            MemberStore {
                ids,
                items: Arc::new(header.items),
                categories: Arc::new(header.categories),
                members,
            },
        ))
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

#[cfg(test)]
mod tests {
    use features::state::{
        read_member_state, write_member_state, write_state_header, write_state_member,
    };
    use features::{MemberAttributes, OrderBookBuilder};

    use super::*;

    fn book() -> features::OrderBook {
        let mut b = OrderBookBuilder::new();
        b.push_line("m2", 86_400 * 3, "i2", "c1", 1.0, 10.0);
        b.push_line("m1", 86_400 * 2, "i1", "", 2.0, 5.5);
        b.push_line("m1", 86_400, "i2", "c1", -1.0, -10.0);
        b.set_attributes(
            "m3",
            MemberAttributes {
                region: Some("north".into()),
                ..MemberAttributes::default()
            },
        );
        b.finish()
    }

    #[test]
    fn a_store_read_a_member_at_a_time_equals_the_store_of_the_whole_file() {
        let mut bytes = Vec::new();
        write_member_state(&book(), Day(10), &mut bytes).unwrap();
        let whole = MemberStore::from_state(read_member_state(&mut bytes.as_slice()).unwrap());
        let (as_of, read) = MemberStore::read(&mut bytes.as_slice()).unwrap();
        assert_eq!(as_of, Day(10));
        assert_eq!(read.ids.names().collect::<Vec<_>>(), ["m1", "m2", "m3"]);
        assert_eq!(
            read.ids.names().collect::<Vec<_>>(),
            whole.ids.names().collect::<Vec<_>>()
        );
        assert_eq!(read.items.names().collect::<Vec<_>>(), ["i1", "i2"]);
        assert_eq!(read.categories.names().collect::<Vec<_>>(), ["c1"]);
        for (a, b) in read.unpacked().iter().zip(whole.unpacked()) {
            assert_eq!(a.lines, b.lines);
            assert_eq!(a.attributes, b.attributes);
        }
        assert_eq!(read.member(0).lines.len(), 2);
        assert_eq!(read.member(0).lines[0].ts, 86_400, "canonical order");
    }

    #[test]
    fn a_member_listed_twice_is_refused_naming_it() {
        let b = book();
        let mut bytes = Vec::new();
        write_state_header(&b, Day(10), 2, &mut bytes).unwrap();
        write_state_member(&b, 0, Day(10), &mut bytes).unwrap();
        write_state_member(&b, 0, Day(10), &mut bytes).unwrap();
        let err = MemberStore::read(&mut bytes.as_slice()).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("\"m1\" appears twice"), "{err}");
        let err = read_member_state(&mut bytes.as_slice()).unwrap_err();
        assert!(err.to_string().contains("\"m1\" appears twice"), "{err}");
    }
}
