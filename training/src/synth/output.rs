//! The generated tables, and their canonical CSV form.

use std::io::Write;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::catalog::Catalog;
use super::error::{Error, Result};
use super::members::Profile;
use super::simulate::date_of;
use super::stream::Blanker;

/// Header of `orders.csv`.
pub const ORDERS_HEADER: [&str; 6] = [
    "member_id",
    "ts",
    "item_id",
    "category",
    "quantity",
    "amount",
];

/// Header of `members.csv`.
pub const MEMBERS_HEADER: [&str; 6] = [
    "member_id",
    "joined",
    "birthday",
    "age_group",
    "region",
    "tier",
];

/// Membership tier, from cumulative net spend since joining (never downgraded in the data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// 普卡: below NT$15,000.
    Regular,
    /// 銀卡: NT$15,000 to below NT$60,000.
    Silver,
    /// 金卡: NT$60,000 and above; 5% off every purchase.
    Gold,
}

impl Tier {
    /// The tier reached with `spend` NT$ of cumulative net spend.
    pub fn for_spend(spend: f64) -> Self {
        if spend >= 60_000.0 {
            Self::Gold
        } else if spend >= 15_000.0 {
            Self::Silver
        } else {
            Self::Regular
        }
    }

    /// The name written in the `tier` column: `普卡`, `銀卡` or `金卡`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Regular => "普卡",
            Self::Silver => "銀卡",
            Self::Gold => "金卡",
        }
    }
}

/// One row of `members.csv`, as of the last day of the data.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRecord {
    /// `M` and six digits, numbered in join order from `M000001`.
    pub member_id: String,
    /// Day the member signed up (may be before the first exported order line).
    pub joined: NaiveDate,
    /// Date of birth, when the member gave it.
    pub birthday: Option<NaiveDate>,
    /// Age group on the last day of the data (`<25`, `25-29`, ..., `>65`), with the birthday.
    pub age_group: Option<String>,
    /// City or county of residence, e.g. `台北市`.
    pub region: String,
    /// Tier on the last day of the data.
    pub tier: Tier,
}

/// One row of `orders.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderLine {
    /// Member id, as in [`MemberRecord::member_id`].
    pub member_id: String,
    /// Store-local date and time; all lines of one purchase share it.
    pub ts: NaiveDateTime,
    /// Item id, `SKU-0001` onwards.
    pub item_id: String,
    /// Category name (Traditional Chinese); empty only with `empty_category_share > 0`.
    pub category: String,
    /// Units; negative for a return.
    pub quantity: i64,
    /// Money total in whole NT$ (quantity times unit price); negative for a return.
    pub amount: i64,
}

/// A generated dataset: members in id order, order lines sorted by time.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthData {
    /// Every member, including those without lines in the exported range.
    pub members: Vec<MemberRecord>,
    /// Every order line dated from `start` to `end`, sorted by `ts`, then member, then the
    /// member's own order. A return is included only with its purchase.
    pub orders: Vec<OrderLine>,
}

/// A line as simulated, before ids are assigned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RawLine {
    pub(crate) day: i64,
    /// Day of the purchase: `day` itself, or the earlier purchase a return refers to.
    pub(crate) bought: i64,
    pub(crate) secs: u32,
    pub(crate) item: usize,
    pub(crate) quantity: i64,
    pub(crate) amount: i64,
}

/// The id of the member numbered `number` (from 1, in join order): `M000042`.
pub(crate) fn member_id(number: usize) -> String {
    format!("M{number:06}")
}

/// Positions of `profiles` in join order (ties keep draw order): member `M{k+1}` is
/// `profiles[order[k]]`.
pub(crate) fn join_order<'p>(profiles: impl IntoIterator<Item = &'p Profile>) -> Vec<usize> {
    let joined: Vec<NaiveDate> = profiles.into_iter().map(|p| p.joined).collect();
    let mut order: Vec<usize> = (0..joined.len()).collect();
    order.sort_by_key(|&i| joined[i]);
    order
}

/// The exported form of a simulated line of `member_id`.
pub(crate) fn order_line(catalog: &Catalog, member_id: &str, line: &RawLine) -> OrderLine {
    let time = NaiveTime::from_num_seconds_from_midnight_opt(line.secs, 0);
    let item = &catalog.items[line.item];
    OrderLine {
        member_id: member_id.to_owned(),
        ts: date_of(line.day).and_time(time.unwrap_or_default()),
        item_id: item.id.clone(),
        category: catalog.categories[item.category].name.to_owned(),
        quantity: line.quantity,
        amount: line.amount,
    }
}

/// Blanks the category of about `share` of `orders`, drawing from ChaCha8 stream `stream` of
/// `seed`.
pub(crate) fn blank_categories(orders: &mut [OrderLine], share: f64, seed: u64, stream: u64) {
    Blanker::new(share, seed, stream).apply(orders);
}

/// Writes one order line's six [`ORDERS_HEADER`] fields after `prefix` (e.g. an event id).
pub(crate) fn write_order_line<W: Write>(
    w: &mut csv::Writer<W>,
    prefix: &[&str],
    o: &OrderLine,
) -> csv::Result<()> {
    let ts = o.ts.format("%Y-%m-%dT%H:%M:%S").to_string();
    let (q, a) = (o.quantity.to_string(), o.amount.to_string());
    let fields = [o.member_id.as_str(), &ts, &o.item_id, &o.category, &q, &a];
    w.write_record(prefix.iter().copied().chain(fields))
}

/// Writes `path` through `write`, to a temporary name first and then renamed.
pub(crate) fn write_atomically(
    path: &Path,
    write: impl FnOnce(std::io::BufWriter<std::fs::File>) -> Result<()>,
) -> Result<()> {
    let tmp = path.with_extension("csv.tmp");
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::create(&tmp).map_err(io)?;
    write(std::io::BufWriter::new(file))?;
    std::fs::rename(&tmp, path).map_err(io)
}

impl SynthData {
    /// Writes `orders.csv` (header [`ORDERS_HEADER`], `ts` as `YYYY-MM-DDTHH:MM:SS`).
    pub fn write_orders<W: Write>(&self, writer: W) -> Result<()> {
        let mut w = csv::Writer::from_writer(writer);
        w.write_record(ORDERS_HEADER)?;
        for o in &self.orders {
            write_order_line(&mut w, &[], o)?;
        }
        w.flush().map_err(csv::Error::from)?;
        Ok(())
    }

    /// Writes `members.csv` (header [`MEMBERS_HEADER`], dates as `YYYY-MM-DD`, empty when
    /// unknown).
    pub fn write_members<W: Write>(&self, writer: W) -> Result<()> {
        let mut w = csv::Writer::from_writer(writer);
        w.write_record(MEMBERS_HEADER)?;
        for m in &self.members {
            let birthday = m.birthday.map(|b| b.to_string()).unwrap_or_default();
            w.write_record([
                m.member_id.as_str(),
                &m.joined.to_string(),
                &birthday,
                m.age_group.as_deref().unwrap_or(""),
                &m.region,
                m.tier.as_str(),
            ])?;
        }
        w.flush().map_err(csv::Error::from)?;
        Ok(())
    }

    /// Writes `dir/orders.csv` and `dir/members.csv`, creating `dir` if needed; each file is
    /// written to a temporary name first and then renamed.
    pub fn write_to_dir(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_owned(),
            source,
        })?;
        write_atomically(&dir.join("orders.csv"), |f| self.write_orders(f))?;
        write_atomically(&dir.join("members.csv"), |f| self.write_members(f))
    }
}
