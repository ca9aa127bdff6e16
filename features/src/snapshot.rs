//! Point-in-time snapshots: every member's feature vector as of one date.

use crate::spec::{LEN, idx};
use crate::{AttributeEffects, Day, OrderBook, StoreContext, compute};

/// The feature vectors of every member with at least one line strictly before `as_of`, computed
/// only from those lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// The date the snapshot is taken at (history is strictly before it).
    pub as_of: Day,
    /// Member ids (of the book's member vocabulary), ascending.
    pub members: Vec<u32>,
    /// Row-major values, `members.len() * spec::LEN`.
    pub values: Vec<f32>,
    /// The population values the rows were computed with.
    pub context: StoreContext,
}

impl Snapshot {
    /// Number of members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// True when no member has history before `as_of`.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The feature values of the `i`-th member.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.values[i * LEN..(i + 1) * LEN]
    }
}

impl OrderBook {
    /// The snapshot as of `as_of`: a line at exactly the start of `as_of` is not history.
    /// Work is split over the available cores; the result does not depend on how.
    pub fn snapshot(&self, as_of: Day) -> Snapshot {
        let context = StoreContext::of_book(self, as_of);
        self.snapshot_of(0..self.members().len() as u32, as_of, context)
    }

    /// The snapshot of the members with ids in `members` only, computed with `context` (the
    /// store values of a whole book, possibly another book with the same ids, as a run that
    /// scores its members a range at a time uses). Its rows equal those [`snapshot`](Self::snapshot)
    /// gives for the same members when `context` is this book's. Work is split over the
    /// available cores; the result does not depend on how.
    pub fn snapshot_of(
        &self,
        members: std::ops::Range<u32>,
        as_of: Day,
        context: StoreContext,
    ) -> Snapshot {
        let ctx = &context;
        let n = members.end.saturating_sub(members.start);
        let threads = std::thread::available_parallelism()
            .map_or(1, |p| p.get())
            .min(8);
        let chunk = n.div_ceil(threads as u32).max(1);
        let parts: Vec<(Vec<u32>, Vec<f32>)> = std::thread::scope(|s| {
            let handles: Vec<_> = members
                .clone()
                .step_by(chunk as usize)
                .map(|start| {
                    let end = (start + chunk).min(members.end);
                    s.spawn(move || self.snapshot_range(start..end, as_of, ctx))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("snapshot worker panicked"))
                .collect()
        });
        let mut snap = Snapshot {
            as_of,
            members: Vec::new(),
            values: Vec::new(),
            context: StoreContext::default(),
        };
        for (m, v) in parts {
            snap.members.extend(m);
            snap.values.extend(v);
        }
        snap.context = context;
        snap
    }

    /// Sets the learnt attribute effects into `snap`'s context and its members'
    /// [`ATTRIBUTE_EFFECT`](crate::spec::idx::ATTRIBUTE_EFFECT) values: the snapshot is then the
    /// one [`snapshot`](Self::snapshot) gives with that context, which is what serving computes.
    pub fn apply_attribute_effects(&self, snap: &mut Snapshot, effects: AttributeEffects) {
        for (i, &m) in snap.members.iter().enumerate() {
            snap.values[i * LEN + idx::ATTRIBUTE_EFFECT] = effects.effect(self.attributes(m));
        }
        snap.context.attribute_effects = effects;
    }

    fn snapshot_range(
        &self,
        range: std::ops::Range<u32>,
        as_of: Day,
        context: &StoreContext,
    ) -> (Vec<u32>, Vec<f32>) {
        let mut members = Vec::new();
        let mut values = Vec::new();
        for m in range {
            if let Some(v) = compute(&self.history(m), as_of, context) {
                members.push(m);
                values.extend_from_slice(&v.0);
            }
        }
        (members, values)
    }
}

#[cfg(test)]
#[path = "snapshot_tests.rs"]
mod tests;
