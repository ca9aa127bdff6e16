use features::Error;
use features::io::{AttributeColumns, ColumnMapping, MemberColumns};
use features::time::TsFormat;

fn mappings_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../notebooks-data/mappings")
}

#[test]
fn tafeng_toml_parses_equal_to_the_preset() {
    let parsed = ColumnMapping::from_toml_file(mappings_dir().join("tafeng.toml")).unwrap();

    assert_eq!(parsed, ColumnMapping::tafeng());
}

#[test]
fn canonical_toml_spells_out_the_defaults_plus_a_members_table() {
    let parsed = ColumnMapping::from_toml_file(mappings_dir().join("canonical.toml")).unwrap();

    let expected = ColumnMapping {
        members: Some(MemberColumns {
            member_id: "member_id".into(),
            attributes: AttributeColumns {
                joined: Some("joined".into()),
                birthday: Some("birthday".into()),
                age_group: Some("age_group".into()),
                region: Some("region".into()),
                tier: Some("tier".into()),
                date_format: TsFormat::Iso8601,
                tier_levels: vec!["普卡".into(), "銀卡".into(), "金卡".into()],
            },
        }),
        ..ColumnMapping::canonical()
    };
    assert_eq!(parsed, expected);
}

#[test]
fn an_empty_mapping_file_is_the_canonical_mapping() {
    assert_eq!(
        ColumnMapping::from_toml_str("").unwrap(),
        ColumnMapping::canonical()
    );
}

#[test]
fn a_mapping_serialises_back_to_equal_toml() {
    let mut mapping = ColumnMapping::tafeng();
    mapping.members = Some(MemberColumns::default());

    let text = toml::to_string(&mapping).unwrap();

    assert_eq!(ColumnMapping::from_toml_str(&text).unwrap(), mapping);
}

#[test]
fn unknown_keys_are_rejected_instead_of_ignored() {
    let top = ColumnMapping::from_toml_str("memberid = \"id\"");
    let members = ColumnMapping::from_toml_str("[members]\nteir = \"t\"");

    assert!(matches!(top, Err(Error::Config(m)) if m.contains("memberid")));
    assert!(matches!(members, Err(Error::Config(m)) if m.contains("teir")));
}

#[test]
fn invalid_patterns_empty_columns_and_repeated_tiers_are_config_errors() {
    let pattern = ColumnMapping::from_toml_str("ts_format = \"%Q\"");
    let empty = ColumnMapping::from_toml_str("item_id = \" \"");
    let tiers = ColumnMapping::from_toml_str("[members]\ntier_levels = [\"a\", \"a\"]");

    assert!(matches!(pattern, Err(Error::Config(m)) if m.contains("%Q")));
    assert!(matches!(empty, Err(Error::Config(m)) if m.contains("item_id")));
    assert!(matches!(tiers, Err(Error::Config(m)) if m.contains("tier_levels")));
}

#[test]
fn a_missing_mapping_file_is_an_io_error_naming_it() {
    let result = ColumnMapping::from_toml_file("/no/such/mapping.toml");

    assert!(matches!(result, Err(Error::Io { path, .. }) if path.ends_with("mapping.toml")));
}
