//! The one line `tiefen-train` ends with: what the run read and wrote, the model's headline
//! metrics next to the best baseline's, and which parts fell back.

use std::fmt::Write as _;
use std::path::Path;

use super::RunSummary;

impl RunSummary {
    /// The run in one line: as-of, rows, population, cutoffs, time and output folder; when the
    /// run evaluates, churn AUC / Brier against the best baseline (highest AUC) and Recall@10
    /// per kind against the best baseline (highest Recall@10), marked `(fallback rule)` for a
    /// kind without a ranker; then the parts that fell back with their rule (`fallbacks: none`
    /// when every part was fitted); last, the version and whether it was promoted to `current`
    /// (and if not, why).
    pub fn summary_line(&self, out_dir: &Path) -> String {
        let mut line = format!(
            "as of {}, {} rows ({} rejected), {} members in the population, {} training cutoff(s), {:.2} s; outputs in {}",
            self.as_of,
            self.rows_read,
            self.rows_rejected,
            self.population,
            self.cutoffs.cutoffs.len(),
            self.stages.total(),
            out_dir.display()
        );
        if let Some(e) = &self.evaluation {
            let _ = write!(
                line,
                "; churn AUC {:.3} / Brier {:.3}",
                e.churn.auc, e.churn.brier
            );
            let best = e
                .churn_baselines
                .iter()
                .max_by(|a, b| a.1.auc.total_cmp(&b.1.auc));
            if let Some((name, b)) = best {
                let _ = write!(
                    line,
                    " (best baseline {name}: AUC {:.3} / Brier {:.3})",
                    b.auc, b.brier
                );
            }
        }
        if let Some(r) = &self.recommendations {
            for (task, report) in &r.models {
                let _ = write!(line, "; {task} Recall@10 {:.3}", report.recall_at_10);
                if self.fallbacks.iter().any(|f| f.part == *task) {
                    line.push_str(" (fallback rule)");
                }
                let best = r.baselines.get(&format!("{task}_baselines")).and_then(|b| {
                    b.iter()
                        .max_by(|a, b| a.1.recall_at_10.total_cmp(&b.1.recall_at_10))
                });
                if let Some((name, b)) = best {
                    let _ = write!(line, " (best baseline {name}: {:.3})", b.recall_at_10);
                }
            }
        }
        if self.fallbacks.is_empty() {
            line.push_str("; fallbacks: none");
        } else {
            let parts: Vec<String> = self
                .fallbacks
                .iter()
                .map(|f| format!("{} ({})", f.part, f.rule))
                .collect();
            let _ = write!(line, "; fell back: {}", parts.join(", "));
        }
        let p = &self.promotion;
        if p.promoted {
            let _ = write!(line, "; version {} promoted to current", self.model_version);
        } else {
            let _ = write!(
                line,
                "; version {} written but not promoted ({}): {}",
                self.model_version, p.mode, p.reason
            );
        }
        line
    }
}
