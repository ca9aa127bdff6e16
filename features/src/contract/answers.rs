//! The answer snapshot (`answers.bin`): every member's precomputed [`MemberAnswer`], written
//! by training next to the member state so that serving starts without recomputing them.
//! Answers are listed in the member state's order ([`crate::state::state_members`]), so a
//! member's answer is found by the dense id serving gives it when it reads that file.
//!
//! The member records are compact (about 40 % of a plain layout) and lossless, and serving
//! keeps them in this form in memory, decoding a member's record when it is asked for
//! ([`AnswerCodec`]). Integers are LEB128 varints (signed ones zigzag, see [`crate::codec`]),
//! fixed-width numbers little-endian, days relative to the record's as-of day.
//!
//! Layout: magic `TIEFENAN`, `u32` format version ([`ANSWERS_FORMAT_VERSION`]), `i32` as-of
//! day, `u8` count of learned kinds then each kind (`0` category, `1` item), then per kind the
//! store values of its candidates (a varint count, then per candidate a varint id and the two
//! `f32` store values a pick carries, store trend and store repeat rate, ids ascending), a
//! `u32` member count, then the member records. A record:
//! - the record's as-of day (signed, from the snapshot's);
//! - `u8` 1 when a churn answer follows (`f32` probability, `u8` band (`0` low, `1` medium,
//!   `2` high), `f32` expected purchases, `f32` days since the last purchase, `u8` reason count
//!   and per reason its `u8` kind ([`ReasonKind`]) and three `f32` values), else `0`;
//! - the portrait: purchase days, order lines, `f64` spend, first and last purchase day
//!   (each `0` for none, else 1 + the zigzag of the days before the as-of day);
//! - own category picks and own item picks: a count, then per pick its id, purchase days and
//!   the days from its last day to the as-of day (signed);
//! - per learned kind a count of picks and per pick: its id; its score (the first an `f32`,
//!   each next one the signed difference of its bits from the previous score's, small
//!   because picks come best first); a `u8` whose bit `i` says the kept value `i` is the
//!   predicted one, then every value not predicted as an `f32`. The predictions: own purchase
//!   days and days since bought from the member's own pick of that id (0 and
//!   [`NEVER_DAYS`] when none), own gap and co-purchase score 0, store trend and repeat rate
//!   the kind's store values of the id.

use std::io;

use rustc_hash::FxHashMap;

use crate::answer::{ChurnAnswer, MemberAnswer, OwnPick, Portrait};
use crate::churn::{Reason, ReasonKind};
use crate::codec::{
    Reader, invalid, put_day, put_f32, put_f64, put_i32, put_opt_day, put_signed, put_u32, put_var,
};
use crate::recommend::{NEVER_DAYS, Pick};
use crate::{Day, Kind};

/// Version of the layout this module reads and writes.
pub const ANSWERS_FORMAT_VERSION: u32 = 3;

const MAGIC: &[u8; 8] = b"TIEFENAN";
const BANDS: [&str; 3] = ["low", "medium", "high"];
/// Positions in [`Pick::values`] of the two store values.
const STORE_VALUES: [usize; 2] = [4, 5];

/// The content of an answer snapshot, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerSnapshot {
    /// The as-of date every answer is computed at.
    pub as_of: Day,
    /// The kinds of each answer's `learned` lists, in that order.
    pub kinds: Vec<Kind>,
    /// One answer per member of the member state, in its order.
    pub answers: Vec<MemberAnswer>,
}

impl AnswerSnapshot {
    /// The packed form of the snapshot (store values taken from its picks).
    pub fn pack(&self) -> PackedAnswers {
        let codec = AnswerCodec::from_answers(self.as_of, self.kinds.clone(), &self.answers);
        let mut packed = PackedAnswers::empty(codec);
        for a in &self.answers {
            packed.codec.encode(a, &mut packed.bytes);
            packed.ends.push(packed.bytes.len());
        }
        packed
    }
}

