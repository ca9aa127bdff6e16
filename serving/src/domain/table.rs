//! Every member's answer, kept packed: the answer snapshot's record
//! ([`features::contract::AnswerCodec`]) behind the member's packed segments
//! ([`features::segments::Segments::encode_answer`]). A read decodes one member's record;
//! lists that look at every member read a 40-byte row per member kept beside the records
//! (churn probability and band, net spend, segment indexes, predicted value), taken from the
//! record when it is put in. A packed answer is a few hundred bytes where the decoded one took
//! a few kilobytes.
//!
//! Record layout: a varint byte length of the segment part (0 without segments), the segment
//! part (days relative to the snapshot's as-of day), then the answer record.

use features::Day;
use features::codec::{Reader, put_var};
use features::contract::{AnswerCodec, RecordNumbers};
use features::segments::{Lifecycle, RfmScore, SegmentAnswer, SegmentCodes, Segments};

use super::answer::MemberAnswer;

/// What the member lists and summaries look at, read from a packed answer without
/// allocating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ListView {
    /// As-of day, churn probability and band, net spend.
    pub numbers: RecordNumbers,
    /// The segments as indexes, when the member has them.
    pub segment: Option<SegmentCodes>,
}

impl ListView {
    /// Churn probability times predicted value, when both are known.
    pub fn value_at_risk(&self) -> Option<f64> {
        let (p, _) = self.numbers.churn?;
        Some(f64::from(p) * self.segment?.predicted_value?)
    }
}

/// The churn bands and value bands, by their index in a [`Row`].
const BANDS: [&str; 3] = ["low", "medium", "high"];

/// A member's [`ListView`] in 40 bytes.
#[derive(Debug, Clone, Copy, Default)]
struct Row {
    total_spend: f64,
    predicted_value: f64,
    probability: f32,
    as_of: i32,
    group: u16,
    previous_group: u16,
    tier: u16,
    rfm: [u8; 3],
    lifecycle: u8,
    band: u8,
    value_band: u8,
    flags: u8,
}

const ANSWERED: u8 = 1;
const CHURN: u8 = 2;
const SEGMENT: u8 = 4;
const PREVIOUS: u8 = 8;
const TIER: u8 = 16;
const VALUE: u8 = 32;
const VALUE_BAND: u8 = 64;

impl Row {
    fn of(v: &ListView) -> Row {
        let band = |b: &str| BANDS.iter().position(|x| *x == b).expect("a known band") as u8;
        let mut row = Row {
            total_spend: v.numbers.total_spend,
            as_of: v.numbers.as_of.0,
            flags: ANSWERED,
            ..Row::default()
        };
        if let Some((p, b)) = v.numbers.churn {
            row.flags |= CHURN;
            row.probability = p;
            row.band = band(b);
        }
        if let Some(c) = &v.segment {
            row.flags |= SEGMENT;
            row.rfm = [c.rfm.r, c.rfm.f, c.rfm.m];
            row.group = c.group as u16;
            row.lifecycle = Lifecycle::ALL
                .iter()
                .position(|l| *l == c.lifecycle)
                .unwrap_or(0) as u8;
            if let Some(g) = c.previous_group {
                row.flags |= PREVIOUS;
                row.previous_group = g as u16;
            }
            if let Some(t) = c.tier {
                row.flags |= TIER;
                row.tier = t as u16;
            }
            if let Some(x) = c.predicted_value {
                row.flags |= VALUE;
                row.predicted_value = x;
            }
            if let Some(b) = c.value_band {
                row.flags |= VALUE_BAND;
                row.value_band = band(b);
            }
        }
        row
    }

    fn view(&self) -> Option<ListView> {
        if self.flags & ANSWERED == 0 {
            return None;
        }
        let has = |f: u8| self.flags & f != 0;
        let segment = has(SEGMENT).then(|| SegmentCodes {
            rfm: RfmScore {
                r: self.rfm[0],
                f: self.rfm[1],
                m: self.rfm[2],
            },
            group: usize::from(self.group),
            previous_group: has(PREVIOUS).then_some(usize::from(self.previous_group)),
            lifecycle: Lifecycle::ALL[usize::from(self.lifecycle)],
            tier: has(TIER).then_some(usize::from(self.tier)),
            predicted_value: has(VALUE).then_some(self.predicted_value),
            value_band: has(VALUE_BAND).then_some(BANDS[usize::from(self.value_band)]),
        });
        Some(ListView {
            numbers: RecordNumbers {
                as_of: Day(self.as_of),
                churn: has(CHURN).then_some((self.probability, BANDS[usize::from(self.band)])),
                total_spend: self.total_spend,
            },
            segment,
        })
    }
}

