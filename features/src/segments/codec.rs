//! The packed form of a [`SegmentAnswer`], for readers that keep every member's segments in
//! memory: names (group ids, tier ids and labels, bands) become indexes into the segment
//! model's tables, days are relative to the answer's day. Lossless for answers the same
//! [`Segments`] computed (`decode(encode(a)) == a`).
//!
//! Layout (varints and little-endian numbers, see [`crate::codec`]): the R, F and M scores
//! (`u8` each); the group's index; the previous group's index + 1 (0 for none); the lifecycle
//! stage's index in [`Lifecycle::ALL`]; the tier's level + 1 (0 for none) and, with a tier, a
//! `u8` of present fields (bit 0 since, 1 expiry, 2 spend to next, 3 renewal spend, 4 spend to
//! renew, 5 keep probability) followed by those present in that order around the always
//! present qualifying spend (`since`, `expiry` as [`crate::codec::put_day`] days, the spends
//! and the probability as `f64`); a `u8` that is 1 when a value follows (six `f64` and the
//! expected next order as a [`crate::codec::put_opt_day`] day); the value band's index in
//! `low`, `medium`, `high` + 1 (0 for none). Days are relative to the day the caller passes.

use std::io;

use super::layers::RfmScore;
use super::lifecycle::Lifecycle;
use super::model::{SegmentAnswer, Segments, TierAnswer};
use super::tiers::TierStatus;
use crate::Day;
use crate::codec::{Reader, invalid, put_day, put_f64, put_opt_day, put_var};
use crate::value::MemberValue;

const VALUE_BANDS: [&str; 3] = ["low", "medium", "high"];

/// A member's segments as indexes into the segment model's tables, read from the packed form
/// without allocating (see [`Segments::decode_codes`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SegmentCodes {
    /// The RFM scores.
    pub rfm: RfmScore,
    /// Index of the group in the group table.
    pub group: usize,
    /// Index of the group as of `T - H`, when the member had a purchase before then.
    pub previous_group: Option<usize>,
    /// The lifecycle stage.
    pub lifecycle: Lifecycle,
    /// The tier level's index in the programme, when one is configured.
    pub tier: Option<usize>,
    /// Predicted value over the value horizon, with a value model.
    pub predicted_value: Option<f64>,
    /// `high`, `medium` or `low`, with a value model.
    pub value_band: Option<&'static str>,
}

/// A packed answer read without names.
struct Parsed {
    codes: SegmentCodes,
    tier: Option<(TierStatus, Option<f64>)>,
    value: Option<MemberValue>,
}

impl Segments {
    /// Appends the packed form of `a` (an answer of these segments as of `as_of`) to `w`.
    /// Panics on a group, tier level or value band these segments do not have (a bug of the
    /// caller: `a` came from other segments).
    pub fn encode_answer(&self, a: &SegmentAnswer, as_of: Day, w: &mut Vec<u8>) {
        let group = |id: &str| self.groups().index_of(id).expect("a group of the table");
        w.extend_from_slice(&[a.rfm.r, a.rfm.f, a.rfm.m]);
        put_var(w, group(&a.group) as u64);
        put_var(
            w,
            a.previous_group
                .as_deref()
                .map_or(0, |g| group(g) as u64 + 1),
        );
        let stage = Lifecycle::ALL.iter().position(|l| *l == a.lifecycle);
        w.push(stage.expect("a lifecycle stage") as u8);
        match &a.tier {
            None => put_var(w, 0),
            Some(t) => {
                let s = &t.status;
                put_var(w, s.level as u64 + 1);
                let present = [
                    s.since.is_some(),
                    s.expiry.is_some(),
                    s.spend_to_next.is_some(),
                    s.renewal_spend.is_some(),
                    s.spend_to_renew.is_some(),
                    t.keep_probability.is_some(),
                ];
                let flags = present
                    .iter()
                    .enumerate()
                    .fold(0u8, |f, (i, p)| f | (u8::from(*p) << i));
                w.push(flags);
                for d in [s.since, s.expiry].into_iter().flatten() {
                    put_day(w, as_of, d);
                }
                put_f64(w, s.qualifying_spend);
                let spends = [s.spend_to_next, s.renewal_spend, s.spend_to_renew];
                for v in spends.into_iter().chain([t.keep_probability]).flatten() {
                    put_f64(w, v);
                }
            }
        }
        match &a.value {
            None => w.push(0),
            Some(v) => {
                w.push(1);
                for x in [
                    v.p_alive,
                    v.spend_per_purchase,
                    v.expected_purchases_h,
                    v.predicted_spend_h,
                    v.expected_purchases_value,
                    v.predicted_value,
                ] {
                    put_f64(w, x);
                }
                put_opt_day(w, as_of, v.expected_next_order);
            }
        }
        let band = a.value_band.map(|b| {
            VALUE_BANDS
                .iter()
                .position(|x| *x == b)
                .expect("a value band") as u64
                + 1
        });
        put_var(w, band.unwrap_or(0));
    }

