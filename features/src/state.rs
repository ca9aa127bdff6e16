//! The member-state file (`members.state`): every member's order lines before the as-of date
//! and their attributes, with string ids, in a small versioned little-endian binary format that
//! needs nothing beyond `std` to read. Training writes it next to the model; serving starts
//! from it and applies new events on top.
//!
//! Layout (all integers little-endian; a string is a `u32` byte length then UTF-8 bytes):
//! magic `TIEFENMS`, `u32` format version ([`STATE_FORMAT_VERSION`]), `i32` as-of day, the
//! item strings and the category strings (each a `u32` count then the strings, in id order),
//! then a `u32` member count and per member: id string, `u8` 1 when attributes follow
//! (`joined` as `u8` flag + `i32` day, `birthday` as `u8` flag + `i32` days from the common
//! era, `age_group`, `region`, `tier` as `u8` flag + string, `u32` tier rank), a `u32` line
//! count and the lines (`i64` ts, `u32` item, `u32` category, `f64` quantity, `f64` amount).

use std::io::{self, Read, Write};

use chrono::{Datelike, NaiveDate};

use crate::{Day, MemberAttributes, OrderBook, PurchaseLine, Vocab};

/// File name of the member state in a model version folder.
pub const MEMBER_STATE_FILE: &str = "members.state";

/// Version of the layout this module reads and writes.
pub const STATE_FORMAT_VERSION: u32 = 1;

const MAGIC: &[u8; 8] = b"TIEFENMS";

/// The content of a member-state file.
#[derive(Debug, Clone)]
pub struct MemberState {
    /// The as-of date: every line is strictly before it.
    pub as_of: Day,
    /// The member lines and attributes (ids keep the file's order, which is string order when
    /// written from an [`OrderBook`]).
    pub book: OrderBook,
}

/// Writes the members of `book` that have a line before `as_of` or attributes, with their
/// lines before `as_of`, to `w`.
pub fn write_member_state(book: &OrderBook, as_of: Day, w: &mut impl Write) -> io::Result<()> {
    let members = state_members(book, as_of);
    write_state_header(book, as_of, members.len(), w)?;
    for m in members {
        write_state_member(book, m, as_of, w)?;
    }
    Ok(())
}

/// The start of a member-state file that will hold `members` members (written after it with
/// [`write_state_member`]), for a writer that writes the members a range at a time.
pub fn write_state_header(
    book: &OrderBook,
    as_of: Day,
    members: usize,
    w: &mut impl Write,
) -> io::Result<()> {
    w.write_all(MAGIC)?;
    put_u32(w, STATE_FORMAT_VERSION)?;
    w.write_all(&as_of.0.to_le_bytes())?;
    put_vocab(w, book.items())?;
    put_vocab(w, book.categories())?;
    put_u32(w, members as u32)
}

/// One member's record of a member-state file: id, attributes and the lines before `as_of`.
pub fn write_state_member(
    book: &OrderBook,
    m: u32,
    as_of: Day,
    w: &mut impl Write,
) -> io::Result<()> {
    put_str(w, book.members().name(m))?;
    match book.attributes(m) {
        Some(a) => {
            w.write_all(&[1])?;
            put_attributes(w, a)?;
        }
        None => w.write_all(&[0])?,
    }
    let lines = book.history(m).before(as_of);
    put_u32(w, lines.len() as u32)?;
    for l in lines {
        w.write_all(&l.ts.to_le_bytes())?;
        put_u32(w, l.item)?;
        put_u32(w, l.category)?;
        w.write_all(&l.quantity.to_le_bytes())?;
        w.write_all(&l.amount.to_le_bytes())?;
    }
    Ok(())
}

/// The members of `book` a member-state file as of `as_of` holds, in its order: those with a
/// line before `as_of` or attributes. The answer snapshot lists its answers in this order too.
pub fn state_members(book: &OrderBook, as_of: Day) -> Vec<u32> {
    state_members_in(book, 0..book.members().len() as u32, as_of)
}

/// [`state_members`] among the ids in `members`.
pub fn state_members_in(book: &OrderBook, members: std::ops::Range<u32>, as_of: Day) -> Vec<u32> {
    members
        .filter(|&m| !book.history(m).before(as_of).is_empty() || book.attributes(m).is_some())
        .collect()
}

/// Reads a member-state file. Fails with [`io::ErrorKind::InvalidData`] (and a message saying
/// what is wrong) on a bad magic, an unknown version, a truncated file, a member listed twice
/// or ids out of range.
pub fn read_member_state(r: &mut impl Read) -> io::Result<MemberState> {
    let mut members = Vocab::new();
    let mut lines = Vec::new();
    let mut offsets = vec![0usize];
    let mut attributes = Vec::new();
    let header = read_member_state_with(r, |id, a, member_lines| {
        if members.get(id).is_some() {
            return Err(twice(id));
        }
        members.intern(id);
        attributes.push(a);
        lines.extend_from_slice(member_lines);
        offsets.push(lines.len());
        Ok(())
    })?;
    let book = OrderBook::from_parts(
        members,
        header.items,
        header.categories,
        lines,
        offsets,
        attributes,
    );
    Ok(MemberState {
        as_of: header.as_of,
        book,
    })
}

