use super::*;
use crate::segments::ConfigError;

/// The shipped defaults as the final report and the README write them.
const DEFAULT_TOML: &str = r#"
max_offers = 5
suggested_items = 3

[win_back]
enabled = true
priority = 1
bands = ["high", "medium"]
min_value_band = "low"

[tier_at_risk]
enabled = true
priority = 2
keep_below = 0.5

[birthday]
enabled = true
priority = 3
incentive = "small"
mode = "month"
days_before = 7

[replenishment]
enabled = true
priority = 4
by = "category"
factor = 1.0
max_factor = 3.0
min_purchase_days = 2

[second_purchase]
enabled = true
priority = 5
min_days = 7
max_days = 60

[cross_sell]
enabled = true
priority = 6
min_score = 0.0

[tier_upgrade]
enabled = true
priority = 7
max_share = 0.2

[incentives]
missing_band = "medium"
high = { high = "large", medium = "medium", low = "small" }
medium = { high = "medium", medium = "small", low = "none" }
low = { high = "small", medium = "none", low = "none" }
"#;

fn parse(text: &str) -> Result<OfferParams, toml::de::Error> {
    toml::from_str(text)
}

#[test]
fn the_documented_defaults_are_the_shipped_ones_and_an_empty_table_takes_them() {
    assert_eq!(parse(DEFAULT_TOML).unwrap(), OfferParams::default());
    assert_eq!(parse("").unwrap(), OfferParams::default());
    assert_eq!(
        OfferParams::default().check().unwrap(),
        ValidOfferParams::default()
    );
    let priorities: Vec<u32> = OfferKind::ALL
        .iter()
        .map(|&k| OfferParams::default().common(k).priority)
        .collect();
    assert_eq!(priorities, [1, 2, 3, 4, 5, 6, 7]);
}

#[test]
fn a_key_left_out_keeps_its_default_and_an_unknown_key_is_an_error() {
    let p = parse("[replenishment]\nfactor = 1.5\n[birthday]\nmode = \"days_before\"").unwrap();

    assert_eq!(p.replenishment.factor, 1.5);
    assert_eq!(p.replenishment.max_factor, 3.0);
    assert_eq!(p.birthday.mode, BirthdayMode::DaysBefore);
    for text in [
        "max_offer = 5",
        "[win_back]\nband = [\"high\"]",
        "[cross_sell]\nscore = 0.1",
        "[incentives]\nunknown = \"none\"",
        "[win_back]\nbands = [\"very_high\"]",
    ] {
        assert!(parse(text).is_err(), "{text:?} must not parse");
    }
}

fn check_with(edit: impl FnOnce(&mut OfferParams)) -> Result<ValidOfferParams, ConfigError> {
    let mut p = OfferParams::default();
    edit(&mut p);
    p.check()
}

fn message(edit: impl FnOnce(&mut OfferParams)) -> String {
    check_with(edit).unwrap_err().to_string()
}

#[test]
fn check_rejects_each_bad_value_naming_the_table_and_key() {
    assert!(matches!(
        check_with(|p| p.win_back.bands.clear()),
        Err(ConfigError::EmptyList {
            section: "offers.win_back",
            field: "bands"
        })
    ));
    assert!(
        check_with(|p| {
            p.win_back.bands.clear();
            p.win_back.enabled = false;
        })
        .is_ok()
    );
    assert!(matches!(
        check_with(|p| p.replenishment.max_factor = 1.0),
        Err(ConfigError::NotIncreasing { section, field: "max_factor", lower_field: "factor", .. })
            if section == "offers.replenishment"
    ));
    assert!(matches!(
        check_with(|p| p.second_purchase.min_days = 0),
        Err(ConfigError::ZeroDays {
            section: "offers.second_purchase",
            field: "min_days"
        })
    ));
    let out_of_range = [
        (check_with(|p| p.max_offers = 0), "offers", "max_offers"),
        (
            check_with(|p| p.suggested_items = 51),
            "offers",
            "suggested_items",
        ),
        (
            check_with(|p| p.tier_at_risk.keep_below = 0.0),
            "offers.tier_at_risk",
            "keep_below",
        ),
        (
            check_with(|p| p.birthday.days_before = 181),
            "offers.birthday",
            "days_before",
        ),
        (
            check_with(|p| p.replenishment.factor = 0.0),
            "offers.replenishment",
            "factor",
        ),
        (
            check_with(|p| p.replenishment.min_purchase_days = 1),
            "offers.replenishment",
            "min_purchase_days",
        ),
        (
            check_with(|p| p.second_purchase.max_days = 6),
            "offers.second_purchase",
            "max_days",
        ),
        (
            check_with(|p| p.cross_sell.min_score = 1.5),
            "offers.cross_sell",
            "min_score",
        ),
        (
            check_with(|p| p.tier_upgrade.max_share = 1.01),
            "offers.tier_upgrade",
            "max_share",
        ),
    ];
    for (result, table, key) in out_of_range {
        assert!(
            matches!(&result, Err(ConfigError::OutOfRange { section, field, .. })
                if *section == table && *field == key),
            "{table}.{key}: {result:?}"
        );
    }
}

#[test]
fn check_messages_read_as_the_toml_is_written() {
    assert_eq!(
        message(|p| p.replenishment.max_factor = 0.5),
        "offers.replenishment: `max_factor` (0.5) must be greater than `factor` (1)"
    );
    assert_eq!(
        message(|p| p.second_purchase.max_days = 6),
        "offers.second_purchase: `max_days` = 6 must be at least `min_days` (7)"
    );
    assert_eq!(
        message(|p| p.tier_upgrade.max_share = 0.0),
        "offers.tier_upgrade: `max_share` = 0 must be in (0, 1]"
    );
    assert_eq!(
        message(|p| p.win_back.bands.clear()),
        "offers.win_back: `bands` is empty; list at least one value or set `enabled = false`"
    );
}

#[test]
fn the_incentive_table_covers_every_band_pair_and_rows_must_name_every_value_band() {
    use IncentiveLevel::{Large, Medium, None, Small};
    let t = IncentiveTable::default();
    let grid: Vec<IncentiveLevel> = [Band::High, Band::Medium, Band::Low]
        .iter()
        .flat_map(|&c| [Band::High, Band::Medium, Band::Low].map(|v| t.level(Some(c), Some(v))))
        .collect();

    assert_eq!(
        grid,
        [Large, Medium, Small, Medium, Small, None, Small, None, None]
    );
    assert_eq!(
        t.level(Option::None, Some(Band::High)),
        Medium,
        "missing churn = medium"
    );
    assert_eq!(t.level(Some(Band::High), Option::None), Medium);
    let partial = parse("[incentives.high]\nhigh = \"large\"\nmedium = \"large\"");
    assert!(
        partial
            .unwrap_err()
            .to_string()
            .contains("missing field `low`")
    );
    let one_row = parse("[incentives.low]\nhigh = \"large\"\nmedium = \"small\"\nlow = \"none\"");
    let one_row = one_row.unwrap().incentives;
    assert_eq!(one_row.level(Some(Band::Low), Some(Band::High)), Large);
    assert_eq!(one_row.high, t.high, "rows left out keep their defaults");
}
