use super::*;
use crate::segments::test_support::{book, day};
use crate::segments::{MemberFacts, Population, PopulationMember};

fn member(member: u32, recency_days: u32, purchase_days: u32, net_spend: f64) -> PopulationMember {
    let as_of = day(400);
    PopulationMember {
        member,
        facts: MemberFacts {
            first_day: as_of.plus(-(recency_days as i32) - 10 * (purchase_days as i32 - 1)),
            last_day: as_of.plus(-(recency_days as i32)),
            purchase_days,
            recency_days,
            tenure_days: recency_days + 10 * (purchase_days - 1),
            net_spend,
            median_gap: (purchase_days > 1).then_some(10.0),
            gap_count: purchase_days - 1,
        },
    }
}

fn population(members: Vec<PopulationMember>) -> Population {
    Population {
        as_of: day(400),
        members,
        gaps: Vec::new(),
    }
}

fn scores(p: &Population) -> Vec<(u8, u8, u8)> {
    let scales = RfmScales::fit(p);
    p.members
        .iter()
        .map(|m| {
            let s = scales.score(&m.facts);
            (s.r, s.f, s.m)
        })
        .collect()
}

fn group_ids(layering: &Layering, table: &ValidGroupTable) -> Vec<(&'static str, String)> {
    let id = |g: usize| table.groups()[g].id.clone();
    let names = ["a", "b", "c", "d", "e"];
    layering
        .members
        .iter()
        .map(|l| (names[l.member as usize], id(l.now.group)))
        .collect()
}

fn score(r: u8, f: u8, m: u8) -> RfmScore {
    RfmScore { r, f, m }
}

#[test]
fn mid_ranks_give_equal_values_equal_percentiles() {
    let r = Ranking::new([1.0, 2.0, 2.0, 2.0, 5.0]);

    assert_eq!(r.mid_rank(2.0), 0.5);
    assert_eq!(r.mid_rank(1.0), 0.1);
    assert_eq!(r.mid_rank(5.0), 0.9);
    assert_eq!(
        r.mid_rank(3.0),
        0.8,
        "a value outside the store ranks by those below it"
    );
    assert_eq!((r.mid_rank(0.0), r.mid_rank(9.0)), (0.0, 1.0));
    assert_eq!(r.mid_rank_from(5.0, 2.0), 0.875);
    assert_eq!(Ranking::new([]).mid_rank(7.0), 0.5);
}

#[test]
fn eight_distinct_values_fall_in_the_four_quartile_bins() {
    let p = population(
        (1..=8)
            .map(|i| member(i - 1, i, 1, 100.0 * f64::from(i)))
            .collect(),
    );

    let r: Vec<u8> = scores(&p).iter().map(|s| s.0).collect();
    let m: Vec<u8> = scores(&p).iter().map(|s| s.2).collect();

    assert_eq!(r, [3, 3, 2, 2, 1, 1, 0, 0], "fewer days since is better");
    assert_eq!(m, [0, 0, 1, 1, 2, 2, 3, 3]);
}

#[test]
fn tied_values_always_share_one_score() {
    let recency = [10, 10, 10, 40, 90];
    let p = population(
        (0..5)
            .map(|i| member(i, recency[i as usize], 1, 500.0))
            .collect(),
    );

    let s = scores(&p);

    assert_eq!(s.iter().map(|s| s.0).collect::<Vec<_>>(), [2, 2, 2, 1, 0]);
    assert!(
        s.iter().all(|s| s.2 == 2),
        "one spend for all: the middle score"
    );
}

#[test]
fn frequency_is_fixed_for_one_and_two_days_and_split_in_halves_among_repeaters() {
    let days = [1, 2, 3, 3, 5, 8];
    let p = population(
        (0..6)
            .map(|i| member(i, 5, days[i as usize], 100.0))
            .collect(),
    );

    let f: Vec<u8> = scores(&p).iter().map(|s| s.1).collect();

    assert_eq!(f, [0, 1, 2, 2, 3, 3]);
}

#[test]
fn a_store_of_mostly_one_time_buyers_keeps_every_monetary_score() {
    let p = population(
        (0..10)
            .map(|i| {
                let days = [1, 1, 1, 2, 1, 1, 4, 1, 1, 1][i as usize];
                member(i, 5 + i, days, 100.0 * f64::from(i + 1))
            })
            .collect(),
    );

    let s = scores(&p);

    assert_eq!(
        s.iter().map(|s| s.2).collect::<Vec<_>>(),
        [0, 0, 1, 1, 1, 2, 2, 3, 3, 3]
    );
    assert_eq!(s[3].1, 1);
    assert_eq!(
        s[6].1, 3,
        "the only repeater is alone in the middle: upper half"
    );
    assert!(
        s.iter()
            .enumerate()
            .all(|(i, s)| i == 3 || i == 6 || s.1 == 0)
    );
}

