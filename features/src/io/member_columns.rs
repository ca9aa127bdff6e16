//! Where member attributes are in a members table or on the order lines.

use serde::{Deserialize, Serialize};

use crate::io::mapping::{check_format, non_empty, ts_format_text};
use crate::time::TsFormat;
use crate::{Error, Result};

/// Columns of a members table (`[members]` in the mapping file): one row per member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "RawMemberColumns", into = "RawMemberColumns")]
pub struct MemberColumns {
    /// Column of the member id (default `member_id`). Must not be empty in any row.
    pub member_id: String,
    /// The attribute columns and how to read them.
    pub attributes: AttributeColumns,
}

impl Default for MemberColumns {
    fn default() -> Self {
        MemberColumns {
            member_id: "member_id".into(),
            attributes: AttributeColumns::default(),
        }
    }
}

/// Columns of member attributes, each optional (`None` = not in the file), and how to read them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AttributeColumns {
    /// Column of the day the member joined, written as `date_format` says.
    pub joined: Option<String>,
    /// Column of the date of birth, written as `date_format` says.
    pub birthday: Option<String>,
    /// Column of the age group as written (`25-29`, `<25`, `>65`, ...).
    pub age_group: Option<String>,
    /// Column of the region or area code as written.
    pub region: Option<String>,
    /// Column of the tier name; with `tier_levels` set, a value not in it is a bad row.
    pub tier: Option<String>,
    /// How `joined` and `birthday` are written in text files: `"iso8601"` (the default,
    /// `YYYY-MM-DD`) or a chrono pattern such as `"%d.%m.%Y"`.
    #[serde(with = "ts_format_text")]
    pub date_format: TsFormat,
    /// Tier names from lowest to highest; a member's `tier_rank` is the 1-based position of its
    /// tier. Empty (the default) means tiers are kept as written with rank 0.
    pub tier_levels: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawMemberColumns {
    member_id: String,
    joined: Option<String>,
    birthday: Option<String>,
    age_group: Option<String>,
    region: Option<String>,
    tier: Option<String>,
    #[serde(with = "ts_format_text")]
    date_format: TsFormat,
    tier_levels: Vec<String>,
}

impl Default for RawMemberColumns {
    fn default() -> Self {
        MemberColumns::default().into()
    }
}

impl From<RawMemberColumns> for MemberColumns {
    fn from(r: RawMemberColumns) -> Self {
        MemberColumns {
            member_id: r.member_id,
            attributes: AttributeColumns {
                joined: r.joined,
                birthday: r.birthday,
                age_group: r.age_group,
                region: r.region,
                tier: r.tier,
                date_format: r.date_format,
                tier_levels: r.tier_levels,
            },
        }
    }
}

impl From<MemberColumns> for RawMemberColumns {
    fn from(m: MemberColumns) -> Self {
        let a = m.attributes;
        RawMemberColumns {
            member_id: m.member_id,
            joined: a.joined,
            birthday: a.birthday,
            age_group: a.age_group,
            region: a.region,
            tier: a.tier,
            date_format: a.date_format,
            tier_levels: a.tier_levels,
        }
    }
}

impl AttributeColumns {
    /// The configured attribute columns as `(canonical field, column name)`, in the order
    /// `joined, birthday, age_group, region, tier`.
    pub fn columns(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("joined", &self.joined),
            ("birthday", &self.birthday),
            ("age_group", &self.age_group),
            ("region", &self.region),
            ("tier", &self.tier),
        ]
        .into_iter()
        .filter_map(|(field, col)| col.as_deref().map(|c| (field, c)))
    }

    pub(crate) fn check(&self, section: &str) -> Result<()> {
        for (field, col) in self.columns() {
            non_empty(section, field, col)?;
        }
        check_format(section, "date_format", &self.date_format)?;
        for (i, level) in self.tier_levels.iter().enumerate() {
            if level.trim().is_empty() || self.tier_levels[..i].contains(level) {
                return Err(Error::Config(format!(
                    "[{section}] tier_levels: `{level}` is empty or listed twice"
                )));
            }
        }
        Ok(())
    }
}
