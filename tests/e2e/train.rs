use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use training::onnx::LoadedModel;
use training::pipeline::{N_COLS, RunSummary, design_with_effects, run};
use training::{Args, TrainConfig};

pub(crate) fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../notebooks-data")
        .join(name)
}

/// The sample's configuration (members table, canonical mapping) writing into `dir/models` and
/// `dir/out`.
pub(crate) fn config(transactions: &Path, dir: &Path, as_of: &str) -> TrainConfig {
    TrainConfig::from_args(Args {
        transactions: transactions.to_path_buf(),
        members: Some(sample("sample/members.csv")),
        as_of: Some(NaiveDate::parse_from_str(as_of, "%Y-%m-%d").unwrap()),
        horizon_days: None,
        models: dir.join("models"),
        out: dir.join("out"),
        config: None,
        mapping: Some(sample("mappings/canonical.toml").display().to_string()),
        skip_bad_rows: false,
        seed: None,
        exclude_recent_days: None,
        max_per_category: None,
    })
    .unwrap()
}

fn train(transactions: &Path, dir: &Path, as_of: &str) -> (TrainConfig, RunSummary) {
    let c = config(transactions, dir, as_of);
    let s = run(&c).unwrap();
    (c, s)
}

fn read(p: impl AsRef<Path>) -> Vec<u8> {
    std::fs::read(p.as_ref()).unwrap_or_else(|e| panic!("{}: {e}", p.as_ref().display()))
}

#[test]
fn training_on_the_bundled_sample_publishes_a_checked_model_that_beats_the_baselines() {
    let dir = tempfile::tempdir().unwrap();
    let (c, s) = train(&sample("sample/orders.csv"), dir.path(), "2024-12-04");
    assert_eq!(
        (s.rows_read, s.rows_rejected, s.return_lines),
        (54_728, 0, 532)
    );
    assert_eq!(s.population, 2_134);
    assert_eq!(s.cutoffs.cutoffs.len(), 6);
    assert_eq!(s.cutoffs.fallback, None);

    let current = c.models_dir.join("current");
    assert_eq!(
        std::fs::read_link(&current).unwrap(),
        PathBuf::from(&s.model_version)
    );
    let card: serde_json::Value = serde_json::from_slice(&read(current.join("card.json"))).unwrap();
    assert_eq!(card["version"], s.model_version.as_str());
    assert_eq!(card["as_of"], "2024-12-04");
    assert_eq!(card["feature_spec"]["hash"], features::spec::schema_hash());
    assert_eq!(card["churn"]["inputs"].as_array().unwrap().len(), N_COLS);
    assert_eq!(card["data"]["rows_read"], 54_728);

    let e = s
        .evaluation
        .as_ref()
        .expect("the sample reaches past as-of, so the run evaluates");
    assert_eq!(e.churn.population, 2_134);
    for (name, b) in &e.churn_baselines {
        assert!(
            e.churn.auc > b.auc,
            "model AUC {} <= {name} {}",
            e.churn.auc,
            b.auc
        );
        assert!(
            e.churn.average_precision > b.average_precision,
            "model AP <= {name}"
        );
    }
    assert!(e.churn.brier < 0.12, "Brier {}", e.churn.brier);

    let scores = String::from_utf8(read(c.out_dir.join("scores.csv"))).unwrap();
    let mut lines = scores.lines();
    assert_eq!(
        lines.next(),
        Some(
            "member_id,churn_probability,risk_band,expected_purchases,days_since_last_purchase,reasons"
        )
    );
    assert_eq!(lines.count(), 2_134);

    let r = s
        .recommendations
        .as_ref()
        .expect("recommendations are evaluated");
    for task in ["next_category", "next_item"] {
        let model = &r.models[task];
        assert_eq!(model.evaluated_members, 962, "{task}");
        for (name, b) in &r.baselines[&format!("{task}_baselines")] {
            assert!(
                model.recall_at_10 > b.recall_at_10 && model.ndcg_at_10 > b.ndcg_at_10,
                "{task}: model {model:?} not ahead of {name} {b:?}"
            );
        }
    }
    let recs = String::from_utf8(read(c.out_dir.join("recommendations.csv"))).unwrap();
    let mut lines = recs.lines();
    assert_eq!(lines.next(), Some("member_id,kind,rank,id,score"));
    assert_eq!(
        lines.count(),
        2_134 * 40,
        "top 20 categories and items per member"
    );
    for f in [
        "next_category.onnx",
        "next_item.onnx",
        "next_category.tables.json",
        "next_item.tables.json",
        "recommend.json",
    ] {
        assert!(current.join(f).is_file(), "{f} published");
    }
}

#[test]
fn the_exported_model_reloaded_by_tract_and_the_evaluator_serving_builds_give_the_written_scores() {
    let dir = tempfile::tempdir().unwrap();
    let (c, s) = train(&sample("sample/orders.csv"), dir.path(), "2024-12-04");
    let loaded = LoadedModel::load(c.models_dir.join("current/churn.onnx"), N_COLS).unwrap();
    let book = training::pipeline::load(&c).unwrap().book;
    let artifact: features::churn::ChurnArtifact =
        serde_json::from_slice(&std::fs::read(c.models_dir.join("current/churn.json")).unwrap())
            .unwrap();
    let effects = &artifact.context.attribute_effects;
    assert!(
        !effects.region.is_empty() && !effects.age_group.is_empty(),
        "the sample's regions and age groups get effects: {effects:?}"
    );
    let design = design_with_effects(&book, s.as_of, 28, effects);
    let got = loaded.predict(&design.x, design.snapshot.len()).unwrap();
    let mut reader = csv::Reader::from_path(c.out_dir.join("scores.csv")).unwrap();
    let written: Vec<(String, f32)> = reader
        .records()
        .map(|r| r.unwrap())
        .map(|r| (r[0].to_string(), r[1].parse().unwrap()))
        .collect();
    // The evaluator serving builds from churn.json gives the written scores to the bit.
    let native = features::churn::ChurnEvaluator::new(&artifact.model, N_COLS)
        .unwrap()
        .predict(&design.x);
    assert_eq!(written.len(), got.len());
    for (i, ((id, p), q)) in written.iter().zip(&got).enumerate() {
        assert_eq!(id, book.members().name(design.snapshot.members[i]));
        assert!((p - q).abs() <= 1e-5, "{id}: scores.csv {p}, tract {q}");
        assert_eq!(*p, native[i], "{id}: scores.csv and the served evaluator");
    }
}