/// Every member's packed answer (`None` for a member without one yet, or not owned), with
/// its list row.
#[derive(Debug, Clone)]
pub struct AnswerTable {
    codec: AnswerCodec,
    records: Vec<Option<Box<[u8]>>>,
    rows: Vec<Row>,
}

impl AnswerTable {
    /// A table of `codec`'s records with no member.
    pub fn new(codec: AnswerCodec) -> AnswerTable {
        AnswerTable {
            codec,
            records: Vec::new(),
            rows: Vec::new(),
        }
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
            self.rows.resize(n, Row::default());
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
            self.rows[m as usize] = Row::default();
        }
    }

    /// The packed form of `a` (its segments packed with `segments`, which computed them).
    pub fn pack(&self, a: &MemberAnswer, segments: Option<&Segments>) -> Box<[u8]> {
        let segment = segments.zip(a.segment.as_ref());
        let mut w = self.segment_part(segment, 256);
        self.codec.encode(a, &mut w);
        w.into_boxed_slice()
    }

    /// The packed form of a snapshot `record` of this table's codec with `segments`' answer
    /// added.
    pub fn pack_record(
        &self,
        record: &[u8],
        segment: Option<(&Segments, &SegmentAnswer)>,
    ) -> Box<[u8]> {
        let mut w = self.segment_part(segment, record.len());
        w.extend_from_slice(record);
        w.into_boxed_slice()
    }

    /// A record's segment part (its length, then the packed segments), with room for `more`.
    fn segment_part(&self, segment: Option<(&Segments, &SegmentAnswer)>, more: usize) -> Vec<u8> {
        let mut seg = Vec::new();
        if let Some((s, sa)) = segment {
            s.encode_answer(sa, self.codec.as_of(), &mut seg);
        }
        let mut w = Vec::with_capacity(seg.len() + more + 2);
        put_var(&mut w, seg.len() as u64);
        w.extend_from_slice(&seg);
        w
    }

    /// Sets member `m`'s packed answer (growing the table when `m` is new) and its list row,
    /// read from the record with `segments` (those it was packed with).
    pub fn put(&mut self, m: u32, record: Box<[u8]>, segments: Option<&Segments>) {
        self.grow(m as usize + 1);
        self.rows[m as usize] = Row::of(&self.view_of(&record, segments));
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

    /// Every slot's list view, in member order (`None` without an answer).
    pub fn views(&self) -> impl Iterator<Item = Option<ListView>> + '_ {
        self.rows.iter().map(Row::view)
    }

    /// The list view of a packed record.
    fn view_of(&self, record: &[u8], segments: Option<&Segments>) -> ListView {
        let (seg, rest) = split(record);
        let numbers = (self.codec.numbers(rest)).expect("a record this table packed");
        let segment = segments.filter(|_| !seg.is_empty()).map(|s| {
            s.decode_codes(&mut Reader::new(seg), self.codec.as_of())
                .expect("segments this table packed")
        });
        ListView { numbers, segment }
    }

    fn decode(&self, record: &[u8], segments: Option<&Segments>, head: bool) -> MemberAnswer {
        let (seg, rest) = split(record);
        let mut a = if head {
            self.codec.head(rest)
        } else {
            self.codec.decode(rest)
        }
        .expect("a record this table packed");
        if let Some(s) = segments.filter(|_| !seg.is_empty()) {
            let sa = s
                .decode_answer(&mut Reader::new(seg), self.codec.as_of())
                .expect("segments this table packed");
            a.segment = Some(sa);
        }
        a
    }
}

/// A packed record's segment part and answer record.
fn split(record: &[u8]) -> (&[u8], &[u8]) {
    let mut r = Reader::new(record);
    let seg_len = r.var().expect("a record this table packed") as usize;
    let seg = r.take(seg_len).expect("a record this table packed");
    (seg, &record[r.position()..])
}

#[cfg(test)]
mod tests {
    use features::answer::ChurnAnswer;
    use features::segments::{GroupTable, LifecycleParams, SegmentModel, TierLevel, TierProgram};
    use features::{Day, Kind, OrderBookBuilder};

    use super::*;