/// What a member-state file's header holds.
#[derive(Debug, Clone)]
pub struct StateHeader {
    /// The as-of date: every line is strictly before it.
    pub as_of: Day,
    /// Item ids.
    pub items: Vocab,
    /// Category ids.
    pub categories: Vocab,
    /// Members in the file.
    pub members: usize,
}

/// The error of a member listed twice, for a reader of [`read_member_state_with`].
pub fn twice(id: &str) -> io::Error {
    invalid(format!("member {id:?} appears twice"))
}

/// Reads a member-state file a member at a time: `on_member(id, attributes, lines)` gets each
/// member in the file's order with its lines in canonical order (checked against the
/// header's ids), so a reader can keep the members in its own form without the whole file's
/// lines in memory at once; an error it returns stops the read. Fails as
/// [`read_member_state`] does.
pub fn read_member_state_with(
    r: &mut impl Read,
    mut on_member: impl FnMut(&str, Option<MemberAttributes>, &[PurchaseLine]) -> io::Result<()>,
) -> io::Result<StateHeader> {
    let mut magic = [0u8; 8];
    r.read_exact(&mut magic)?;
    if &magic != MAGIC {
        return Err(invalid("not a tiefen member-state file (bad magic)".into()));
    }
    let version = get_u32(r)?;
    if version != STATE_FORMAT_VERSION {
        return Err(invalid(format!(
            "member-state format version {version}, this build reads {STATE_FORMAT_VERSION}"
        )));
    }
    let as_of = Day(i32::from_le_bytes(get::<4>(r)?));
    let items = get_vocab(r)?;
    let categories = get_vocab(r)?;
    let n = get_u32(r)? as usize;
    let mut lines = Vec::new();
    for _ in 0..n {
        let id = get_str(r)?;
        let attributes = match get_u8(r)? {
            0 => None,
            _ => Some(get_attributes(r)?),
        };
        let count = get_u32(r)? as usize;
        lines.clear();
        for _ in 0..count {
            let line = PurchaseLine {
                ts: i64::from_le_bytes(get::<8>(r)?),
                item: get_u32(r)?,
                category: get_u32(r)?,
                quantity: f64::from_le_bytes(get::<8>(r)?),
                amount: f64::from_le_bytes(get::<8>(r)?),
            };
            let bad_category =
                line.category != crate::NO_CATEGORY && line.category as usize >= categories.len();
            if line.item as usize >= items.len() || bad_category {
                return Err(invalid(format!(
                    "member {id:?}: item or category id out of range"
                )));
            }
            lines.push(line);
        }
        crate::sort_canonical(&mut lines);
        on_member(&id, attributes, &lines)?;
    }
    Ok(StateHeader {
        as_of,
        items,
        categories,
        members: n,
    })
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

fn put_u32(w: &mut impl Write, v: u32) -> io::Result<()> {
    w.write_all(&v.to_le_bytes())
}

fn put_str(w: &mut impl Write, s: &str) -> io::Result<()> {
    put_u32(w, s.len() as u32)?;
    w.write_all(s.as_bytes())
}

fn put_opt_str(w: &mut impl Write, s: Option<&str>) -> io::Result<()> {
    match s {
        Some(s) => {
            w.write_all(&[1])?;
            put_str(w, s)
        }
        None => w.write_all(&[0]),
    }
}

fn put_opt_i32(w: &mut impl Write, v: Option<i32>) -> io::Result<()> {
    match v {
        Some(v) => {
            w.write_all(&[1])?;
            w.write_all(&v.to_le_bytes())
        }
        None => w.write_all(&[0]),
    }
}

fn put_vocab(w: &mut impl Write, v: &Vocab) -> io::Result<()> {
    put_u32(w, v.len() as u32)?;
    v.names().try_for_each(|s| put_str(w, s))
}

fn put_attributes(w: &mut impl Write, a: &MemberAttributes) -> io::Result<()> {
    put_opt_i32(w, a.joined.map(|d| d.0))?;
    put_opt_i32(w, a.birthday.map(|b| b.num_days_from_ce()))?;
    put_opt_str(w, a.age_group.as_deref())?;
    put_opt_str(w, a.region.as_deref())?;
    put_opt_str(w, a.tier.as_deref())?;
    put_u32(w, a.tier_rank)
}

fn get<const N: usize>(r: &mut impl Read) -> io::Result<[u8; N]> {
    let mut b = [0u8; N];
    r.read_exact(&mut b)?;
    Ok(b)
}

fn get_u8(r: &mut impl Read) -> io::Result<u8> {
    Ok(get::<1>(r)?[0])
}

fn get_u32(r: &mut impl Read) -> io::Result<u32> {
    Ok(u32::from_le_bytes(get::<4>(r)?))
}

fn get_str(r: &mut impl Read) -> io::Result<String> {
    let len = get_u32(r)? as usize;
    let mut buf = Vec::new();
    r.take(len as u64).read_to_end(&mut buf)?;
    if buf.len() != len {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    String::from_utf8(buf).map_err(|_| invalid("a string is not UTF-8".into()))
}

fn get_opt_str(r: &mut impl Read) -> io::Result<Option<String>> {
    match get_u8(r)? {
        0 => Ok(None),
        _ => get_str(r).map(Some),
    }
}

fn get_opt_i32(r: &mut impl Read) -> io::Result<Option<i32>> {
    match get_u8(r)? {
        0 => Ok(None),
        _ => Ok(Some(i32::from_le_bytes(get::<4>(r)?))),
    }
}

fn get_vocab(r: &mut impl Read) -> io::Result<Vocab> {
    let n = get_u32(r)?;
    let mut v = Vocab::new();
    for _ in 0..n {
        let s = get_str(r)?;
        if v.get(&s).is_some() {
            return Err(invalid(format!("id {s:?} appears twice in a vocabulary")));
        }
        v.intern(&s);
    }
    Ok(v)
}

fn get_attributes(r: &mut impl Read) -> io::Result<MemberAttributes> {
    let joined = get_opt_i32(r)?.map(Day);
    let birthday = match get_opt_i32(r)? {
        Some(d) => Some(
            NaiveDate::from_num_days_from_ce_opt(d)
                .ok_or_else(|| invalid(format!("birthday day number {d} is out of range")))?,
        ),
        None => None,
    };
    Ok(MemberAttributes {
        joined,
        birthday,
        age_group: get_opt_str(r)?,
        region: get_opt_str(r)?,
        tier: get_opt_str(r)?,
        tier_rank: get_u32(r)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OrderBookBuilder;

    fn book() -> OrderBook {
        let ts = |d: &str| crate::time::parse_iso(d).unwrap();
        let mut b = OrderBookBuilder::new();
        b.push_line(
            "0042",
            ts("2024-01-05T10:00:00"),
            "碳粉匣",
            "耗材",
            1.0,
            1200.0,
        );
        b.push_line("0042", ts("2024-02-05"), "紙", "", 2.0, 300.5);
        b.push_line("0042", ts("2024-03-01"), "紙", "", -1.0, -150.0);
        b.push_line("b", ts("2024-05-01"), "筆", "文具", 1.0, 10.0);
        b.push_line("late", ts("2024-06-01"), "筆", "文具", 1.0, 10.0);
        b.set_attributes(
            "b",
            MemberAttributes {
                joined: Some(Day(19_000)),
                birthday: NaiveDate::from_ymd_opt(1990, 2, 28),
                age_group: Some("30-34".into()),
                region: None,
                tier: Some("gold".into()),
                tier_rank: 2,
            },
        );
        b.set_attributes("only-attrs", MemberAttributes::default());
        b.finish()
    }

    #[test]
    fn state_round_trips_lines_before_as_of_attributes_and_string_ids() {
        let book = book();
        let as_of = Day::of_ts(crate::time::parse_iso("2024-05-15").unwrap());
        let mut bytes = Vec::new();
        write_member_state(&book, as_of, &mut bytes).unwrap();
        let back = read_member_state(&mut bytes.as_slice()).unwrap();
        assert_eq!(back.as_of, as_of);
        let names: Vec<&str> = back.book.members().names().collect();
        assert_eq!(names, ["0042", "b", "only-attrs"]);
        for (i, name) in names.iter().enumerate() {
            let orig = book.members().get(name).unwrap();
            assert_eq!(
                back.book.history(i as u32).lines(),
                book.history(orig).before(as_of)
            );
            assert_eq!(back.book.attributes(i as u32), book.attributes(orig));
        }
        assert_eq!(
            back.book.items().names().collect::<Vec<_>>(),
            ["碳粉匣", "筆", "紙"]
        );
        assert_eq!(
            back.book.categories().names().collect::<Vec<_>>(),
            ["文具", "耗材"]
        );
    }

    #[test]
    fn truncated_or_foreign_files_are_errors_not_panics() {
        let mut bytes = Vec::new();
        write_member_state(&book(), Day(20_000), &mut bytes).unwrap();
        for cut in 0..bytes.len() {
            assert!(
                read_member_state(&mut &bytes[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        let mut other = bytes.clone();
        other[0] = b'X';
        let err = read_member_state(&mut other.as_slice()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    }
}