/// The numbers of a member record that lists look at ([`AnswerCodec::numbers`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecordNumbers {
    /// The record's as-of day.
    pub as_of: Day,
    /// Churn probability and band, with a churn answer.
    pub churn: Option<(f32, &'static str)>,
    /// Spend net of returns (the portrait's).
    pub total_spend: f64,
}

/// A snapshot whose member records stay packed, back to back in one buffer (the file's bytes
/// when read from one), as serving takes them.
#[derive(Debug, Clone)]
pub struct PackedAnswers {
    /// What the records are encoded with.
    pub codec: AnswerCodec,
    bytes: Vec<u8>,
    start: usize,
    ends: Vec<usize>,
}

impl PackedAnswers {
    /// A snapshot of `codec` without answers.
    pub fn empty(codec: AnswerCodec) -> PackedAnswers {
        PackedAnswers {
            codec,
            bytes: Vec::new(),
            start: 0,
            ends: Vec::new(),
        }
    }

    /// Members with a record.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True without any record.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Member `i`'s record.
    pub fn record(&self, i: usize) -> &[u8] {
        let from = if i == 0 { self.start } else { self.ends[i - 1] };
        &self.bytes[from..self.ends[i]]
    }

    /// Every record, in member order.
    pub fn records(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len()).map(|i| self.record(i))
    }

    /// The file's bytes: the header, then every record.
    pub fn to_file_bytes(&self) -> Vec<u8> {
        let mut w = Vec::new();
        self.codec.encode_header(self.len(), &mut w);
        w.extend_from_slice(&self.bytes[self.start..]);
        w
    }
}

/// How member records are encoded and decoded: the snapshot's as-of day, its learned kinds
/// and, per kind, the store values of the candidates.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerCodec {
    as_of: Day,
    kinds: Vec<Kind>,
    store_values: Vec<FxHashMap<u32, [f32; 2]>>,
}

impl AnswerCodec {
    /// A codec for `kinds` with the given store values per kind (missing kinds have none).
    pub fn new(
        as_of: Day,
        kinds: Vec<Kind>,
        mut store_values: Vec<FxHashMap<u32, [f32; 2]>>,
    ) -> Self {
        store_values.resize(kinds.len(), FxHashMap::default());
        AnswerCodec {
            as_of,
            kinds,
            store_values,
        }
    }

    /// A codec whose store values per kind are the first ones each candidate id has among
    /// the picks of `answers` (every pick of an id carries the same store values when they
    /// come from one ranker; a pick that differs is written in full).
    pub fn from_answers(as_of: Day, kinds: Vec<Kind>, answers: &[MemberAnswer]) -> Self {
        let n = kinds.len();
        let lists = (0..n).map(|k| answers.iter().flat_map(move |a| a.learned[k].iter()));
        let store_values = lists.map(store_values).collect();
        AnswerCodec::new(as_of, kinds, store_values)
    }

    /// The snapshot's as-of day.
    pub fn as_of(&self) -> Day {
        self.as_of
    }

    /// The kinds of the records' learned lists, in order.
    pub fn kinds(&self) -> &[Kind] {
        &self.kinds
    }

    /// Appends the snapshot's header (magic to member count) to `w`; the header and then
    /// `members` records make the file.
    pub fn encode_header(&self, members: usize, w: &mut Vec<u8>) {
        w.extend_from_slice(MAGIC);
        put_u32(w, ANSWERS_FORMAT_VERSION);
        put_i32(w, self.as_of.0);
        w.push(self.kinds.len() as u8);
        for k in &self.kinds {
            w.push(match k {
                Kind::Category => 0,
                Kind::Item => 1,
            });
        }
        for values in &self.store_values {
            let mut ids: Vec<(&u32, &[f32; 2])> = values.iter().collect();
            ids.sort_unstable_by_key(|(id, _)| **id);
            put_var(w, ids.len() as u64);
            for (id, v) in ids {
                put_var(w, u64::from(*id));
                put_f32(w, v[0]);
                put_f32(w, v[1]);
            }
        }
        put_u32(w, members as u32);
    }

