//! The runs of a comparison that have no row (yet): Slurm tasks waiting, running, failed or
//! cancelled, each with its job id and log, as the "Tasks not finished" section of `compare.md`.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// One (seed, strategy) run without a finished report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnfinishedTask {
    pub label: String,
    pub seed: u64,
    /// `pending`, `running`, `cancelled`, `failed`, `timeout`, … (Slurm's job state in lower case),
    /// `ended` (known from the task's exit file only), `not submitted`, or `gone` (Slurm no longer
    /// knows the job and the run did not finish).
    pub state: String,
    /// Slurm's job id of the task, `<array job>_<task>` (none before the first submission).
    pub job: Option<String>,
    /// Slurm's `ExitCode` (`code:signal`), when the task ended.
    pub exit_code: Option<String>,
    /// Slurm's reason (why pending, or why it ended), when it gave one.
    pub reason: Option<String>,
    /// The task's standard output and error.
    pub log: Option<PathBuf>,
    pub run_dir: PathBuf,
}

impl UnfinishedTask {
    /// Still waiting for Slurm or running: the comparison waits for it.
    pub fn active(&self) -> bool {
        matches!(self.state.as_str(), "pending" | "running")
    }
}

/// The "Tasks not finished" section of `compare.md` (nothing when every run finished).
pub fn unfinished_markdown(s: &mut String, tasks: &[UnfinishedTask]) {
    if tasks.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n## Tasks not finished\n");
    let _ = writeln!(
        s,
        "Runs without a finished report, so without a row above. Running the same `compare` command again resubmits the ended ones (`mkd-tui compare --collect DIR` only waits and assembles).\n"
    );
    let _ = writeln!(
        s,
        "| strategy | seed | state | Slurm job | exit code | reason | log | run directory |"
    );
    let _ = writeln!(s, "|---|--:|---|---|---|---|---|---|");
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "—".to_string());
    for t in tasks {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            t.label,
            t.seed,
            t.state,
            or_dash(t.job.clone()),
            or_dash(t.exit_code.clone()),
            or_dash(t.reason.clone()),
            or_dash(t.log.as_ref().map(|p| p.display().to_string())),
            t.run_dir.display()
        );
    }
}
