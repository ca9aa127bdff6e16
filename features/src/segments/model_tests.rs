use super::test_support::{book, day};
use super::*;
use crate::churn::Rfm;
use crate::value::{Spend, ValueModel};

/// Four members over 120 days, a return, and a member who starts after `T - H`.
fn store() -> crate::OrderBook {
    book(&[
        ("a", day(0), 900.0),
        ("a", day(30), 800.0),
        ("a", day(60), 700.0),
        ("a", day(95), 500.0),
        ("b", day(10), 300.0),
        ("c", day(40), 2_500.0),
        ("c", day(41), -500.0),
        ("d", day(100), 120.0),
    ])
}

fn program() -> TierProgram {
    let level = |id: &str, spend: Option<f64>| TierLevel {
        id: id.into(),
        label: format!("{id} label"),
        spend,
        single_order: None,
        renew: None,
    };
    TierProgram {
        window_days: Some(365),
        validity_days: Some(365),
        downgrade: Default::default(),
        levels: vec![level("regular", None), level("silver", Some(2_000.0))],
    }
}

/// The value model of the value tests: BG/NBD (r 0.5, alpha 30, a 0.8, b 3) and Gamma-Gamma
/// spend (p 6, q 4, v 15).
fn value_model() -> ValueModel {
    use crate::churn::BgNbd;
    use crate::value::{GammaGamma, SpendModel};
    ValueModel {
        bgnbd: BgNbd {
            r: 0.5,
            alpha: 30.0,
            a: 0.8,
            b: 3.0,
        },
        spend: SpendModel::GammaGamma(GammaGamma {
            p: 6.0,
            q: 4.0,
            v: 15.0,
        }),
    }
}

/// The store's segments at day 110 with the tier programme and the value model.
fn with_tiers_and_value() -> (crate::OrderBook, crate::Day, Segments) {
    let (b, t) = (store(), day(110));
    let groups = GroupTable::default().check().unwrap();
    let params = LifecycleParams::default().check().unwrap();
    let tiers = program().check().unwrap();
    let value = Some((value_model(), 365));
    let model = SegmentModel::fit(&b, t, 28, &groups, &params, Some(&tiers), value);
    (b, t, model.check().unwrap())
}

#[test]
fn the_answer_is_the_layering_the_lifecycle_and_the_tier_of_each_member() {
    let (b, t) = (store(), day(110));
    let groups = GroupTable::default().check().unwrap();
    let params = LifecycleParams::default().check().unwrap();
    let tiers = program().check().unwrap();
    let model = SegmentModel::fit(&b, t, 28, &groups, &params, Some(&tiers), None);
    let segments = model.clone().check().unwrap();
    let layers = layering(&b, t, 28, &groups);
    let population = Population::of_book(&b, t);
    for m in 0..4u32 {
        let a = segments.answer(&b.history(m), t).unwrap();
        let l = layers.member(m).unwrap();
        assert_eq!(a.rfm, l.now.score, "member {m}");
        assert_eq!(a.group, groups.groups()[l.now.group].id, "member {m}");
        assert_eq!(
            a.previous_group,
            l.previous.map(|p| groups.groups()[p.group].id.clone()),
            "member {m}"
        );
        let facts = population.facts(m).unwrap();
        assert_eq!(a.lifecycle, model.lifecycle.classify(facts), "member {m}");
        let status = tiers.evaluate(&b.history(m), t);
        assert_eq!(a.tier.as_ref().unwrap().status, status, "member {m}");
    }
    // d started after T - H: no previous group. a spent 2,900 in the window: silver since
    // day 95 (the day its spend reached 2,000), c's return left it at 2,000 exactly: silver.
    assert_eq!(
        segments.answer(&b.history(3), t).unwrap().previous_group,
        None
    );
    let a = segments.answer(&b.history(0), t).unwrap().tier.unwrap();
    assert_eq!(
        (a.id.as_str(), a.label.as_str()),
        ("silver", "silver label")
    );
    assert_eq!(a.status.since, Some(day(60)));
    let c = segments.answer(&b.history(2), t).unwrap().tier.unwrap();
    assert_eq!(c.id, "silver");
}

#[test]
fn the_stored_model_reads_back_and_answers_alike() {
    let (b, t) = (store(), day(110));
    let groups = GroupTable::default().check().unwrap();
    let params = LifecycleParams::default().check().unwrap();
    let model = SegmentModel::fit(&b, t, 28, &groups, &params, None, None);
    let json = serde_json::to_string(&model).unwrap();
    let back: SegmentModel = serde_json::from_str(&json).unwrap();
    assert_eq!(back, model);
    let (x, y) = (model.check().unwrap(), back.check().unwrap());
    for m in 0..4u32 {
        assert_eq!(x.answer(&b.history(m), t), y.answer(&b.history(m), t));
        assert_eq!(x.answer(&b.history(m), t).unwrap().tier, None);
    }
    // Nobody before the first line.
    assert_eq!(x.answer(&b.history(0), day(0)), None);
}

