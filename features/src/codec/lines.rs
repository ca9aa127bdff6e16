//! Packed order lines: one member's lines in about a third of their in-memory size, for the
//! member histories serving keeps. Lossless: every value the packed form cannot hold exactly
//! is written in full.
//!
//! Layout: a varint line count, then per line a flags byte (bit 0: the quantity is a zigzag
//! varint, else an `f64`; bit 1: the amount is a zigzag varint of cents, else an `f64`; bit 2:
//! a category follows), the timestamp as a zigzag varint of its difference from the previous
//! line's (from 0 for the first), the item id as a varint, the category id as a varint (when
//! bit 2 is set; none is [`crate::NO_CATEGORY`]), then the quantity and the amount.

use std::io;

use super::{Reader, put_f64, put_signed, put_var};
use crate::{NO_CATEGORY, PurchaseLine};

const QUANTITY_INT: u8 = 1;
const AMOUNT_CENTS: u8 = 2;
const HAS_CATEGORY: u8 = 4;

/// Largest magnitude an `f64` holds every integer up to.
const EXACT_INT: f64 = 9_007_199_254_740_992.0;

/// The packed form of `lines`.
pub fn pack_lines(lines: &[PurchaseLine]) -> Box<[u8]> {
    let mut w = Vec::with_capacity(2 + lines.len() * 12);
    put_var(&mut w, lines.len() as u64);
    let mut previous = 0i64;
    for l in lines {
        let quantity = as_int(l.quantity);
        let cents = as_cents(l.amount);
        let mut flags = 0;
        if quantity.is_some() {
            flags |= QUANTITY_INT;
        }
        if cents.is_some() {
            flags |= AMOUNT_CENTS;
        }
        if l.category != NO_CATEGORY {
            flags |= HAS_CATEGORY;
        }
        w.push(flags);
        put_signed(&mut w, l.ts.wrapping_sub(previous));
        previous = l.ts;
        put_var(&mut w, u64::from(l.item));
        if l.category != NO_CATEGORY {
            put_var(&mut w, u64::from(l.category));
        }
        match quantity {
            Some(q) => put_signed(&mut w, q),
            None => put_f64(&mut w, l.quantity),
        }
        match cents {
            Some(c) => put_signed(&mut w, c),
            None => put_f64(&mut w, l.amount),
        }
    }
    w.into_boxed_slice()
}

/// The lines of a packed form; fails with [`io::ErrorKind::InvalidData`] on bytes
/// [`pack_lines`] did not write (truncated, malformed varints, bytes left over).
pub fn unpack_lines(bytes: &[u8]) -> io::Result<Vec<PurchaseLine>> {
    let mut r = Reader::new(bytes);
    let n = r.var()? as usize;
    let mut lines = Vec::with_capacity(n.min(bytes.len()));
    let mut ts = 0i64;
    for _ in 0..n {
        let flags = r.u8()?;
        ts = ts.wrapping_add(r.signed()?);
        let item = r.var_u32()?;
        let category = if flags & HAS_CATEGORY != 0 {
            r.var_u32()?
        } else {
            NO_CATEGORY
        };
        let quantity = if flags & QUANTITY_INT != 0 {
            r.signed()? as f64
        } else {
            r.f64()?
        };
        let amount = if flags & AMOUNT_CENTS != 0 {
            r.signed()? as f64 / 100.0
        } else {
            r.f64()?
        };
        lines.push(PurchaseLine {
            ts,
            item,
            category,
            quantity,
            amount,
        });
    }
    if r.remaining() != 0 {
        return Err(super::invalid(format!(
            "{} bytes after the last of {n} packed lines",
            r.remaining()
        )));
    }
    Ok(lines)
}

/// `v` as an integer when that integer gives back exactly `v` (not for `-0.0`, NaN or
/// infinities).
fn as_int(v: f64) -> Option<i64> {
    let i = v as i64;
    (v.abs() < EXACT_INT && (i as f64).to_bits() == v.to_bits()).then_some(i)
}

/// `v` in whole cents when `cents / 100.0` gives back exactly `v`.
fn as_cents(v: f64) -> Option<i64> {
    let c = (v * 100.0).round();
    if c.is_nan() || c.abs() >= EXACT_INT {
        return None;
    }
    let c = c as i64;
    ((c as f64 / 100.0).to_bits() == v.to_bits()).then_some(c)
}
