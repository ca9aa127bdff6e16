//! Wall-clock timing of the run's stages, logged as they finish.

use std::time::Instant;

/// Seconds spent per stage, in the order they ran.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Stages(pub Vec<(String, f64)>);

impl Stages {
    /// Runs `f` as stage `name` inside a tracing span, logs and records its duration.
    pub fn time<T>(&mut self, name: &str, f: impl FnOnce() -> T) -> T {
        let span = tracing::info_span!("stage", name);
        let _guard = span.enter();
        let start = Instant::now();
        // A spinner on a terminal (indicatif draws nothing when stderr is not one).
        let spinner = indicatif::ProgressBar::new_spinner().with_message(name.to_string());
        spinner.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .expect("a valid template"),
        );
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
        let out = f();
        spinner.finish_and_clear();
        let secs = start.elapsed().as_secs_f64();
        let (rss_mb, peak_rss_mb) = memory_mb();
        tracing::info!(seconds = secs, rss_mb, peak_rss_mb, "{name} done");
        self.0.push((name.to_string(), secs));
        out
    }

    /// Total seconds over all stages.
    pub fn total(&self) -> f64 {
        self.0.iter().map(|(_, s)| s).sum()
    }
}

/// The process's resident memory now and at its peak so far, in MB (`VmRSS` and `VmHWM` of
/// `/proc/self/status`); zeros where that file does not exist (outside Linux).
fn memory_mb() -> (u64, u64) {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return (0, 0);
    };
    let field = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
