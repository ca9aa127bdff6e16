use super::*;
use crate::segments::ConfigError;

fn rule(id: &str, r: (u8, u8), f: (u8, u8), m: (u8, u8)) -> GroupRule {
    GroupRule {
        id: id.into(),
        label: format!("{id} label"),
        r: ScoreRange(r.0, r.1),
        f: ScoreRange(f.0, f.1),
        m: ScoreRange(m.0, m.1),
    }
}

fn check(groups: Vec<GroupRule>) -> Result<ValidGroupTable, ConfigError> {
    GroupTable { groups }.check()
}

#[test]
fn group_table_check_rejects_each_error_naming_the_group_and_field() {
    let all = (0, 3);
    let rest = rule("rest", all, all, all);

    assert!(matches!(check(vec![]), Err(ConfigError::NoGroups)));
    assert!(matches!(
        check(vec![rule("top", (2, 4), all, all), rest.clone()]),
        Err(ConfigError::ScoreOutOfRange { group, field: "r", value: 4, max: 3 }) if group == "top"
    ));
    assert!(matches!(
        check(vec![rule("top", all, all, (3, 1)), rest.clone()]),
        Err(ConfigError::EmptyScoreRange { group, field: "m", min: 3, max: 1 }) if group == "top"
    ));
    assert!(matches!(
        check(vec![rest.clone(), rest.clone()]),
        Err(ConfigError::DuplicateGroup { group }) if group == "rest"
    ));
    assert!(matches!(
        check(vec![rule("Top", all, all, all)]),
        Err(ConfigError::BadGroupId { group }) if group == "Top"
    ));
    assert!(matches!(
        check(vec![rule("", all, all, all)]),
        Err(ConfigError::EmptyGroupField { group, field: "id" }) if group == "#1"
    ));
    let mut unlabelled = rest.clone();
    unlabelled.label = " ".into();
    assert!(matches!(
        check(vec![unlabelled]),
        Err(ConfigError::EmptyGroupField { group, field: "label" }) if group == "rest"
    ));
}

#[test]
fn group_table_check_rejects_gaps_and_shadowed_groups() {
    let all = (0, 3);

    let uncovered = check(vec![rule("recent", (1, 3), all, all)]);
    let shadowed = check(vec![
        rule("rest", all, all, all),
        rule("late", (0, 0), all, all),
    ]);

    assert_eq!(
        uncovered.unwrap_err(),
        ConfigError::Uncovered { r: 0, f: 0, m: 0 }
    );
    assert!(matches!(shadowed, Err(ConfigError::Unreachable { group }) if group == "late"));
}

#[cfg(feature = "arrow")]
#[test]
fn a_toml_table_replaces_the_default_and_round_trips() {
    let text = r#"
        [[groups]]
        id = "vip"
        label = "貴賓"
        r = [2, 3]
        f = [2, 3]

        [[groups]]
        id = "others"
        label = "其他"
    "#;

    let table: GroupTable = toml::from_str(text).unwrap();
    let valid = table.clone().check().unwrap();
    let default_text = toml::to_string(&GroupTable::default()).unwrap();
    let unknown = toml::from_str::<GroupTable>("[[groups]]\nid = \"x\"\nlabel = \"x\"\nq = [0, 1]");

    assert_eq!(
        table.groups[0].m,
        ScoreRange(0, 3),
        "a field left out is the full range"
    );
    assert_eq!(valid.rule_of(RfmScore { r: 3, f: 3, m: 0 }).id, "vip");
    assert_eq!(valid.rule_of(RfmScore { r: 1, f: 3, m: 3 }).id, "others");
    assert_eq!(
        toml::from_str::<GroupTable>(&default_text).unwrap(),
        GroupTable::default()
    );
    assert!(unknown.is_err());
}