    /// Appends one member's record to `w`. Panics on a band other than `low`, `medium` or
    /// `high`, or on an answer whose `learned` does not hold one list per kind (both are bugs
    /// of the caller, not bad input).
    pub fn encode(&self, a: &MemberAnswer, w: &mut Vec<u8>) {
        assert_eq!(a.learned.len(), self.kinds.len(), "one list per kind");
        let as_of = a.as_of;
        put_signed(w, i64::from(as_of.0) - i64::from(self.as_of.0));
        match &a.churn {
            Some(c) => {
                w.push(1);
                put_f32(w, c.probability);
                let band = BANDS.iter().position(|b| *b == c.band);
                w.push(band.expect("a known risk band") as u8);
                put_f32(w, c.expected_purchases);
                put_f32(w, c.days_since_last_purchase);
                w.push(c.reasons.len() as u8);
                for r in &c.reasons {
                    w.push(r.kind as u8);
                    for v in r.values {
                        put_f32(w, v);
                    }
                }
            }
            None => w.push(0),
        }
        let p = &a.portrait;
        put_var(w, u64::from(p.purchase_days));
        put_var(w, u64::from(p.order_lines));
        put_f64(w, p.total_spend);
        put_opt_day(w, as_of, p.first_purchase);
        put_opt_day(w, as_of, p.last_purchase);
        for own in [&a.own_categories, &a.own_items] {
            put_var(w, own.len() as u64);
            for o in own {
                put_var(w, u64::from(o.id));
                put_var(w, u64::from(o.days));
                put_day(w, as_of, o.last_day);
            }
        }
        for (k, picks) in a.learned.iter().enumerate() {
            put_var(w, picks.len() as u64);
            let mut previous: Option<u32> = None;
            for p in picks {
                put_var(w, u64::from(p.id));
                let bits = p.score.to_bits();
                match previous {
                    None => put_f32(w, p.score),
                    Some(b) => put_signed(w, i64::from(b) - i64::from(bits)),
                }
                previous = Some(bits);
                let predicted = self.predict(a, k, p.id);
                let same = |(x, y): (&f32, &f32)| x.to_bits() == y.to_bits();
                let flags = (predicted.iter().zip(&p.values))
                    .enumerate()
                    .fold(0u8, |f, (i, v)| f | (u8::from(same(v)) << i));
                w.push(flags);
                for (i, v) in p.values.iter().enumerate() {
                    if flags & (1 << i) == 0 {
                        put_f32(w, *v);
                    }
                }
            }
        }
    }

    /// Decodes one record (exactly the bytes [`AnswerCodec::encode`] appended).
    pub fn decode(&self, record: &[u8]) -> io::Result<MemberAnswer> {
        let mut r = Reader::new(record);
        let a = self.read(&mut r)?;
        if r.remaining() != 0 {
            return Err(invalid(format!("{} bytes after the record", r.remaining())));
        }
        Ok(a)
    }

    /// The head of a record: its as-of day, churn answer and portrait, with no own or learned
    /// picks (for lists that look at every member).
    pub fn head(&self, record: &[u8]) -> io::Result<MemberAnswer> {
        let mut r = Reader::new(record);
        self.read_head(&mut r)
    }

    /// The numbers of a record that lists look at, read without allocating.
    pub fn numbers(&self, record: &[u8]) -> io::Result<RecordNumbers> {
        let mut r = Reader::new(record);
        let as_of = Day(self.as_of.0 + r.signed_i32()?);
        let churn = match r.u8()? {
            0 => None,
            _ => {
                let p = r.f32()?;
                let band = *BANDS
                    .get(r.u8()? as usize)
                    .ok_or_else(|| invalid("unknown risk band code".into()))?;
                r.take(8)?;
                let reasons = r.u8()? as usize;
                r.take(reasons * 13)?;
                Some((p, band))
            }
        };
        r.var()?;
        r.var()?;
        Ok(RecordNumbers {
            as_of,
            churn,
            total_spend: r.f64()?,
        })
    }

