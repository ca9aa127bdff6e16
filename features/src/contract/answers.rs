//! The answer snapshot (`answers.bin`): every member's precomputed [`MemberAnswer`], written
//! by training next to the member state so that serving starts without recomputing them.
//! Answers are listed in the member state's order ([`crate::state::state_members`]), so a
//! member's answer is found by the dense id serving gives it when it reads that file.
//!
//! Layout (all integers little-endian; a day is an `i32`, `i32::MIN` for none): magic `TIEFENAN`, `u32` format version
//! ([`ANSWERS_FORMAT_VERSION`]), `i32` as-of day, `u8` count of learned kinds then each kind
//! (`0` category, `1` item), `u32` member count, then per member: `u8` 1 when a churn answer
//! follows (`f32` probability, `u8` band (`0` low, `1` medium, `2` high), `f32` expected
//! purchases, `f32` days since the last purchase, `u8` reason count and per reason its `u8` kind
//! ([`ReasonKind`]) and three `f32` values); the
//! portrait (`u32` purchase days, `u32` order lines, `f64` spend, first and last purchase
//! day); own category picks and own item picks (each a `u32` count, then per pick `u32` id,
//! `u32` days, `i32` last day); then per learned kind a `u32` count of picks and per pick `u32`
//! id, `f32` score and the six kept `f32` values.

use std::io;

use crate::answer::{ChurnAnswer, MemberAnswer, OwnPick, Portrait};
use crate::churn::{Reason, ReasonKind};
use crate::recommend::Pick;
use crate::{Day, Kind};

/// Version of the layout this module reads and writes.
pub const ANSWERS_FORMAT_VERSION: u32 = 2;

const MAGIC: &[u8; 8] = b"TIEFENAN";
const NO_DAY: i32 = i32::MIN;
const BANDS: [&str; 3] = ["low", "medium", "high"];

/// The content of an answer snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerSnapshot {
    /// The as-of date every answer is computed at.
    pub as_of: Day,
    /// The kinds of each answer's `learned` lists, in that order.
    pub kinds: Vec<Kind>,
    /// One answer per member of the member state, in its order.
    pub answers: Vec<MemberAnswer>,
}

/// Encodes `snapshot` in the layout above. Panics on a band other than `low`, `medium` or
/// `high`, or on an answer whose `learned` does not hold one list per kind (both are bugs of
/// the caller, not bad input).
pub fn encode_answers(snapshot: &AnswerSnapshot) -> Vec<u8> {
    let mut w = Vec::with_capacity(64 + snapshot.answers.len() * 256);
    encode_answers_header(
        snapshot.as_of,
        &snapshot.kinds,
        snapshot.answers.len(),
        &mut w,
    );
    for a in &snapshot.answers {
        encode_member_answer(a, snapshot.kinds.len(), &mut w);
    }
    w
}

/// The snapshot's header (magic to member count), for a writer that encodes the members a
/// chunk at a time with [`encode_member_answer`]: the header and then every member in order
/// are the bytes [`encode_answers`] gives.
pub fn encode_answers_header(as_of: Day, kinds: &[Kind], members: usize, w: &mut Vec<u8>) {
    w.extend_from_slice(MAGIC);
    put_u32(w, ANSWERS_FORMAT_VERSION);
    put_i32(w, as_of.0);
    w.push(kinds.len() as u8);
    for k in kinds {
        w.push(match k {
            Kind::Category => 0,
            Kind::Item => 1,
        });
    }
    put_u32(w, members as u32);
}

/// Appends one member's answer to `w` (see [`encode_answers`]; `kinds` is the snapshot's
/// number of learned kinds).
pub fn encode_member_answer(a: &MemberAnswer, kinds: usize, w: &mut Vec<u8>) {
    assert_eq!(a.learned.len(), kinds, "one list per kind");
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
    put_u32(w, p.purchase_days);
    put_u32(w, p.order_lines);
    w.extend_from_slice(&p.total_spend.to_le_bytes());
    put_i32(w, p.first_purchase.map_or(NO_DAY, |d| d.0));
    put_i32(w, p.last_purchase.map_or(NO_DAY, |d| d.0));
    for own in [&a.own_categories, &a.own_items] {
        put_u32(w, own.len() as u32);
        for o in own {
            put_u32(w, o.id);
            put_u32(w, o.days);
            put_i32(w, o.last_day.0);
        }
    }
    for picks in &a.learned {
        put_u32(w, picks.len() as u32);
        for p in picks {
            put_u32(w, p.id);
            put_f32(w, p.score);
            for v in p.values {
                put_f32(w, v);
            }
        }
    }
}

