use super::*;

const DAY: i64 = SECONDS_PER_DAY;
const T0: i64 = 1_717_200_000;

fn rule(channel: Option<Channel>, max: u32, window_days: u32) -> CapRule {
    CapRule {
        channel,
        max,
        window_days,
    }
}

fn history(rules: Vec<CapRule>) -> ContactHistory {
    ContactHistory::new(CapPolicy::new(rules).unwrap())
}

#[test]
fn a_contact_exactly_window_days_before_no_longer_counts() {
    let mut h = history(vec![rule(Some(Channel::Email), 1, 1)]);
    h.record("m1", Channel::Email, T0, "c1");

    assert_eq!(
        h.check("m1", Channel::Email, T0 + DAY - 1),
        Err(CapHit {
            rule: 0,
            cap: rule(Some(Channel::Email), 1, 1),
            count: 1
        })
    );
    assert_eq!(h.check("m1", Channel::Email, T0 + DAY), Ok(()));
    assert!(
        h.check("m1", Channel::Email, T0).is_err(),
        "a contact in the same second counts"
    );
}

#[test]
fn contacts_after_the_send_time_are_not_counted() {
    let mut h = history(vec![rule(None, 1, 7)]);
    h.record("m1", Channel::Sms, T0, "c1");
    assert_eq!(h.check("m1", Channel::Sms, T0 - 1), Ok(()));
}

#[test]
fn a_channel_rule_counts_only_its_channel_and_any_counts_all() {
    let mut h = history(vec![rule(Some(Channel::Email), 2, 7), rule(None, 3, 7)]);
    h.record("m1", Channel::Email, T0, "c1");
    h.record("m1", Channel::Line, T0 + 1, "c2");

    assert_eq!(h.check("m1", Channel::Email, T0 + 2), Ok(()));
    h.record("m1", Channel::Email, T0 + 2, "c3");
    assert_eq!(h.check("m1", Channel::Email, T0 + 3).unwrap_err().rule, 0);
    let any = h.check("m1", Channel::Push, T0 + 3).unwrap_err();
    assert_eq!((any.rule, any.count, any.cap.channel), (1, 3, None));
    assert_eq!(
        h.check("m2", Channel::Email, T0 + 3),
        Ok(()),
        "other members are unaffected"
    );
}

#[test]
fn the_first_violated_rule_in_order_is_reported() {
    let mut h = history(vec![
        rule(None, 10, 30),
        rule(Some(Channel::Push), 1, 1),
        rule(None, 1, 1),
    ]);
    h.record("m1", Channel::Push, T0, "c1");

    assert_eq!(h.check("m1", Channel::Push, T0 + 60).unwrap_err().rule, 1);
    assert_eq!(h.check("m1", Channel::Email, T0 + 60).unwrap_err().rule, 2);
    assert_eq!(h.check("m1", Channel::Email, T0 + DAY), Ok(()));
}

#[test]
fn a_weekly_cap_of_three_rolls_with_the_window() {
    let mut h = history(vec![rule(Some(Channel::Line), 3, 7)]);
    for d in [0, 2, 4] {
        h.record("m1", Channel::Line, T0 + d * DAY, "weekly");
    }
    let hit = h.check("m1", Channel::Line, T0 + 6 * DAY).unwrap_err();
    assert_eq!(hit.count, 3);
    assert_eq!(h.check("m1", Channel::Line, T0 + 7 * DAY), Ok(()));
    assert_eq!(h.contacts("m1").len(), 3);
    assert_eq!(h.contacts("m1")[0].campaign_id, "weekly");
}

#[test]
fn an_empty_policy_allows_everything() {
    let mut h = ContactHistory::default();
    h.record("m1", Channel::Email, T0, "c1");
    assert_eq!(h.check("m1", Channel::Email, T0), Ok(()));
}

#[test]
fn invalid_rules_are_rejected_naming_the_rule_and_field() {
    let err = CapPolicy::new(vec![rule(None, 1, 1), rule(None, 0, 7)]).unwrap_err();
    assert!(matches!(
        err,
        CampaignError::CapRule {
            rule: 2,
            field: "max",
            value: 0,
            ..
        }
    ));
    for days in [0, 366] {
        let err = CapPolicy::new(vec![rule(None, 1, days)]).unwrap_err();
        assert!(matches!(
            err,
            CampaignError::CapRule {
                rule: 1,
                field: "window_days",
                ..
            }
        ));
    }
    assert!(CapPolicy::new(vec![rule(None, 1, 365)]).is_ok());
}

#[test]
fn channels_parse_lowercase_and_name_an_unknown_value() {
    assert_eq!("line".parse::<Channel>().unwrap(), Channel::Line);
    let err = "fax".parse::<Channel>().unwrap_err();
    assert_eq!(err, CampaignError::UnknownChannel("fax".into()));
    assert!(err.to_string().contains("`fax`"));
    for c in Channel::ALL {
        assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{c}\""));
        assert_eq!(
            serde_json::from_str::<Channel>(&format!("\"{c}\"")).unwrap(),
            c
        );
    }
    let err = serde_json::from_str::<Channel>("\"Email\"").unwrap_err();
    assert!(err.to_string().contains("`Email`"));
}

#[test]
fn rules_deserialise_with_an_optional_channel() {
    let rules: Vec<CapRule> = toml::from_str::<toml::Table>(
        "[[rules]]\nchannel = \"sms\"\nmax = 2\nwindow_days = 7\n[[rules]]\nmax = 5\nwindow_days = 30\n",
    )
    .unwrap()["rules"]
        .clone()
        .try_into()
        .unwrap();
    assert_eq!(
        rules,
        vec![rule(Some(Channel::Sms), 2, 7), rule(None, 5, 30)]
    );
}
