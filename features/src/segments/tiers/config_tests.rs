use super::tests::{levels, lifetime, program};
use super::*;
use crate::segments::ConfigError;
use crate::segments::test_support::day;
use crate::{MemberAttributes, OrderBookBuilder};

#[test]
fn agreement_counts_the_members_table_tier_beside_the_computed_one() {
    let mut b = OrderBookBuilder::new();
    for (m, amount, tier) in [
        ("a", 16_000.0, Some("銀卡")),
        ("b", 1_000.0, Some("銀卡")),
        ("c", 1_000.0, None),
        ("d", 1_000.0, Some("鑽石卡")),
    ] {
        b.push_line(m, day(0).start_ts(), "sku", "cat", 1.0, amount);
        let tier = tier.map(str::to_string);
        b.set_attributes(
            m,
            MemberAttributes {
                tier,
                ..MemberAttributes::default()
            },
        );
    }
    let book = b.finish();
    let p = lifetime();

    let computed = tiers(&book, &p, day(1));
    let a = tier_agreement(&book, &p, &computed);

    assert_eq!((a.compared, a.agree, a.missing, a.unknown), (2, 1, 1, 1));
    assert_eq!(
        a.disagreements,
        [TierDisagreement {
            table: "銀卡".into(),
            computed: "regular".into(),
            members: 1
        }]
    );
}

fn check_with(edit: impl FnOnce(&mut TierProgram)) -> Result<ValidTierProgram, ConfigError> {
    let mut p = TierProgram {
        window_days: Some(365),
        validity_days: Some(365),
        downgrade: Downgrade::OneStep,
        levels: levels(),
    };
    edit(&mut p);
    p.check()
}

#[test]
fn tier_check_rejects_each_error_naming_the_level_and_field() {
    assert!(matches!(
        check_with(|p| p.levels.clear()),
        Err(ConfigError::NoLevels)
    ));
    assert!(matches!(
        check_with(|p| p.window_days = Some(0)),
        Err(ConfigError::ZeroDays {
            section: "tiers",
            field: "window_days"
        })
    ));
    assert!(matches!(
        check_with(|p| p.levels[0].spend = Some(0.0)),
        Err(ConfigError::BaseWithThreshold { level, field: "spend" }) if level == "regular"
    ));
    assert!(matches!(
        check_with(|p| {
            p.levels[2].spend = Some(15_000.0);
            p.levels[2].renew = None;
        }),
        Err(ConfigError::NotIncreasing { section, field: "spend", .. }) if section == "tiers.gold (above silver)"
    ));
    assert!(matches!(
        check_with(|p| p.levels[1].renew = Some(20_000.0)),
        Err(ConfigError::Renewal { level, .. }) if level == "silver"
    ));
    assert!(matches!(
        check_with(|p| p.levels[1].single_order = Some(-5.0)),
        Err(ConfigError::BadAmount { level, field: "single_order", value: -5.0 }) if level == "silver"
    ));
    assert!(
        check_with(|p| p.levels[2].spend = None).is_ok(),
        "a level reached by one order only, renewed by its own threshold"
    );
}

#[test]
fn tier_check_rejects_unreachable_levels_duplicates_and_inconsistent_renewal() {
    assert!(matches!(
        check_with(|p| {
            p.levels[1].spend = None;
            p.levels[1].renew = None;
        }),
        Err(ConfigError::NoUpgradeRule { level }) if level == "silver"
    ));
    assert!(matches!(
        check_with(|p| p.levels[2].label = "銀卡".into()),
        Err(ConfigError::DuplicateLevel { level }) if level == "銀卡"
    ));
    assert!(matches!(
        check_with(|p| p.levels[1].id = String::new()),
        Err(ConfigError::EmptyLevelField { level, field: "id" }) if level == "#2"
    ));
    assert!(matches!(
        check_with(|p| p.validity_days = None),
        Err(ConfigError::Renewal { level, .. }) if level == "silver"
    ));
    assert!(matches!(
        check_with(|p| {
            p.levels[1].spend = None;
            p.levels[1].single_order = Some(9_000.0);
            p.levels[1].renew = None;
        }),
        Err(ConfigError::Renewal { level, .. }) if level == "silver"
    ));
}

#[cfg(feature = "arrow")]
#[test]
fn a_programme_reads_from_toml_and_rejects_unknown_keys() {
    let text = r#"
        window_days = 365
        validity_days = 365
        downgrade = "to_supported"

        [[levels]]
        id = "regular"
        label = "普卡"

        [[levels]]
        id = "silver"
        label = "銀卡"
        spend = 15000
        renew = 10000
    "#;

    let p: TierProgram = toml::from_str(text).unwrap();
    let unknown = toml::from_str::<TierProgram>("validity = 365\nlevels = []");

    assert_eq!(p.downgrade, Downgrade::ToSupported);
    assert_eq!(p.levels[1].spend, Some(15_000.0));
    assert_eq!(p.check().unwrap().renew_threshold(1), Some(10_000.0));
    assert!(unknown.is_err());
}

#[test]
fn levels_are_found_by_id_or_label() {
    let p = program(Downgrade::OneStep);

    assert_eq!(p.level_by_name("銀卡"), Some(1));
    assert_eq!(p.level_by_name(" gold "), Some(2));
    assert_eq!(p.level_by_name("鑽石卡"), None);
    assert_eq!(p.renew_threshold(2), Some(40_000.0));
    assert_eq!(lifetime().renew_threshold(1), None);
}
