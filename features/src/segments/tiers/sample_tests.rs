use super::*;
use crate::io::{ColumnMapping, ReadOptions, read_members, read_orders};
use crate::time::parse_date;
use crate::{Day, OrderBook};

fn data(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../notebooks-data")
        .join(name)
}

fn sample() -> OrderBook {
    let mapping = ColumnMapping::from_toml_file(data("mappings/canonical.toml")).unwrap();
    let opts = ReadOptions::new(mapping);
    let mut report = read_orders(data("sample/orders.csv"), &opts).unwrap();
    read_members(data("sample/members.csv"), &opts, &mut report.builder).unwrap();
    report.into_book()
}

#[test]
fn the_sample_tier_config_reproduces_every_tier_it_can_see() {
    let text = std::fs::read_to_string(data("sample/tiers.toml")).unwrap();
    let program = toml::from_str::<TierProgram>(&text)
        .unwrap()
        .check()
        .unwrap();
    let book = sample();
    let (_, last) = book.day_range().unwrap();
    let as_of = last.plus(1);
    let export_start = Day::from_date(parse_date("2023-01-01").unwrap());

    let computed = tiers(&book, &program, as_of);
    let all = tier_agreement(&book, &program, &computed);
    let seen: Vec<bool> = (0..book.members().len() as u32)
        .map(|m| {
            book.attributes(m)
                .and_then(|a| a.joined)
                .is_some_and(|j| j >= export_start)
        })
        .collect();
    let (full, full_agree) =
        computed
            .iter()
            .enumerate()
            .filter(|(m, _)| seen[*m])
            .fold((0, 0), |(n, ok), (m, s)| {
                let table = book.attributes(m as u32).and_then(|a| a.tier.as_deref());
                let same = table.and_then(|t| program.level_by_name(t)) == Some(s.level);
                (n + 1, ok + u32::from(same))
            });
    eprintln!(
        "sample tiers as of {as_of}: {}/{} agree; joined on or after {export_start}: {full_agree}/{full}; \
         disagreements: {:?}",
        all.agree, all.compared, all.disagreements
    );

    assert_eq!((all.compared, all.missing, all.unknown), (3000, 0, 0));
    assert_eq!(all.agree, 2567);
    assert_eq!((full, full_agree), (1808, 1808));
    assert!(
        all.disagreements
            .iter()
            .all(|d| program.level_by_name(&d.table) > program.level_by_name(&d.computed))
    );
}
