//! Which column of an input file holds which canonical field.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::io::{AttributeColumns, MemberColumns};
use crate::time::TsFormat;
use crate::{Error, Result};

/// Maps the canonical order-line fields to the column names of one export, plus how its
/// timestamps are written and where member attributes come from.
///
/// Loaded from TOML with [`ColumnMapping::from_toml_file`]; every key is optional and defaults to
/// the canonical name (see `notebooks-data/mappings/canonical.toml`). Unknown keys are an error,
/// so a typo cannot silently fall back to a default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ColumnMapping {
    /// Column of the member id (default `member_id`). Must not be empty in any row.
    pub member_id: String,
    /// Column of the purchase time (default `ts`), written as [`ColumnMapping::ts_format`] says.
    pub ts: String,
    /// Column of the item id (default `item_id`). Must not be empty in any row.
    pub item_id: String,
    /// Column of the category (default `category`); an empty value means no category.
    pub category: String,
    /// Column of the units on the line (default `quantity`); negative for a return.
    pub quantity: String,
    /// Column of the money total of the line (default `amount`); negative for a return.
    pub amount: String,
    /// How `ts` is written in text files: `"iso8601"` (the default: `YYYY-MM-DD`, optionally with
    /// a time of day) or a chrono pattern such as `"%m/%d/%Y"`. Typed Parquet dates and
    /// timestamps do not use it.
    #[serde(with = "ts_format_text")]
    pub ts_format: TsFormat,
    /// The members table (`[members]`), read with [`crate::io::read_members`]; `None` by default.
    pub members: Option<MemberColumns>,
    /// Member attributes carried on the order lines themselves (`[members_from_orders]`): for
    /// each member, the last non-empty value in file order is kept. `None` by default.
    pub members_from_orders: Option<AttributeColumns>,
}

impl Default for ColumnMapping {
    fn default() -> Self {
        ColumnMapping {
            member_id: "member_id".into(),
            ts: "ts".into(),
            item_id: "item_id".into(),
            category: "category".into(),
            quantity: "quantity".into(),
            amount: "amount".into(),
            ts_format: TsFormat::Iso8601,
            members: None,
            members_from_orders: None,
        }
    }
}

impl ColumnMapping {
    /// The canonical mapping: every column has its canonical name, ISO-8601 timestamps.
    pub fn canonical() -> Self {
        Self::default()
    }

    /// The mapping of the public Ta Feng grocery CSV (`ta_feng_all_months_merged.csv`), equal to
    /// `notebooks-data/mappings/tafeng.toml`: age group and area code come from the order lines.
    pub fn tafeng() -> Self {
        ColumnMapping {
            member_id: "CUSTOMER_ID".into(),
            ts: "TRANSACTION_DT".into(),
            item_id: "PRODUCT_ID".into(),
            category: "PRODUCT_SUBCLASS".into(),
            quantity: "AMOUNT".into(),
            amount: "SALES_PRICE".into(),
            ts_format: TsFormat::Pattern("%m/%d/%Y".into()),
            members: None,
            members_from_orders: Some(AttributeColumns {
                age_group: Some("AGE_GROUP".into()),
                region: Some("PIN_CODE".into()),
                ..AttributeColumns::default()
            }),
        }
    }

    /// Parses a mapping from TOML text and [checks](ColumnMapping::check) it.
    pub fn from_toml_str(text: &str) -> Result<Self> {
        let mapping: ColumnMapping =
            toml::from_str(text).map_err(|e| Error::Config(format!("column mapping: {e}")))?;
        mapping.check()?;
        Ok(mapping)
    }

    /// Reads a mapping from a TOML file and [checks](ColumnMapping::check) it.
    pub fn from_toml_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_toml_str(&text)
            .map_err(|e| Error::Config(format!("{}: {}", path.display(), config_message(e))))
    }

    /// Checks that no column name is empty, that chrono patterns are valid and that tier levels
    /// are distinct; [`Error::Config`] otherwise.
    pub fn check(&self) -> Result<()> {
        for (field, col) in self.order_columns() {
            non_empty("orders", field, col)?;
        }
        check_format("orders", "ts_format", &self.ts_format)?;
        if let Some(m) = &self.members {
            non_empty("members", "member_id", &m.member_id)?;
            m.attributes.check("members")?;
        }
        if let Some(a) = &self.members_from_orders {
            a.check("members_from_orders")?;
        }
        Ok(())
    }

    /// The order-line columns as `(canonical field, column name)`, in the order
    /// `member_id, ts, item_id, category, quantity, amount`.
    pub fn order_columns(&self) -> [(&'static str, &str); 6] {
        [
            ("member_id", &self.member_id),
            ("ts", &self.ts),
            ("item_id", &self.item_id),
            ("category", &self.category),
            ("quantity", &self.quantity),
            ("amount", &self.amount),
        ]
    }
}

fn config_message(e: Error) -> String {
    match e {
        Error::Config(m) => m,
        other => other.to_string(),
    }
}

pub(super) fn non_empty(section: &str, field: &str, column: &str) -> Result<()> {
    if column.trim().is_empty() {
        return Err(Error::Config(format!(
            "[{section}] {field}: the column name is empty"
        )));
    }
    Ok(())
}

pub(super) fn check_format(section: &str, key: &str, format: &TsFormat) -> Result<()> {
    if let TsFormat::Pattern(p) = format {
        let invalid = p.is_empty()
            || chrono::format::StrftimeItems::new(p)
                .any(|item| matches!(item, chrono::format::Item::Error));
        if invalid {
            return Err(Error::Config(format!(
                "[{section}] {key}: `{p}` is not a valid chrono pattern"
            )));
        }
    }
    Ok(())
}

/// Describes a format for messages: which format a value was expected in.
pub(crate) fn describe_format(format: &TsFormat) -> String {
    match format {
        TsFormat::Iso8601 => "ISO-8601 (YYYY-MM-DD or YYYY-MM-DDThh:mm:ss)".into(),
        TsFormat::Pattern(p) => format!("pattern `{p}`"),
    }
}

pub(in crate::io) mod ts_format_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::time::TsFormat;

    pub(in crate::io) fn serialize<S: Serializer>(f: &TsFormat, s: S) -> Result<S::Ok, S::Error> {
        match f {
            TsFormat::Iso8601 => s.serialize_str("iso8601"),
            TsFormat::Pattern(p) => s.serialize_str(p),
        }
    }

    pub(in crate::io) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<TsFormat, D::Error> {
        let text = String::deserialize(d)?;
        Ok(
            if text.eq_ignore_ascii_case("iso8601") || text.eq_ignore_ascii_case("iso-8601") {
                TsFormat::Iso8601
            } else {
                TsFormat::Pattern(text)
            },
        )
    }
}
