//! `tiefen-train --compare OLD NEW`: two versions' cards side by side: what they were trained
//! on, their backtest metrics at as-of with the change, and the hyperparameters that differ.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use features::contract::Card;

/// The two cards as a table: one row per field, `OLD`, `NEW` and (for metrics) `NEW - OLD`.
/// A metric one card lacks shows as `-`. The last line says whether the gate would compare
/// the two (same as-of date and horizon, a backtest in both).
pub fn compare_cards(old: &Card, new: &Card) -> String {
    let mut rows: Vec<[String; 4]> = vec![
        row("version", &old.version, &new.version),
        row("as_of", &old.as_of.to_string(), &new.as_of.to_string()),
        row(
            "horizon_days",
            &old.horizon_days.to_string(),
            &new.horizon_days.to_string(),
        ),
        row(
            "data.sha256",
            &short(&old.data.sha256),
            &short(&new.data.sha256),
        ),
        row(
            "churn.model_kind",
            &old.churn.model_kind,
            &new.churn.model_kind,
        ),
        row(
            "training_rows",
            &old.training_rows.to_string(),
            &new.training_rows.to_string(),
        ),
    ];
    let (a, b) = (metrics(old), metrics(new));
    let names: Vec<&String> = a
        .keys()
        .chain(b.keys().filter(|k| !a.contains_key(*k)))
        .collect();
    for name in names {
        let (x, y) = (a.get(name).copied(), b.get(name).copied());
        let show = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.4}"));
        let change = match (x, y) {
            (Some(x), Some(y)) => format!("{:+.4}", y - x),
            _ => String::new(),
        };
        rows.push([name.clone(), show(x), show(y), change]);
    }
    let (pa, pb) = (params(old), params(new));
    for key in pa.keys().chain(pb.keys().filter(|k| !pa.contains_key(*k))) {
        let (x, y) = (pa.get(key), pb.get(key));
        if x != y {
            let show = |v: Option<&String>| v.cloned().unwrap_or_else(|| "-".to_string());
            rows.push([format!("params.{key}"), show(x), show(y), String::new()]);
        }
    }
    let mut out = String::new();
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let (w0, w1, w2) = (width(0).max(6), width(1).max(3), width(2).max(3));
    let _ = writeln!(out, "{:w0$}  {:w1$}  {:w2$}  NEW - OLD", "", "OLD", "NEW");
    for r in &rows {
        let line = format!("{:w0$}  {:w1$}  {:w2$}  {}", r[0], r[1], r[2], r[3]);
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let verdict = match super::gate::compare(old, new, 0.0) {
        Ok(_) => format!(
            "the promotion gate compares these two: both hold a backtest at {} ({} days)",
            new.as_of, new.horizon_days
        ),
        Err(why) if super::gate::same_backtest_date(old, new) => {
            format!("the promotion gate would not compare these two cards: {why}")
        }
        Err(why) => format!(
            "these cards' backtests are not comparable ({why}); when a run replaces a serving \
             version trained for another as-of date, the gate scores both at the latest \
             validation cutoff new to both (run.json: promotion.cutoff, promotion.basis)"
        ),
    };
    let _ = writeln!(out, "{verdict}");
    out
}

fn row(name: &str, old: &str, new: &str) -> [String; 4] {
    [
        name.to_string(),
        old.to_string(),
        new.to_string(),
        String::new(),
    ]
}

fn short(sha: &str) -> String {
    sha.chars().take(12).collect()
}

/// Every backtest metric of a card by name (`churn.auc`, `baseline.recency.auc`,
/// `next_item.recall_at_10`, ...).
fn metrics(card: &Card) -> BTreeMap<String, f64> {
    let mut m = BTreeMap::new();
    if let Some(e) = &card.churn.evaluation {
        let c = &e.churn;
        for (k, v) in [
            ("auc", c.auc),
            ("average_precision", c.average_precision),
            ("brier", c.brier),
            ("log_loss", c.log_loss),
            ("lift_top_decile", c.lift_top_decile),
        ] {
            m.insert(format!("churn.{k}"), v);
        }
        for (name, b) in &e.churn_baselines {
            m.insert(format!("churn_baseline.{name}.auc"), b.auc);
            m.insert(format!("churn_baseline.{name}.brier"), b.brier);
        }
    }
    if let Some(r) = &card.recommendations.metrics {
        for (task, x) in &r.models {
            for (k, v) in [
                ("recall_at_10", x.recall_at_10),
                ("ndcg_at_10", x.ndcg_at_10),
                ("hit_rate_at_10", x.hit_rate_at_10),
                ("recall_at_20", x.recall_at_20),
            ] {
                m.insert(format!("{task}.{k}"), v);
            }
        }
    }
    m
}

/// A card's hyperparameters flattened to `churn.boosted.max_depth = 3` pairs (empty when the
/// card has none).
fn params(card: &Card) -> BTreeMap<String, String> {
    fn flatten(prefix: &str, v: &serde_json::Value, out: &mut BTreeMap<String, String>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    flatten(&key, v, out);
                }
            }
            other => {
                out.insert(prefix.to_string(), other.to_string());
            }
        }
    }
    let mut out = BTreeMap::new();
    if let Some(p) = &card.params {
        flatten("", &serde_json::to_value(p).unwrap_or_default(), &mut out);
    }
    out
}