#[test]
fn all_one_time_buyers_spread_over_recency_and_spend_into_four_groups() {
    let b = book(&[
        ("a", day(0), 400.0),
        ("b", day(20), 200.0),
        ("c", day(40), 300.0),
        ("d", day(60), 100.0),
    ]);
    let table = ValidGroupTable::default();

    let l = layering(&b, day(61), 0, &table);

    let s: Vec<RfmScore> = l.members.iter().map(|m| m.now.score).collect();
    assert_eq!(
        s,
        [
            score(0, 0, 3),
            score(1, 0, 1),
            score(2, 0, 2),
            score(3, 0, 0)
        ]
    );
    assert_eq!(
        group_ids(&l, &table),
        [
            ("a", "hibernating".into()),
            ("b", "about_to_sleep".into()),
            ("c", "promising".into()),
            ("d", "new_customers".into())
        ]
    );
}

#[test]
fn a_store_of_one_member_scores_the_middle() {
    let table = ValidGroupTable::default();
    let regular = book(&[
        ("a", day(0), 10.0),
        ("a", day(5), 10.0),
        ("a", day(9), 10.0),
    ]);
    let once = book(&[("a", day(0), 10.0)]);

    let l = layering(&regular, day(10), 0, &table);
    let one = layering(&once, day(10), 0, &table);

    assert_eq!(l.members[0].now.score, score(2, 3, 2));
    assert_eq!(group_ids(&l, &table)[0].1, "loyal");
    assert_eq!(one.members[0].now.score, score(2, 0, 2));
    assert_eq!(group_ids(&one, &table)[0].1, "promising");
}

#[test]
fn default_table_places_hand_scored_triples() {
    let table = ValidGroupTable::default();
    let cases = [
        ((3, 3, 3), "champions"),
        ((3, 2, 2), "champions"),
        ((2, 2, 1), "loyal"),
        ((3, 2, 0), "potential_loyalists"),
        ((2, 1, 0), "potential_loyalists"),
        ((3, 0, 3), "new_customers"),
        ((2, 0, 1), "promising"),
        ((1, 2, 2), "need_attention"),
        ((0, 3, 3), "cannot_lose"),
        ((1, 3, 0), "at_risk"),
        ((0, 1, 0), "at_risk"),
        ((1, 0, 3), "about_to_sleep"),
        ((0, 0, 1), "hibernating"),
        ((0, 0, 0), "lost"),
    ];

    for ((r, f, m), id) in cases {
        assert_eq!(table.rule_of(score(r, f, m)).id, id, "r={r} f={f} m={m}");
    }
}

#[test]
fn every_default_group_is_the_group_of_some_scores() {
    let table = ValidGroupTable::default();
    let mut seen = std::collections::BTreeSet::new();
    for r in 0..=SCORE_MAX {
        for f in 0..=SCORE_MAX {
            for m in 0..=SCORE_MAX {
                seen.insert(table.group_of(score(r, f, m)));
            }
        }
    }

    assert_eq!(seen.len(), 11);
    assert_eq!(table.groups()[1].label, "忠誠會員");
    assert_eq!(table.index_of("at_risk"), Some(7));
}

#[test]
fn the_earlier_group_uses_the_earlier_days_own_distribution() {
    let b = book(&[
        ("a", day(0), 500.0),
        ("a", day(30), 500.0),
        ("a", day(60), 500.0),
        ("b", day(5), 100.0),
        ("c", day(50), 300.0),
        ("c", day(65), 300.0),
    ]);
    let table = ValidGroupTable::default();

    let l = layering(&b, day(70), 30, &table);
    let moves = MovementMatrix::of(&l, &table);

    let [a, bm, c] = [0, 1, 2].map(|m| *l.member(m).unwrap());
    assert_eq!(a.previous.unwrap().score, score(3, 1, 3));
    assert_eq!(bm.previous.unwrap().score, score(1, 0, 1));
    assert_eq!(c.previous, None);
    assert_eq!(
        (a.now.score, bm.now.score),
        (score(2, 3, 3), score(0, 0, 0))
    );
    assert_eq!(c.now.score, score(3, 1, 2));
    let g = |id: &str| table.index_of(id).unwrap();
    assert_eq!(moves.count(Some(g("potential_loyalists")), g("loyal")), 1);
    assert_eq!(moves.count(Some(g("about_to_sleep")), g("lost")), 1);
    assert_eq!(moves.count(None, g("potential_loyalists")), 1);
    assert_eq!(moves.stayed(), 0);
    assert_eq!(l.previous_scales.as_of, day(40));
}

#[test]
fn bins_publish_the_value_range_of_each_score() {
    let p = population(
        (1..=8)
            .map(|i| member(i - 1, i, 1, 100.0 * f64::from(i)))
            .collect(),
    );

    let bins = RfmScales::fit(&p).bins();

    let r: Vec<_> = bins
        .recency_days
        .iter()
        .map(|b| (b.score, b.min, b.max, b.members))
        .collect();
    assert_eq!(
        r,
        [
            (0, 7.0, 8.0, 2),
            (1, 5.0, 6.0, 2),
            (2, 3.0, 4.0, 2),
            (3, 1.0, 2.0, 2)
        ]
    );
    assert_eq!(bins.purchase_days.len(), 1);
    assert_eq!(
        (bins.net_spend[3].min, bins.net_spend[3].max),
        (700.0, 800.0)
    );
    assert_eq!((bins.population, bins.as_of), (8, day(400)));
}