    /// A codec with the same as-of day and store values for `kinds` (the store values of a kind
    /// this codec does not have are empty).
    pub fn with_kinds(&self, kinds: &[Kind]) -> AnswerCodec {
        let values = kinds
            .iter()
            .map(|k| {
                self.kinds
                    .iter()
                    .position(|x| x == k)
                    .map(|i| self.store_values[i].clone())
                    .unwrap_or_default()
            })
            .collect();
        AnswerCodec::new(self.as_of, kinds.to_vec(), values)
    }

    fn read_head(&self, r: &mut Reader<'_>) -> io::Result<MemberAnswer> {
        let as_of = Day(self.as_of.0 + r.signed_i32()?);
        let churn = read_churn(r)?;
        let portrait = Portrait {
            purchase_days: r.var_u32()?,
            order_lines: r.var_u32()?,
            total_spend: r.f64()?,
            first_purchase: r.opt_day(as_of)?,
            last_purchase: r.opt_day(as_of)?,
        };
        Ok(MemberAnswer {
            as_of,
            churn,
            portrait,
            own_categories: Vec::new(),
            own_items: Vec::new(),
            learned: Vec::new(),
            segment: None,
        })
    }

    /// Decodes the record at `r`'s position and moves past it.
    pub fn read(&self, r: &mut Reader<'_>) -> io::Result<MemberAnswer> {
        let mut a = self.read_head(r)?;
        let as_of = a.as_of;
        let mut own = || -> io::Result<Vec<OwnPick>> {
            let n = r.var()? as usize;
            let mut v = Vec::with_capacity(n.min(r.remaining()));
            for _ in 0..n {
                v.push(OwnPick {
                    id: r.var_u32()?,
                    days: r.var_u32()?,
                    last_day: r.day(as_of)?,
                });
            }
            Ok(v)
        };
        a.own_categories = own()?;
        a.own_items = own()?;
        a.learned = Vec::with_capacity(self.kinds.len());
        for k in 0..self.kinds.len() {
            let n = r.var()? as usize;
            let mut picks = Vec::with_capacity(n.min(r.remaining()));
            let mut previous: Option<u32> = None;
            for _ in 0..n {
                let id = r.var_u32()?;
                let bits = match previous {
                    None => r.f32()?.to_bits(),
                    Some(b) => {
                        let d = r.signed()?;
                        u32::try_from(i64::from(b) - d)
                            .map_err(|_| invalid("a score difference out of range".into()))?
                    }
                };
                previous = Some(bits);
                let flags = r.u8()?;
                let mut values = self.predict(&a, k, id);
                for (i, v) in values.iter_mut().enumerate() {
                    if flags & (1 << i) == 0 {
                        *v = r.f32()?;
                    }
                }
                picks.push(Pick {
                    id,
                    score: f32::from_bits(bits),
                    values,
                });
            }
            a.learned.push(picks);
        }
        Ok(a)
    }

    /// The predicted kept values of candidate `id` of learned kind `k` for answer `a` (whose
    /// own picks are known).
    fn predict(&self, a: &MemberAnswer, k: usize, id: u32) -> [f32; 6] {
        let own = match self.kinds[k] {
            Kind::Category => &a.own_categories,
            Kind::Item => &a.own_items,
        };
        let mut v = [0f32; 6];
        match own.iter().find(|o| o.id == id) {
            Some(o) => {
                v[0] = o.days as f32;
                v[2] = (a.as_of.0 - o.last_day.0) as f32;
            }
            None => v[2] = NEVER_DAYS,
        }
        if let Some(s) = self.store_values[k].get(&id) {
            v[STORE_VALUES[0]] = s[0];
            v[STORE_VALUES[1]] = s[1];
        }
        v
    }
}

/// The store values of each candidate id among `picks` (the first ones an id has), for a
/// writer that builds an [`AnswerCodec`] from its picks before it encodes the members.
pub fn store_values<'a>(picks: impl Iterator<Item = &'a Pick>) -> FxHashMap<u32, [f32; 2]> {
    let mut values = FxHashMap::default();
    for p in picks {
        values
            .entry(p.id)
            .or_insert([p.values[STORE_VALUES[0]], p.values[STORE_VALUES[1]]]);
    }
    values
}

