//! Every member's answer, kept packed: the answer snapshot's record
//! ([`features::contract::AnswerCodec`]) behind the member's packed segments
//! ([`features::segments::Segments::encode_answer`]). A read decodes one member's record;
//! lists that look at every member decode only the head (churn answer, portrait, segments).
//! A packed answer is a few hundred bytes where the decoded one took a few kilobytes.
//!
//! Record layout: a varint byte length of the segment part (0 without segments), the segment
//! part (days relative to the snapshot's as-of day), then the answer record.

use features::codec::{Reader, put_var};
use features::contract::AnswerCodec;
use features::segments::Segments;

use super::answer::MemberAnswer;

/// Every member's packed answer (`None` for a member without one yet, or not owned).
#[derive(Debug, Clone)]
pub struct AnswerTable {
    codec: AnswerCodec,
    records: Vec<Option<Box<[u8]>>>,
}

impl AnswerTable {
    /// A table of `codec`'s records with no member.
    pub fn new(codec: AnswerCodec) -> AnswerTable {
        AnswerTable {
            codec,
            records: Vec::new(),
        }
    }

    /// The codec of the answer records.
    pub fn codec(&self) -> &AnswerCodec {
        &self.codec
    }

    /// Members with a slot (with or without an answer).
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True without any slot.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Members with an answer.
    pub fn answered(&self) -> usize {
        self.records.iter().flatten().count()
    }

    /// Grows the table to `n` slots (new ones without an answer).
    pub fn grow(&mut self, n: usize) {
        if self.records.len() < n {
            self.records.resize(n, None);
        }
    }

    /// Whether member `m` has an answer.
    pub fn has(&self, m: u32) -> bool {
        self.records.get(m as usize).is_some_and(Option::is_some)
    }

    /// Removes member `m`'s answer.
    pub fn remove(&mut self, m: u32) {
        if let Some(r) = self.records.get_mut(m as usize) {
            *r = None;
        }
    }

    /// The packed form of `a` (its segments packed with `segments`, which computed them).
    pub fn pack(&self, a: &MemberAnswer, segments: Option<&Segments>) -> Box<[u8]> {
        let mut seg = Vec::new();
        if let (Some(s), Some(sa)) = (segments, &a.segment) {
            s.encode_answer(sa, self.codec.as_of(), &mut seg);
        }
        let mut w = Vec::with_capacity(seg.len() + 256);
        put_var(&mut w, seg.len() as u64);
        w.extend_from_slice(&seg);
        self.codec.encode(a, &mut w);
        w.into_boxed_slice()
    }

    /// The packed form of a snapshot `record` of this table's codec with `segments`' answer
    /// added.
    pub fn pack_record(
        &self,
        record: &[u8],
        segment: Option<(&Segments, &features::segments::SegmentAnswer)>,
    ) -> Box<[u8]> {
        let mut seg = Vec::new();
        if let Some((s, sa)) = segment {
            s.encode_answer(sa, self.codec.as_of(), &mut seg);
        }
        let mut w = Vec::with_capacity(seg.len() + record.len() + 2);
        put_var(&mut w, seg.len() as u64);
        w.extend_from_slice(&seg);
        w.extend_from_slice(record);
        w.into_boxed_slice()
    }

    /// Sets member `m`'s packed answer (growing the table when `m` is new).
    pub fn put(&mut self, m: u32, record: Box<[u8]>) {
        self.grow(m as usize + 1);
        self.records[m as usize] = Some(record);
    }

    /// Member `m`'s whole answer.
    pub fn get(&self, m: u32, segments: Option<&Segments>) -> Option<MemberAnswer> {
        let record = self.records.get(m as usize)?.as_deref()?;
        Some(self.decode(record, segments, false))
    }

    /// Member `m`'s head: as-of day, churn answer, portrait and segments, without picks.
    pub fn head(&self, m: u32, segments: Option<&Segments>) -> Option<MemberAnswer> {
        let record = self.records.get(m as usize)?.as_deref()?;
        Some(self.decode(record, segments, true))
    }

    /// Every slot's head, in member order (`None` without an answer).
    pub fn heads<'a>(
        &'a self,
        segments: Option<&'a Segments>,
    ) -> impl Iterator<Item = Option<MemberAnswer>> + 'a {
        self.records
            .iter()
            .map(move |r| r.as_deref().map(|r| self.decode(r, segments, true)))
    }

    fn decode(&self, record: &[u8], segments: Option<&Segments>, head: bool) -> MemberAnswer {
        let mut r = Reader::new(record);
        let seg_len = r.var().expect("a record this table packed") as usize;
        let seg = r.take(seg_len).expect("a record this table packed");
        let rest = &record[r.position()..];
        let mut a = if head {
            self.codec.head(rest)
        } else {
            self.codec.decode(rest)
        }
        .expect("a record this table packed");
        if let Some(s) = segments.filter(|_| seg_len > 0) {
            let sa = s
                .decode_answer(&mut Reader::new(seg), self.codec.as_of())
                .expect("segments this table packed");
            a.segment = Some(sa);
        }
        a
    }
}
