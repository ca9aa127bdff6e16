use std::path::PathBuf;

use super::*;
use crate::Error;
use crate::pipeline::{ChurnParams, PromoteMode};
use crate::recommend::RecommendParams;

fn raw(text: &str) -> RawConfig {
    toml::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn churn(text: &str) -> std::result::Result<ChurnValidParams, ParamsError> {
    raw(text).churn.into_params(7)
}

fn recommend(text: &str) -> std::result::Result<RecommendValidParams, ParamsError> {
    raw(text).recommend.into_params()
}

/// Asserts `result` failed with [`ParamsError::OutOfRange`] naming `table` and `key`.
fn assert_out_of_range<T: std::fmt::Debug>(
    result: std::result::Result<T, ParamsError>,
    table: &str,
    key: &str,
) {
    let err = result.unwrap_err();
    assert!(
        matches!(&err, ParamsError::OutOfRange { table: t, key: k, .. } if *t == table && *k == key),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with(&format!("[{table}] {key}: ")),
        "{err}"
    );
}

#[test]
fn an_empty_config_gives_the_shipped_hyperparameters() {
    let c = raw("");
    assert_eq!(c, RawConfig::default());
    let churn = c.churn.into_params(7).unwrap();
    assert_eq!(churn, ChurnParams::new().seed(7).check().unwrap());
    let r = churn.record();
    assert_eq!(
        (r.selection_tolerance, r.min_members, r.fit_members, r.trees),
        (0.002, 50, Some(100_000), true)
    );
    assert_eq!(
        (r.logistic.ridge, r.logistic.max_iter, r.logistic.tol),
        (500.0, 200, 1e-5)
    );
    let b = &r.boosted;
    assert_eq!(
        (b.iterations, b.learning_rate, b.max_depth, b.l2),
        (100, 0.1, 3, 1.0)
    );
    assert_eq!(
        (b.min_leaf_weight, b.max_bin, b.num_threads),
        (50.0, 256, 2)
    );
    assert_eq!(churn.boosted().check().unwrap().seed(), 7);
    assert_eq!(churn.logistic(1_000).check().unwrap().l2(), 0.5);

    let reco = c.recommend.into_params().unwrap();
    assert_eq!(reco, RecommendParams::default().check().unwrap());
    let r = reco.record();
    assert_eq!(
        (
            r.cutoff_step_days,
            r.max_cutoffs,
            r.min_history_days,
            r.weight_by_truth
        ),
        (14, 4, 14, false)
    );
    assert_eq!(
        (r.category_members_per_cutoff, r.category_negative_rate),
        (16_000, 0.2)
    );
    assert_eq!(
        (r.item_members_per_cutoff, r.item_negative_rate),
        (4_000, 0.3)
    );
    let b = &r.ranker;
    assert_eq!(
        (
            b.iterations,
            b.learning_rate,
            b.max_depth,
            b.min_leaf_weight,
            b.num_threads
        ),
        (100, 0.1, 5, 1.0, 1)
    );

    let policy = c.promotion.into_policy(None).unwrap();
    assert_eq!(policy, PromotionPolicy::default());
    assert_eq!(
        (policy.mode, policy.tolerance),
        (PromoteMode::IfBetter, 0.01)
    );
}

#[test]
fn the_churn_table_sets_its_keys_and_names_an_out_of_range_one() {
    let r = churn(
        "[churn]\nselection_tolerance = 0.01\nmin_members = 200\nfit_members = 5000\ntrees = false\n",
    )
    .unwrap()
    .record();
    assert_eq!(
        (r.selection_tolerance, r.min_members, r.fit_members, r.trees),
        (0.01, 200, Some(5000), false)
    );
    assert_eq!(r.logistic.ridge, 500.0, "other tables keep their defaults");
    assert_out_of_range(
        churn("[churn]\nselection_tolerance = -0.5\n"),
        "churn",
        "selection_tolerance",
    );
    assert_out_of_range(churn("[churn]\nmin_members = 3\n"), "churn", "min_members");
    assert_out_of_range(
        churn("[churn]\nfit_members = 999\n"),
        "churn",
        "fit_members",
    );
}

#[test]
fn the_churn_logistic_table_sets_its_keys_and_names_an_out_of_range_one() {
    let p = churn("[churn.logistic]\nridge = 50\nmax_iter = 20\ntol = 1e-3\n").unwrap();
    let r = p.record().logistic;
    assert_eq!((r.ridge, r.max_iter, r.tol), (50.0, 20, 1e-3));
    assert_eq!(p.logistic(100).check().unwrap().l2(), 0.5);
    assert_out_of_range(
        churn("[churn.logistic]\nridge = -1.0\n"),
        "churn.logistic",
        "ridge",
    );
    assert_out_of_range(
        churn("[churn.logistic]\nmax_iter = 0\n"),
        "churn.logistic",
        "max_iter",
    );
    assert_out_of_range(
        churn("[churn.logistic]\ntol = 0.0\n"),
        "churn.logistic",
        "tol",
    );
}

#[test]
fn the_churn_boosted_table_keeps_the_churn_trees_defaults_and_names_an_out_of_range_key() {
    let r = churn("[churn.boosted]\nmax_depth = 6\niterations = 20\n")
        .unwrap()
        .record()
        .boosted;
    assert_eq!((r.max_depth, r.iterations), (6, 20));
    assert_eq!(
        (r.min_leaf_weight, r.num_threads),
        (50.0, 2),
        "keys left out keep the churn trees' defaults, not BoostedParams'"
    );
    let err = churn("[churn.boosted]\nlearning_rate = 0.0\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "[churn.boosted] learning_rate: learning_rate must lie in (0, 1], got 0"
    );
    assert_out_of_range(churn("[churn.boosted]\nl2 = -1.0\n"), "churn.boosted", "l2");
    assert_out_of_range(
        churn("[churn.boosted]\nmax_bin = 1\n"),
        "churn.boosted",
        "max_bin",
    );
    let seed = toml::from_str::<RawConfig>("[churn.boosted]\nseed = 3\n").unwrap_err();
    assert!(seed.to_string().contains("unknown field `seed`"), "{seed}");
}

#[test]
fn the_recommend_table_sets_its_keys_and_names_an_out_of_range_one() {
    let r = recommend(
        "[recommend]\ncutoff_step_days = 7\nmax_cutoffs = 8\nweight_by_truth = true\nitem_negative_rate = 0.5\ncategory_members_per_cutoff = 100\n",
    )
    .unwrap()
    .record();
    assert_eq!(
        (r.cutoff_step_days, r.max_cutoffs, r.weight_by_truth),
        (7, 8, true)
    );
    assert_eq!(
        (r.item_negative_rate, r.item_members_per_cutoff),
        (0.5, 4_000)
    );
    assert_eq!(
        (r.category_members_per_cutoff, r.category_negative_rate),
        (100, 0.2)
    );
    assert_out_of_range(
        recommend("[recommend]\nitem_negative_rate = 1.5\n"),
        "recommend",
        "item_negative_rate",
    );
    assert_out_of_range(
        recommend("[recommend]\ncutoff_step_days = 0\n"),
        "recommend",
        "cutoff_step_days",
    );
    assert_out_of_range(
        recommend("[recommend]\ncategory_members_per_cutoff = 0\n"),
        "recommend",
        "category_members_per_cutoff",
    );
    assert_out_of_range(
        recommend("[recommend]\nmax_cutoffs = 25\n"),
        "recommend",
        "max_cutoffs",
    );
}

#[test]
fn the_recommend_ranker_table_keeps_the_rankers_defaults_and_names_an_out_of_range_key() {
    let r = recommend("[recommend.ranker]\nmax_depth = 3\n")
        .unwrap()
        .record()
        .ranker;
    assert_eq!(
        (r.max_depth, r.iterations, r.min_leaf_weight, r.num_threads),
        (3, 100, 1.0, 1)
    );
    assert_out_of_range(
        recommend("[recommend.ranker]\niterations = 0\n"),
        "recommend.ranker",
        "iterations",
    );
}

#[test]
fn the_scale_table_sets_buckets_and_chunk_members_and_names_an_out_of_range_one() {
    assert_eq!(
        raw("").scale.check().unwrap(),
        (0, crate::pipeline::DEFAULT_CHUNK_MEMBERS)
    );
    assert_eq!(
        raw("[scale]\nbuckets = 64\nchunk_members = 100\n")
            .scale
            .check()
            .unwrap(),
        (64, 100)
    );
    assert_out_of_range(
        raw("[scale]\nbuckets = 5000\n").scale.check(),
        "scale",
        "buckets",
    );
    assert_out_of_range(
        raw("[scale]\nchunk_members = 0\n").scale.check(),
        "scale",
        "chunk_members",
    );
    assert!(toml::from_str::<RawConfig>("[scale]\nshards = 2\n").is_err());
}

#[test]
fn the_promotion_table_sets_mode_and_tolerance_and_the_flag_wins() {
    let p = raw("[promotion]\nmode = \"never\"\ntolerance = 0.05\n").promotion;
    let policy = p.clone().into_policy(None).unwrap();
    assert_eq!((policy.mode, policy.tolerance), (PromoteMode::Never, 0.05));
    assert_eq!(
        p.into_policy(Some(PromoteMode::Always)).unwrap().mode,
        PromoteMode::Always
    );
    assert_out_of_range(
        raw("[promotion]\ntolerance = 2.0\n")
            .promotion
            .into_policy(None),
        "promotion",
        "tolerance",
    );
    assert!(toml::from_str::<RawConfig>("[promotion]\nmode = \"sometimes\"\n").is_err());
}

#[test]
fn a_cards_params_read_back_as_a_config_give_the_same_hyperparameters() {
    let churn = churn("[churn.boosted]\nmax_depth = 5\n[churn]\ntrees = false\n").unwrap();
    let reco = recommend("[recommend]\nitem_negative_rate = 0.4\n").unwrap();
    let record = features::contract::ParamsRecord {
        churn: churn.record(),
        recommend: reco.record(),
    };
    let text = toml::to_string(&record).unwrap();
    let back = raw(&text);
    assert_eq!(back.churn.into_params(7).unwrap(), churn, "{text}");
    assert_eq!(back.recommend.into_params().unwrap(), reco, "{text}");
}

#[test]
fn an_out_of_range_value_in_the_config_file_stops_the_run_naming_table_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let orders = dir.path().join("orders.csv");
    std::fs::write(&orders, "member_id,ts,item_id,quantity,amount\n").unwrap();
    let config = dir.path().join("train.toml");
    std::fs::write(&config, "seed = 3\n[churn.boosted]\nmax_depth = 0\n").unwrap();
    let args = Args {
        transactions: orders,
        members: None,
        as_of: None,
        horizon_days: None,
        models: PathBuf::from("models"),
        out: dir.path().join("out"),
        config: Some(config.clone()),
        mapping: None,
        skip_bad_rows: false,
        seed: None,
        exclude_recent_days: None,
        max_per_category: None,
    };
    let err = TrainConfig::from_args(args.clone()).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::InvalidParams(ParamsError::OutOfRange {
                table: "churn.boosted",
                key: "max_depth",
                ..
            })
        ),
        "{err:?}"
    );
    std::fs::write(&config, "seed = 3\n[churn.boosted]\nmax_depth = 6\n").unwrap();
    let c = TrainConfig::from_args(args).unwrap();
    assert_eq!(c.churn.record().boosted.max_depth, 6);
    assert_eq!(
        c.churn.boosted().check().unwrap().seed(),
        3,
        "the run's seed"
    );
}

