//! Member attributes: from a members table, or carried on the order lines.

use std::path::Path;

use crate::io::columns::{Column, EMPTY, Kind, TsCache};
use crate::io::mapping::describe_format;
use crate::io::read::read_rows;
use crate::io::rejects::problem;
use crate::io::source::Wanted;
use crate::io::{AttributeColumns, MembersReport, ReadOptions};
use crate::{Day, Error, MemberAttributes, OrderBookBuilder, Result, RowProblem};

/// Reads a members table (the `[members]` section of the mapping) into `builder`: one row per
/// member, a later row for the same member replacing an earlier one (and replacing attributes
/// taken from the order lines).
///
/// A row is bad when its member id is empty, a non-empty `joined` or `birthday` does not parse,
/// or `tier_levels` is set and the tier is not in it; other empty values leave the attribute
/// unknown. Under [`crate::io::BadRowPolicy::Stop`] nothing is added to `builder` when any row is
/// bad.
pub fn read_members(
    path: impl AsRef<Path>,
    opts: &ReadOptions,
    builder: &mut OrderBookBuilder,
) -> Result<MembersReport> {
    let path = path.as_ref();
    let members = opts
        .mapping
        .members
        .as_ref()
        .ok_or_else(|| Error::Config("the column mapping has no [members] section".into()))?;
    let mut wanted = vec![Wanted {
        field: "member_id",
        column: members.member_id.clone(),
        kind: Kind::Text,
        optional: false,
    }];
    wanted.extend(attribute_columns(&members.attributes));
    let mut parser = AttributeParser::new(&members.attributes);
    let mut rows: Vec<(Box<str>, MemberAttributes)> = Vec::new();
    let outcome = read_rows(path, opts, &wanted, |columns, i, keep, problems| {
        let member = columns[0].text(i).trim();
        if member.is_empty() {
            problems.push(problem("member_id", &columns[0].raw(i), EMPTY));
        }
        let attributes = parser.parse(&columns[1..], i, problems);
        if keep && problems.is_empty() {
            rows.push((member.into(), attributes.to_attributes()));
        }
    })?;
    for (member, attributes) in rows {
        builder.set_attributes(&member, attributes);
    }
    Ok(MembersReport {
        rows_read: outcome.rows_read,
        rows_rejected: outcome.rows_rejected,
        fingerprint: outcome.fingerprint,
    })
}

/// The columns to read for `attributes`, in [`AttributeColumns::columns`] order.
pub(crate) fn attribute_columns(attributes: &AttributeColumns) -> impl Iterator<Item = Wanted> {
    attributes.columns().map(|(field, column)| Wanted {
        field,
        column: column.to_string(),
        kind: match field {
            "joined" | "birthday" => Kind::Time,
            _ => Kind::Text,
        },
        optional: true,
    })
}

/// The attribute values of one row, borrowed from its batch.
#[derive(Default)]
pub(crate) struct RowAttributes<'r> {
    pub(crate) joined: Option<Day>,
    pub(crate) birthday: Option<Day>,
    pub(crate) age_group: Option<&'r str>,
    pub(crate) region: Option<&'r str>,
    /// The tier and its rank.
    pub(crate) tier: Option<(&'r str, u32)>,
}

impl RowAttributes<'_> {
    fn to_attributes(&self) -> MemberAttributes {
        MemberAttributes {
            joined: self.joined,
            birthday: self.birthday.map(Day::to_date),
            age_group: self.age_group.map(str::to_string),
            region: self.region.map(str::to_string),
            tier: self.tier.map(|(t, _)| t.to_string()),
            tier_rank: self.tier.map_or(0, |(_, r)| r),
        }
    }

    /// True when the row has no attribute value.
    pub(crate) fn is_empty(&self) -> bool {
        self.joined.is_none()
            && self.birthday.is_none()
            && self.age_group.is_none()
            && self.region.is_none()
            && self.tier.is_none()
    }
}

/// Parses the attribute columns of a row, as configured.
pub(crate) struct AttributeParser<'a> {
    spec: &'a AttributeColumns,
    fields: Vec<&'static str>,
    dates: TsCache,
}

impl<'a> AttributeParser<'a> {
    /// A parser for `spec`, whose columns come in [`AttributeColumns::columns`] order.
    pub(crate) fn new(spec: &'a AttributeColumns) -> Self {
        AttributeParser {
            spec,
            fields: spec.columns().map(|(f, _)| f).collect(),
            dates: TsCache::new(spec.date_format.clone()),
        }
    }

    /// The attributes of row `i` from `columns` (in [`AttributeColumns::columns`] order),
    /// pushing a problem for each bad value.
    pub(crate) fn parse<'r>(
        &mut self,
        columns: &'r [Column],
        i: usize,
        problems: &mut Vec<RowProblem>,
    ) -> RowAttributes<'r> {
        let mut row = RowAttributes::default();
        for (&field, column) in self.fields.iter().zip(columns) {
            match field {
                "joined" | "birthday" => {
                    let raw = column.text(i).trim();
                    let typed = matches!(column, Column::Seconds(_));
                    if raw.is_empty() && !typed {
                        continue;
                    }
                    match column.time(i, &mut self.dates) {
                        Some(ts) if field == "joined" => row.joined = Some(Day::of_ts(ts)),
                        Some(ts) => row.birthday = Some(Day::of_ts(ts)),
                        None if typed => {}
                        None => problems.push(problem(
                            field,
                            raw,
                            format!(
                                "not a date in the expected format, {}",
                                describe_format(self.dates.format())
                            ),
                        )),
                    }
                }
                _ => {
                    let value = column.text(i).trim();
                    if value.is_empty() {
                        continue;
                    }
                    match field {
                        "age_group" => row.age_group = Some(value),
                        "region" => row.region = Some(value),
                        _ => row.tier = self.tier(value, problems),
                    }
                }
            }
        }
        row
    }

    fn tier<'r>(&self, value: &'r str, problems: &mut Vec<RowProblem>) -> Option<(&'r str, u32)> {
        let levels = &self.spec.tier_levels;
        if levels.is_empty() {
            return Some((value, 0));
        }
        match levels.iter().position(|l| l == value) {
            Some(p) => Some((value, p as u32 + 1)),
            None => {
                problems.push(problem(
                    "tier",
                    value,
                    format!("unknown tier; tier_levels are [{}]", levels.join(", ")),
                ));
                None
            }
        }
    }
}