    /// Decodes a packed answer as of `as_of` at `r`'s position and moves past it; fails with
    /// [`io::ErrorKind::InvalidData`] on bytes that are truncated or name a group, stage, level
    /// or band these segments do not have.
    pub fn decode_answer(&self, r: &mut Reader<'_>, as_of: Day) -> io::Result<SegmentAnswer> {
        let p = self.parse(r, as_of)?;
        let groups = self.groups().groups();
        let tier = match p.tier {
            None => None,
            Some((status, keep_probability)) => {
                let program = self.tiers().expect("parse checked the programme");
                let l = &program.levels()[status.level];
                Some(TierAnswer {
                    id: l.id.clone(),
                    label: l.label.clone(),
                    status,
                    keep_probability,
                })
            }
        };
        Ok(SegmentAnswer {
            rfm: p.codes.rfm,
            group: groups[p.codes.group].id.clone(),
            previous_group: p.codes.previous_group.map(|i| groups[i].id.clone()),
            lifecycle: p.codes.lifecycle,
            tier,
            value: p.value,
            value_band: p.codes.value_band,
        })
    }

    /// The codes of a packed answer (indexes instead of names, no tier status), read without
    /// allocating, for lists that look at every member; moves `r` past the answer.
    pub fn decode_codes(&self, r: &mut Reader<'_>, as_of: Day) -> io::Result<SegmentCodes> {
        Ok(self.parse(r, as_of)?.codes)
    }

    fn parse(&self, r: &mut Reader<'_>, as_of: Day) -> io::Result<Parsed> {
        let [rf, ff, mf] = r.array::<3>()?;
        let n_groups = self.groups().groups().len();
        let group = |i: u64| {
            (i < n_groups as u64)
                .then_some(i as usize)
                .ok_or_else(|| invalid(format!("group index {i} of {n_groups}")))
        };
        let now = group(r.var()?)?;
        let previous_group = match r.var()? {
            0 => None,
            i => Some(group(i - 1)?),
        };
        let stage = r.u8()?;
        let lifecycle = *Lifecycle::ALL
            .get(stage as usize)
            .ok_or_else(|| invalid(format!("lifecycle stage {stage}")))?;
        let tier = match r.var()? {
            0 => None,
            level => {
                let level = level as usize - 1;
                let program = self
                    .tiers()
                    .ok_or_else(|| invalid("a tier without a programme".into()))?;
                if level >= program.levels().len() {
                    return Err(invalid(format!("tier level {level}")));
                }
                let flags = r.u8()?;
                let has = |i: u8| flags & (1 << i) != 0;
                let since = if has(0) { Some(r.day(as_of)?) } else { None };
                let expiry = if has(1) { Some(r.day(as_of)?) } else { None };
                let qualifying_spend = r.f64()?;
                let mut opt = |i: u8| -> io::Result<Option<f64>> {
                    if has(i) { Ok(Some(r.f64()?)) } else { Ok(None) }
                };
                let status = TierStatus {
                    level,
                    since,
                    expiry,
                    qualifying_spend,
                    spend_to_next: opt(2)?,
                    renewal_spend: opt(3)?,
                    spend_to_renew: opt(4)?,
                };
                Some((status, opt(5)?))
            }
        };
        let value = match r.u8()? {
            0 => None,
            _ => Some(MemberValue {
                p_alive: r.f64()?,
                spend_per_purchase: r.f64()?,
                expected_purchases_h: r.f64()?,
                predicted_spend_h: r.f64()?,
                expected_purchases_value: r.f64()?,
                predicted_value: r.f64()?,
                expected_next_order: r.opt_day(as_of)?,
            }),
        };
        let value_band = match r.var()? {
            0 => None,
            i => Some(
                *VALUE_BANDS
                    .get(i as usize - 1)
                    .ok_or_else(|| invalid(format!("value band {i}")))?,
            ),
        };
        Ok(Parsed {
            codes: SegmentCodes {
                rfm: RfmScore {
                    r: rf,
                    f: ff,
                    m: mf,
                },
                group: now,
                previous_group,
                lifecycle,
                tier: tier.as_ref().map(|(t, _)| t.level),
                predicted_value: value.map(|v| v.predicted_value),
                value_band,
            },
            tier,
            value,
        })
    }
}