#[test]
fn lines_at_or_after_as_of_change_only_the_evaluation_and_reruns_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let full = sample("sample/orders.csv");
    let text = String::from_utf8(read(&full)).unwrap();
    let mut cut = String::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 || line.split(',').nth(1).unwrap() < "2024-12-04" {
            cut.push_str(line);
            cut.push('\n');
        }
    }
    let truncated = dir.path().join("before-as-of.csv");
    std::fs::write(&truncated, cut).unwrap();

    let (a, sa) = train(&full, &dir.path().join("a"), "2024-12-04");
    let (b, sb) = train(&truncated, &dir.path().join("b"), "2024-12-04");
    let (again, _) = train(&full, &dir.path().join("again"), "2024-12-04");
    assert_eq!(sa.model_version, sb.model_version);
    for model in [
        "churn.onnx",
        "next_category.onnx",
        "next_item.onnx",
        "next_category.tables.json",
        "next_item.tables.json",
    ] {
        let bytes = |c: &TrainConfig| read(c.models_dir.join("current").join(model));
        assert_eq!(bytes(&a), bytes(&b), "future lines changed {model}");
        assert_eq!(
            bytes(&a),
            bytes(&again),
            "the same input gave different {model}"
        );
    }
    for f in ["scores.csv", "features.csv", "recommendations.csv"] {
        assert_eq!(
            read(a.out_dir.join(f)),
            read(b.out_dir.join(f)),
            "future lines changed {f}"
        );
        assert_eq!(
            read(a.out_dir.join(f)),
            read(again.out_dir.join(f)),
            "a rerun changed {f}"
        );
    }
    assert!(sa.evaluation.is_some() && sb.evaluation.is_none());
}

#[test]
fn storefront_options_shape_recommendations_csv_but_not_the_evaluation() {
    let dir = tempfile::tempdir().unwrap();
    let orders = sample("sample/orders.csv");
    let (plain, _) = train(&orders, &dir.path().join("plain"), "2024-12-04");
    let mut c = config(&orders, &dir.path().join("shop"), "2024-12-04");
    c.storefront.exclude_recent_days = Some(14);
    c.storefront.max_per_category = Some(2);
    let s = run(&c).unwrap();
    assert_eq!(s.storefront, c.storefront);
    assert_eq!(
        read(plain.out_dir.join("evaluation.json")),
        read(c.out_dir.join("evaluation.json")),
        "the evaluation measures the plain lists"
    );
    let text = String::from_utf8(read(&orders)).unwrap();
    let category_of: std::collections::HashMap<&str, &str> = text
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[2], f[3])
        })
        .collect();
    // member -> item ids of the item list, in rank order.
    let items = |dir: &Path| {
        let mut lists: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        let csv = String::from_utf8(read(dir.join("recommendations.csv"))).unwrap();
        for l in csv.lines().skip(1) {
            let f: Vec<&str> = l.split(',').collect();
            if f[1] == "item" {
                lists.entry(f[0].into()).or_default().push(f[3].into());
            }
        }
        lists
    };
    let (before, after) = (items(&plain.out_dir), items(&c.out_dir));
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    let most_per_category = |list: &[String]| {
        let mut n: std::collections::HashMap<&str, usize> = Default::default();
        list.iter()
            .map(|i| {
                let c = n.entry(category_of[i.as_str()]).or_default();
                *c += 1;
                *c
            })
            .max()
            .unwrap_or(0)
    };
    assert!(
        before.values().any(|l| most_per_category(l) > 2),
        "the plain lists never repeat a category 3 times: the cap is not tested"
    );
    let mut changed = 0;
    for (member, list) in &after {
        assert!(
            most_per_category(list) <= 2,
            "{member}: more than 2 items of one category"
        );
        changed += usize::from(*list != before[member]);
        if before[member].len() == 20 {
            assert_eq!(list.len(), 20, "{member}: the list is refilled to 20");
        }
    }
    assert!(changed > 0, "the options changed no list");
}

#[test]
fn a_failed_run_leaves_the_current_model_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let (c, s) = train(&sample("sample/orders.csv"), dir.path(), "2024-12-04");
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "member_id,ts,item_id,category,quantity,amount\nm1,2024-13-01,x,y,1,2\n",
    )
    .unwrap();
    let failed = run(&config(&bad, dir.path(), "2024-12-04"));
    assert!(
        matches!(
            failed,
            Err(training::Error::Data(features::Error::BadRows(_)))
        ),
        "{failed:?}"
    );
    assert_eq!(
        std::fs::read_link(c.models_dir.join("current")).unwrap(),
        PathBuf::from(&s.model_version)
    );
    assert!(c.models_dir.join("current/churn.onnx").is_file());
}
