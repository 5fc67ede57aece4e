//! "Checks done / total" for the long engine phases (memcheck, callgrind), drawn on standard
//! error only when it is a terminal: logs and CI output keep their one line per phase.

use std::io::IsTerminal;
use std::time::Duration;

/// A progress bar for one engine over a suite's checks; does nothing when not on a terminal.
#[derive(Debug)]
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    /// A bar labelled `label` (for example `ct_primitives: taint`) over `total` checks, or a
    /// hidden one when standard error is not a terminal.
    pub fn new(label: &str, total: usize) -> Self {
        if !std::io::stderr().is_terminal() {
            return Self::hidden();
        }
        let bar = indicatif::ProgressBar::new(total as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "ct-verify: {prefix}: {spinner} {pos}/{len} checks [{bar:30}] {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_prefix(label.to_string());
        bar.enable_steady_tick(Duration::from_millis(200));
        Self { bar: Some(bar) }
    }

    /// A bar that draws nothing.
    pub fn hidden() -> Self {
        Self { bar: None }
    }

    /// Sets the number of checks done.
    pub fn set(&self, done: usize) {
        if let Some(bar) = &self.bar {
            bar.set_position(done as u64);
        }
    }

    /// Removes the bar (the phase is over; the report follows).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
