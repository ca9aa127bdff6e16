//! The byte-level pieces of tiefen's compact binary forms (the answer snapshot, packed order
//! lines, packed segment answers): little-endian fixed-width numbers, LEB128 varints with
//! zigzag for signed values (the `integer-encoding` crate, protocol-buffers encoding), and a
//! bounds-checked [`Reader`] whose errors say what ran out.

use std::io;

use integer_encoding::VarInt;

use crate::Day;

mod lines;

pub use lines::{pack_lines, unpack_lines};

#[cfg(test)]
mod tests;

/// Appends `v` as an unsigned varint.
pub fn put_var(w: &mut Vec<u8>, v: u64) {
    let mut buf = [0u8; 10];
    let n = v.encode_var(&mut buf);
    w.extend_from_slice(&buf[..n]);
}

/// Appends `v` as a zigzag varint (small magnitudes of either sign take few bytes).
pub fn put_signed(w: &mut Vec<u8>, v: i64) {
    let mut buf = [0u8; 10];
    let n = v.encode_var(&mut buf);
    w.extend_from_slice(&buf[..n]);
}

/// Appends `day` as a zigzag varint of its days before `base`.
pub fn put_day(w: &mut Vec<u8>, base: Day, day: Day) {
    put_signed(w, i64::from(base.0) - i64::from(day.0));
}

/// Appends an optional day: 0 for none, else 1 + the zigzag of its days before `base`.
pub fn put_opt_day(w: &mut Vec<u8>, base: Day, day: Option<Day>) {
    match day {
        None => put_var(w, 0),
        Some(d) => {
            let before = i64::from(base.0) - i64::from(d.0);
            put_var(w, 1 + ((before << 1) ^ (before >> 63)) as u64);
        }
    }
}

/// Appends a little-endian `u32`.
pub fn put_u32(w: &mut Vec<u8>, v: u32) {
    w.extend_from_slice(&v.to_le_bytes());
}

/// Appends a little-endian `i32`.
pub fn put_i32(w: &mut Vec<u8>, v: i32) {
    w.extend_from_slice(&v.to_le_bytes());
}

/// Appends a little-endian `f32`.
pub fn put_f32(w: &mut Vec<u8>, v: f32) {
    w.extend_from_slice(&v.to_le_bytes());
}

/// Appends a little-endian `f64`.
pub fn put_f64(w: &mut Vec<u8>, v: f64) {
    w.extend_from_slice(&v.to_le_bytes());
}

/// A cursor over bytes; every read fails with [`io::ErrorKind::InvalidData`] when the bytes
/// end early or a varint is malformed.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    /// Bytes read so far.
    pub fn position(&self) -> usize {
        self.at
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> io::Result<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| invalid("the bytes end early (truncated)".into()))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    /// The next `N` bytes as an array.
    pub fn array<const N: usize>(&mut self) -> io::Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    /// A byte.
    pub fn u8(&mut self) -> io::Result<u8> {
        Ok(self.take(1)?[0])
    }

    /// A little-endian `u32`.
    pub fn u32(&mut self) -> io::Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    /// A little-endian `i32`.
    pub fn i32(&mut self) -> io::Result<i32> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    /// A little-endian `f32`.
    pub fn f32(&mut self) -> io::Result<f32> {
        Ok(f32::from_le_bytes(self.array()?))
    }

    /// A little-endian `f64`.
    pub fn f64(&mut self) -> io::Result<f64> {
        Ok(f64::from_le_bytes(self.array()?))
    }

    /// An unsigned varint.
    pub fn var(&mut self) -> io::Result<u64> {
        let (v, n) = u64::decode_var(&self.bytes[self.at..]).ok_or_else(|| self.bad_varint())?;
        self.at += n;
        Ok(v)
    }

    /// The error of a varint that does not decode: the bytes end inside it, or it is too long.
    fn bad_varint(&self) -> io::Error {
        let rest = &self.bytes[self.at..];
        if rest.len() < 10 && rest.iter().all(|b| b & 0x80 != 0) {
            invalid("the bytes end early (truncated)".into())
        } else {
            invalid("a malformed varint".into())
        }
    }

    /// An unsigned varint that must fit a `u32`.
    pub fn var_u32(&mut self) -> io::Result<u32> {
        let v = self.var()?;
        u32::try_from(v).map_err(|_| invalid(format!("{v} does not fit 32 bits")))
    }

    /// A zigzag varint.
    pub fn signed(&mut self) -> io::Result<i64> {
        let (v, n) = i64::decode_var(&self.bytes[self.at..]).ok_or_else(|| self.bad_varint())?;
        self.at += n;
        Ok(v)
    }

    /// A day written by [`put_day`] with the same `base`.
    pub fn day(&mut self, base: Day) -> io::Result<Day> {
        let before = self.signed()?;
        day_before(base, before)
    }

    /// An optional day written by [`put_opt_day`] with the same `base`.
    pub fn opt_day(&mut self, base: Day) -> io::Result<Option<Day>> {
        match self.var()? {
            0 => Ok(None),
            v => {
                let z = v - 1;
                let before = ((z >> 1) as i64) ^ -((z & 1) as i64);
                day_before(base, before).map(Some)
            }
        }
    }

    /// A zigzag varint that must fit an `i32`.
    pub fn signed_i32(&mut self) -> io::Result<i32> {
        let v = self.signed()?;
        i32::try_from(v).map_err(|_| invalid(format!("{v} does not fit 32 bits")))
    }
}

/// The day `before` days before `base`, when it is a day.
fn day_before(base: Day, before: i64) -> io::Result<Day> {
    let day = i64::from(base.0) - before;
    let day = i32::try_from(day).map_err(|_| invalid(format!("day {day} out of range")))?;
    Ok(Day(day))
}

/// An [`io::ErrorKind::InvalidData`] error with `message`.
pub fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}