#[test]
fn the_value_part_is_bgnbd_times_spend_from_the_members_own_summary() {
    let (b, t) = (store(), day(110));
    let groups = GroupTable::default().check().unwrap();
    let params = LifecycleParams::default().check().unwrap();
    let value = value_model();
    let model = SegmentModel::fit(&b, t, 28, &groups, &params, None, Some((value, 365)));
    let segments = model.clone().check().unwrap();
    // a: purchase days 0, 30, 60, 95 before day 110: x = 3, t_x = 95, T = 110.
    let a = segments.answer(&b.history(0), t).unwrap();
    let spend = Spend::of(&b.history(0), t);
    let want = value.member_value(Rfm::new(3, 95.0, 110.0), &spend, t, 28, 365);
    assert_eq!(a.value, Some(want));
    // b: one purchase day 10: x = 0, t_x = 0, T = 100.
    let bv = segments.answer(&b.history(1), t).unwrap().value.unwrap();
    let spend = Spend::of(&b.history(1), t);
    assert_eq!(
        bv,
        value.member_value(Rfm::new(0, 0.0, 100.0), &spend, t, 28, 365)
    );
    // The bands: the top fifth of the four members' values is high, the median medium.
    let cuts = model.value.as_ref().unwrap().band_cuts;
    assert!(cuts[0] >= cuts[1]);
    let bands: Vec<_> = (0..4u32)
        .map(|m| {
            segments
                .answer(&b.history(m), t)
                .unwrap()
                .value_band
                .unwrap()
        })
        .collect();
    assert_eq!(
        bands.iter().filter(|b| **b == "high").count(),
        1,
        "{bands:?}"
    );
    assert_eq!(
        bands.iter().filter(|b| **b == "low").count(),
        1,
        "{bands:?}"
    );
}

#[test]
fn the_keep_probability_is_one_when_renewed_below_p_alive_otherwise_and_none_without_expiry() {
    let (b, t, segments) = with_tiers_and_value();
    let bgnbd = value_model().bgnbd;
    let tier = |m: u32| segments.answer(&b.history(m), t).unwrap().tier.unwrap();
    // a: silver since day 60 (expiry day 425); the window for the review counts days 60..=109,
    // 700 + 500 = 1,200 of the 2,000 needed.
    let a = tier(0);
    assert_eq!(a.status.expiry, Some(day(425)));
    assert_eq!(a.status.spend_to_renew, Some(800.0));
    let p = a.keep_probability.unwrap();
    let alive = bgnbd.p_alive(3, 95.0, 110.0);
    assert!(p > 0.0 && p < alive, "{p} vs P(alive) {alive}");
    // c: 2,500 less a return of 500 already renews silver.
    let c = tier(2);
    assert_eq!(
        (c.id.as_str(), c.status.spend_to_renew),
        ("silver", Some(0.0))
    );
    assert_eq!(c.keep_probability, Some(1.0));
    // b holds the base level: no expiry, no probability.
    assert_eq!(tier(1).keep_probability, None);
}

/// Every member's answer, with a tier programme and a value part, at `T` and at a later day,
/// packs and reads back equal, with the bytes of its last fields as documented.
#[test]
fn a_packed_answer_reads_back_equal() {
    use crate::codec::Reader;
    let (b, t, segments) = with_tiers_and_value();
    let mut seen_tier_fields = 0u8;
    for as_of in [t, day(130)] {
        for m in 0..4u32 {
            let a = segments.answer(&b.history(m), as_of).unwrap();
            let mut w = Vec::new();
            segments.encode_answer(&a, as_of, &mut w);
            let mut r = Reader::new(&w);
            assert_eq!(
                segments.decode_answer(&mut r, as_of).unwrap(),
                a,
                "member {m}"
            );
            assert_eq!(r.remaining(), 0);
            let mut r = Reader::new(&w);
            let codes = segments.decode_codes(&mut r, as_of).unwrap();
            assert_eq!(r.remaining(), 0);
            let groups = segments.groups().groups();
            assert_eq!(groups[codes.group].id, a.group);
            assert_eq!(
                codes.previous_group.map(|i| groups[i].id.clone()),
                a.previous_group
            );
            assert_eq!(
                (codes.rfm, codes.lifecycle, codes.value_band),
                (a.rfm, a.lifecycle, a.value_band)
            );
            assert_eq!(codes.tier, a.tier.as_ref().map(|t| t.status.level));
            assert_eq!(codes.predicted_value, a.value.map(|v| v.predicted_value));
            // The value band is the last byte: low 1, medium 2, high 3.
            let band = ["low", "medium", "high"]
                .iter()
                .position(|x| Some(*x) == a.value_band);
            assert_eq!(*w.last().unwrap() as usize, band.unwrap() + 1);
            let t = a.tier.as_ref().unwrap();
            seen_tier_fields |= u8::from(t.status.since.is_some())
                | u8::from(t.status.expiry.is_some()) << 1
                | u8::from(t.keep_probability.is_some()) << 5;
            // Truncated anywhere: an error, never a wrong answer.
            for cut in 0..w.len() {
                assert!(
                    segments
                        .decode_answer(&mut Reader::new(&w[..cut]), as_of)
                        .is_err()
                );
            }
        }
    }
    assert_eq!(
        seen_tier_fields, 0b10_0011,
        "since, expiry and keep probability exercised"
    );
    let mut w = Vec::new();
    let mut a = segments.answer(&b.history(0), t).unwrap();
    segments.encode_answer(&a, t, &mut w);
    w[3] = 200;
    let err = segments.decode_answer(&mut Reader::new(&w), t).unwrap_err();
    assert!(err.to_string().starts_with("group index 200 of"), "{err}");
    a.tier = None;
    a.value = None;
    a.value_band = None;
    a.previous_group = None;
    let mut w = Vec::new();
    segments.encode_answer(&a, t, &mut w);
    assert_eq!(w.len(), 3 + 1 + 1 + 1 + 1 + 1 + 1);
    assert_eq!(segments.decode_answer(&mut Reader::new(&w), t).unwrap(), a);
}
