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
        tracing::info!(seconds = secs, "{name} done");
        self.0.push((name.to_string(), secs));
        out
    }

    /// Total seconds over all stages.
    pub fn total(&self) -> f64 {
        self.0.iter().map(|(_, s)| s).sum()
    }
}