#[test]
fn compare_needs_neither_transactions_nor_out_and_excludes_them() {
    let c = Command::try_parse_from(["tiefen-train", "--compare", "models/a", "models/b"]).unwrap();
    assert!(
        matches!(&c, Command::Compare { old, new } if old == &PathBuf::from("models/a") && new == &PathBuf::from("models/b")),
        "{c:?}"
    );
    assert!(Command::try_parse_from(["tiefen-train"]).is_err());
    assert!(
        Command::try_parse_from(["tiefen-train", "--compare", "a", "b", "--transactions", "x"])
            .is_err()
    );
    assert!(Command::try_parse_from(["tiefen-train", "--compare", "a"]).is_err());
    let train = Command::try_parse_from([
        "tiefen-train",
        "--transactions",
        "o.csv",
        "--out",
        "out",
        "--promote",
        "never",
    ])
    .unwrap();
    assert!(
        matches!(&train, Command::Train(cli) if cli.promote == Some(PromoteMode::Never) && cli.compare.is_none()),
        "{train:?}"
    );
}

#[test]
fn the_segments_table_reads_tiers_lifecycle_and_groups_and_names_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("tiers.toml"),
        "[[levels]]\nid = \"regular\"\nlabel = \"普卡\"\n\n[[levels]]\nid = \"gold\"\nlabel = \"金卡\"\nspend = 5000\n",
    )
    .unwrap();
    let table = raw("[segments]\ntiers = \"tiers.toml\"\n[segments.lifecycle]\nlost_days = 120\n");
    let s = table.segments.into_settings(dir.path()).unwrap();
    assert_eq!(s.tiers.as_ref().unwrap().levels()[1].id, "gold");
    assert_eq!(s.lifecycle.as_params().lost_days, Some(120));
    assert_eq!(s.groups.groups().len(), 11);
    let message = |e: Error| match e {
        Error::InvalidParams(p) => p.to_string(),
        e => panic!("{e}"),
    };
    let missing = message(
        raw("[segments]\ntiers = \"absent.toml\"\n")
            .segments
            .into_settings(dir.path())
            .unwrap_err(),
    );
    assert!(
        missing.contains("[segments] tiers: ") && missing.contains("absent.toml"),
        "{missing}"
    );
    let groups = message(
        raw("[[segments.groups]]\nid = \"everyone\"\nlabel = \"全部\"\nr = [0, 2]\n")
            .segments
            .into_settings(dir.path())
            .unwrap_err(),
    );
    assert!(groups.starts_with("[segments] groups: "), "{groups}");
}