/// Decodes an answer snapshot. Fails with [`io::ErrorKind::InvalidData`] and a message that
/// says what is wrong and at which member on a bad magic, another format version, an unknown
/// kind or band, invalid UTF-8, a truncated file or bytes after the last member.
pub fn decode_answers(bytes: &[u8]) -> io::Result<AnswerSnapshot> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(8)? != MAGIC {
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
    let n = r.u32()? as usize;
    let mut answers = Vec::with_capacity(n.min(bytes.len() / 16));
    for i in 0..n {
        let a = member(&mut r, as_of, kinds.len())
            .map_err(|e| invalid(format!("member {i} of {n}: {e}")))?;
        answers.push(a);
    }
    if r.at != bytes.len() {
        return Err(invalid(format!(
            "{} bytes after the last of {n} members",
            bytes.len() - r.at
        )));
    }
    Ok(AnswerSnapshot {
        as_of,
        kinds,
        answers,
    })
}

fn member(r: &mut Reader<'_>, as_of: Day, kinds: usize) -> io::Result<MemberAnswer> {
    let churn = match r.u8()? {
        0 => None,
        _ => {
            let probability = r.f32()?;
            let band = *BANDS
                .get(r.u8()? as usize)
                .ok_or_else(|| invalid("unknown risk band code".into()))?;
            let expected_purchases = r.f32()?;
            let days_since_last_purchase = r.f32()?;
            let reasons = (0..r.u8()?)
                .map(|_| {
                    let code = r.u8()?;
                    let kind = ReasonKind::from_code(code)
                        .ok_or_else(|| invalid(format!("unknown churn reason code {code}")))?;
                    Ok(Reason {
                        kind,
                        values: [r.f32()?, r.f32()?, r.f32()?],
                    })
                })
                .collect::<io::Result<Vec<Reason>>>()?;
            Some(ChurnAnswer {
                probability,
                band,
                expected_purchases,
                days_since_last_purchase,
                reasons,
            })
        }
    };
    let day = |d: i32| (d != NO_DAY).then_some(Day(d));
    let portrait = Portrait {
        purchase_days: r.u32()?,
        order_lines: r.u32()?,
        total_spend: f64::from_le_bytes(r.array()?),
        first_purchase: day(r.i32()?),
        last_purchase: day(r.i32()?),
    };
    let mut own = || -> io::Result<Vec<OwnPick>> {
        (0..r.u32()?)
            .map(|_| {
                Ok(OwnPick {
                    id: r.u32()?,
                    days: r.u32()?,
                    last_day: Day(r.i32()?),
                })
            })
            .collect()
    };
    let own_categories = own()?;
    let own_items = own()?;
    let learned = (0..kinds)
        .map(|_| {
            (0..r.u32()?)
                .map(|_| {
                    let id = r.u32()?;
                    let score = r.f32()?;
                    let mut values = [0f32; 6];
                    for v in &mut values {
                        *v = r.f32()?;
                    }
                    Ok(Pick { id, score, values })
                })
                .collect::<io::Result<Vec<Pick>>>()
        })
        .collect::<io::Result<Vec<_>>>()?;
    Ok(MemberAnswer {
        as_of,
        churn,
        portrait,
        own_categories,
        own_items,
        learned,
        segment: None,
    })
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> io::Result<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| invalid("the file ends early (truncated)".into()))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> io::Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn u8(&mut self) -> io::Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> io::Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn i32(&mut self) -> io::Result<i32> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    fn f32(&mut self) -> io::Result<f32> {
        Ok(f32::from_le_bytes(self.array()?))
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

fn put_u32(w: &mut Vec<u8>, v: u32) {
    w.extend_from_slice(&v.to_le_bytes());
}

fn put_i32(w: &mut Vec<u8>, v: i32) {
    w.extend_from_slice(&v.to_le_bytes());
}

fn put_f32(w: &mut Vec<u8>, v: f32) {
    w.extend_from_slice(&v.to_le_bytes());
}