    /// Four members' answers with churn (one without), segments with a tier programme.
    fn fixture() -> (Segments, Vec<MemberAnswer>, AnswerCodec) {
        let day = |d: i32| Day(19_700 + d);
        let mut b = OrderBookBuilder::new();
        for (member, d, amount) in [
            ("a", 0, 900.0),
            ("a", 30, 800.0),
            ("a", 60, 700.0),
            ("b", 10, 300.0),
            ("c", 40, 2_500.0),
            ("d", 100, 120.0),
        ] {
            b.push_line(member, day(d).start_ts(), "sku", "cat", 1.0, amount);
        }
        let book = b.finish();
        let t = day(110);
        let level = |id: &str, spend: Option<f64>| TierLevel {
            id: id.into(),
            label: format!("{id} 卡"),
            spend,
            single_order: None,
            renew: None,
        };
        let tiers = TierProgram {
            window_days: Some(365),
            validity_days: Some(365),
            downgrade: Default::default(),
            levels: vec![level("regular", None), level("silver", Some(2_000.0))],
        }
        .check()
        .unwrap();
        let groups = GroupTable::default().check().unwrap();
        let params = LifecycleParams::default().check().unwrap();
        let model = SegmentModel::fit(&book, t, 28, &groups, &params, Some(&tiers), None);
        let segments = model.check().unwrap();
        let answers = (0..4u32)
            .map(|m| {
                let history = book.history(m);
                let churn = (m != 3).then(|| ChurnAnswer {
                    probability: 0.1 + 0.25 * m as f32,
                    band: ["low", "medium", "high"][m as usize],
                    expected_purchases: 0.5,
                    days_since_last_purchase: 10.0,
                    reasons: Vec::new(),
                });
                let mut a = MemberAnswer::new(&history, t, churn, vec![Vec::new()]);
                a.segment = segments.answer(&history, t);
                a
            })
            .collect();
        (
            segments,
            answers,
            AnswerCodec::new(t, vec![Kind::Item], Vec::new()),
        )
    }

    #[test]
    fn a_member_reads_back_whole_and_its_row_is_the_record_s_view() {
        let (segments, answers, codec) = fixture();
        let seg = Some(&segments);
        let mut table = AnswerTable::new(codec);
        for (m, a) in answers.iter().enumerate() {
            let packed = table.pack(a, seg);
            table.put(m as u32, packed, seg);
        }
        assert_eq!(table.answered(), 4);
        for (m, a) in answers.iter().enumerate() {
            let m = m as u32;
            assert_eq!(table.get(m, seg).as_ref(), Some(a));
            let head = table.head(m, seg).unwrap();
            assert_eq!(
                (&head.churn, &head.portrait, &head.segment),
                (&a.churn, &a.portrait, &a.segment)
            );
            assert!(head.own_items.is_empty() && head.learned.is_empty());
            let record = table.records[m as usize].as_deref().unwrap();
            let view = table.views().nth(m as usize).unwrap().unwrap();
            assert_eq!(view, table.view_of(record, seg));
            assert_eq!(
                view.numbers.churn,
                a.churn.as_ref().map(|c| (c.probability, c.band))
            );
            assert_eq!(view.numbers.total_spend, a.portrait.total_spend);
            let codes = view.segment.unwrap();
            let s = a.segment.as_ref().unwrap();
            assert_eq!(segments.groups().groups()[codes.group].id, s.group);
            assert_eq!(codes.tier, s.tier.as_ref().map(|t| t.status.level));
            assert_eq!(codes.lifecycle, s.lifecycle);
        }
        // a (2,400) and c (2,500) spent 2,000 in the window: silver; b and d regular.
        let tiers: Vec<_> = table
            .views()
            .map(|v| v.unwrap().segment.unwrap().tier)
            .collect();
        assert_eq!(tiers, [Some(1), Some(0), Some(1), Some(0)]);
        table.remove(1);
        assert_eq!(table.answered(), 3);
        assert!(table.get(1, seg).is_none() && table.views().nth(1).unwrap().is_none());
        // Without segments a record packs no segment part and its row has none.
        table.put(5, table.pack(&answers[0], None), None);
        assert_eq!(table.len(), 6);
        assert!(table.views().nth(4).unwrap().is_none());
        let v = table.views().nth(5).unwrap().unwrap();
        assert!(v.segment.is_none() && v.numbers.churn.is_some());
        assert!(table.get(5, seg).unwrap().segment.is_none());
    }
}
