//! The resume checkpoints' state, where they live, and the newest intact one: what a stage
//! writes after every epoch end and a resumed run continues from.
//!
//! After every epoch end (stop decisions applied) each arm's weights and optimizer state, the
//! arms' curves and best epochs, the live stop rule, the distillation switch and how many lines
//! `events.jsonl`/`metrics.csv` held are written as one [`Generations`] entry under
//! `checkpoints/resume/`. Nothing else needs saving for an exact resume: initial weights and every
//! epoch's data order are pure functions of the seed (`seed::derive`), and the finished stages'
//! best checkpoints teach the later ones.

use std::path::PathBuf;
use std::time::Instant;

use crate::error::Context as _;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::protocol::{ArmKind, EpochRecord};
use crate::run_dir::generations::{Generation, Generations};
use crate::run_dir::RunDir;
use crate::stop::StopRule;

/// Set to `1` to write no per-epoch checkpoints (to measure what they cost; such a run cannot be
/// resumed).
pub const DISABLE_ENV: &str = "MKD_TUI_NO_CHECKPOINTS";

/// What one checkpoint says about its stage (the manifest's `state`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StageState {
    pub stage: usize,
    pub model: String,
    /// Epochs completed (1-based number of the last one).
    pub epoch: usize,
    /// The stage ended at this epoch (`finish` after a stop, or `max_epochs`).
    pub stage_over: bool,
    /// Lines of `events.jsonl` and `metrics.csv` (header included) when it was written.
    pub events_lines: usize,
    pub metrics_lines: usize,
    /// Run wall time so far, seconds, earlier resumed parts included.
    pub elapsed_s: f64,
    /// The stop rule in force (it may have been changed live).
    pub rule: StopRule,
    pub kd_stopped: bool,
    pub manual_stopped_at: Option<usize>,
    pub manual_resumed_at: Option<usize>,
    pub arms: Vec<ArmState>,
}

/// One arm in a checkpoint; a trained arm's weights are `arm<i>.safetensors`, its optimizer
/// state `arm<i>.optim.safetensors`, its best checkpoint so far `best<i>.safetensors`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArmState {
    pub kind: ArmKind,
    /// Replayed from the control cache (no weights saved).
    pub cached: bool,
    pub records: Vec<EpochRecord>,
    pub best_epoch: usize,
    pub best_val: f64,
    pub test_at_best: f64,
    pub last_test: f64,
    pub seconds: f64,
    pub saved: bool,
    pub teacher_forwards: u64,
    pub distilled_epochs: usize,
    pub optimizer_step: u64,
}

/// A checkpoint to continue from, found by [`find`].
#[derive(Debug, Clone)]
pub struct ResumePoint {
    pub state: StageState,
    /// The generation folder.
    pub path: PathBuf,
}

/// Writes the checkpoints of a run, and holds the point a resumed run continues from until its
/// stage takes it.
pub struct Checkpointer {
    pub(super) store: Generations,
    /// False when [`DISABLE_ENV`] is `1`.
    pub(super) enabled: bool,
    started: Instant,
    /// Wall time of the interrupted parts of the run, seconds.
    offset_s: f64,
    /// Taken by the stage it belongs to.
    pub(super) resume: Option<ResumePoint>,
    /// A write failure was reported (once is enough).
    pub(super) warned: bool,
    /// Checkpoints written by this process, and the wall time spent writing them, seconds.
    pub(super) written: usize,
    pub(super) writing_s: f64,
}

impl Checkpointer {
    /// Checkpoints of `run_dir`; `resume` is where a resumed run continues.
    pub fn new(run_dir: &RunDir, resume: Option<ResumePoint>) -> Checkpointer {
        Checkpointer {
            store: Generations::new(resume_dir(run_dir)),
            enabled: std::env::var(DISABLE_ENV).map_or(true, |v| v != "1"),
            started: Instant::now(),
            offset_s: resume.as_ref().map_or(0.0, |r| r.state.elapsed_s),
            resume,
            warned: false,
            written: 0,
            writing_s: 0.0,
        }
    }

    /// Run wall time so far, seconds, the interrupted parts included.
    pub fn elapsed_s(&self) -> f64 {
        self.offset_s + self.started.elapsed().as_secs_f64()
    }

    /// One line on what the checkpoints cost this process (`None` when none were written).
    pub fn cost_summary(&self) -> Option<String> {
        if self.written == 0 {
            return None;
        }
        let wall = self.started.elapsed().as_secs_f64();
        Some(format!(
            "resume checkpoints: {} written in {:.2} s, {:.2} % of this process's {:.1} s",
            self.written,
            self.writing_s,
            100.0 * self.writing_s / wall.max(1e-9),
            wall
        ))
    }

    /// The stage the resumed run continues (`None` for a fresh run).
    pub fn resume_stage(&self) -> Option<usize> {
        self.resume.as_ref().map(|r| r.state.stage)
    }
}

/// `checkpoints/resume/` of a run.
pub fn resume_dir(run_dir: &RunDir) -> PathBuf {
    run_dir.path().join("checkpoints").join("resume")
}

/// The newest intact checkpoint of `run_dir`, and a warning for each newer one that was corrupt.
pub fn find(run_dir: &RunDir) -> Result<(Option<ResumePoint>, Vec<String>)> {
    let (found, warnings) = Generations::new(resume_dir(run_dir)).load_newest();
    let Some(Generation { path, state }) = found else {
        return Ok((None, warnings));
    };
    let state: StageState = serde_json::from_value(state)
        .with_context(|| format!("{}: unexpected checkpoint state", path.display()))?;
    Ok((Some(ResumePoint { state, path }), warnings))
}