fn read_churn(r: &mut Reader<'_>) -> io::Result<Option<ChurnAnswer>> {
    if r.u8()? == 0 {
        return Ok(None);
    }
    let probability = r.f32()?;
    let band = *BANDS
        .get(r.u8()? as usize)
        .ok_or_else(|| invalid("unknown risk band code".into()))?;
    let expected_purchases = r.f32()?;
    let days_since_last_purchase = r.f32()?;
    let n = r.u8()?;
    let mut reasons = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let code = r.u8()?;
        let kind = ReasonKind::from_code(code)
            .ok_or_else(|| invalid(format!("unknown churn reason code {code}")))?;
        reasons.push(Reason {
            kind,
            values: [r.f32()?, r.f32()?, r.f32()?],
        });
    }
    Ok(Some(ChurnAnswer {
        probability,
        band,
        expected_purchases,
        days_since_last_purchase,
        reasons,
    }))
}

/// Encodes `snapshot` in the layout above (store values taken from its picks).
pub fn encode_answers(snapshot: &AnswerSnapshot) -> Vec<u8> {
    snapshot.pack().to_file_bytes()
}

/// Reads an answer snapshot (the file's bytes) keeping the records packed in that buffer.
/// Fails with [`io::ErrorKind::InvalidData`] and a message that says what is wrong (and at
/// which member) on a bad magic, another format version, an unknown kind or band, a truncated
/// file or bytes after the last member; every record is decoded once to check it.
pub fn read_packed_answers(bytes: Vec<u8>) -> io::Result<PackedAnswers> {
    let mut r = Reader::new(&bytes);
    if r.take(8)
        .map_err(|_| invalid("not a tiefen answer snapshot (bad magic)".into()))?
        != MAGIC
    {
        return Err(invalid("not a tiefen answer snapshot (bad magic)".into()));
    }
    let version = r.u32()?;
    if version != ANSWERS_FORMAT_VERSION {
        return Err(invalid(format!(
            "answer-snapshot format version {version}, this build reads {ANSWERS_FORMAT_VERSION}"
        )));
    }
    let as_of = Day(r.i32()?);
    let kinds = (0..r.u8()?)
        .map(|_| match r.u8()? {
            0 => Ok(Kind::Category),
            1 => Ok(Kind::Item),
            k => Err(invalid(format!("unknown kind code {k}"))),
        })
        .collect::<io::Result<Vec<Kind>>>()?;
    let mut store_values = Vec::with_capacity(kinds.len());
    for _ in &kinds {
        let n = r.var()? as usize;
        let mut values = FxHashMap::default();
        for _ in 0..n {
            values.insert(r.var_u32()?, [r.f32()?, r.f32()?]);
        }
        store_values.push(values);
    }
    let codec = AnswerCodec::new(as_of, kinds, store_values);
    let n = r.u32()? as usize;
    let start = r.position();
    let mut ends = Vec::with_capacity(n.min(bytes.len()));
    for i in 0..n {
        codec
            .read(&mut r)
            .map_err(|e| invalid(format!("member {i} of {n}: {e}")))?;
        ends.push(r.position());
    }
    if r.remaining() != 0 {
        return Err(invalid(format!(
            "{} bytes after the last of {n} members",
            r.remaining()
        )));
    }
    Ok(PackedAnswers {
        codec,
        bytes,
        start,
        ends,
    })
}

/// Decodes a whole answer snapshot (see [`read_packed_answers`] for the errors).
pub fn decode_answers(bytes: &[u8]) -> io::Result<AnswerSnapshot> {
    let packed = read_packed_answers(bytes.to_vec())?;
    let answers = packed
        .records()
        .map(|r| packed.codec.decode(r))
        .collect::<io::Result<Vec<_>>>()?;
    Ok(AnswerSnapshot {
        as_of: packed.codec.as_of,
        kinds: packed.codec.kinds,
        answers,
    })
}
