//! Where a comparison stands, read from its folder alone: `comparison.json` names the strategies
//! and seeds, each run's `status.json`, `events.jsonl` and `report.json` say how far it got. The
//! comparison's screen, `attach` on a comparison folder and its headless follower all read this,
//! so they work the same for a comparison in this process, in a detached one, or one whose runs
//! another machine writes.

use std::path::{Path, PathBuf};

use super::folder::{Identity, FILE};
use super::paired::MeanCi;
use super::table::RunRow;
use crate::protocol::Event;
use crate::run_dir::{Report, RunState, Status};

/// One run of the comparison (one strategy, one seed).
#[derive(Debug, Clone, PartialEq)]
pub enum CellState {
    /// Not started: no run directory (or no status in it) yet.
    Queued,
    /// Training: stage `stage` of `stages` (1-based) is at `epoch` of `epochs` (epochs finished).
    Running {
        model: String,
        stage: usize,
        stages: usize,
        epoch: usize,
        epochs: usize,
    },
    /// Finished: the student's test accuracy at its best validation epoch, %.
    Done { test_acc: f64 },
    /// Stopped by hand or by a signal, or its process died: the same command continues it.
    Stopped,
    /// Failed; the reason from `status.json`.
    Failed { detail: String },
}

/// One run's place in the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub seed: u64,
    /// `<comparison>/seed-<seed>/<strategy folder>`.
    pub dir: PathBuf,
    pub state: CellState,
    /// The Slurm task that runs (or ran) it, `4711_3`, and its log (`--executor slurm` only).
    pub slurm: Option<(String, PathBuf)>,
}

/// One strategy over the seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct StrategyRow {
    /// Strategy label (`kd`, `takd[mlp-128]`, …).
    pub label: String,
    /// One cell per seed, in the comparison's seed order.
    pub cells: Vec<Cell>,
    /// Mean student test accuracy of the finished seeds with its 95 % interval (%, pp); `None`
    /// until one seed has finished.
    pub test_acc: Option<MeanCi>,
}

impl StrategyRow {
    /// The row of `label` over `cells`, with the mean and interval of its finished seeds.
    pub fn new(label: &str, cells: Vec<Cell>) -> StrategyRow {
        let done: Vec<f64> = cells
            .iter()
            .filter_map(|c| match c.state {
                CellState::Done { test_acc } => Some(test_acc),
                _ => None,
            })
            .collect();
        StrategyRow {
            label: label.to_string(),
            test_acc: MeanCi::of(&done),
            cells,
        }
    }
}

/// The whole comparison as its folder shows it now.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonProgress {
    pub folder: PathBuf,
    pub preset: String,
    pub seeds: Vec<u64>,
    pub rows: Vec<StrategyRow>,
    /// The comparison is still going on: a process holds its lock (`run.lock` in its folder), or
    /// Slurm tasks of it still wait or run (`--executor slurm`, also after `--detach`).
    pub live: bool,
}

impl ComparisonProgress {
    /// Read the comparison in `folder`.
    ///
    /// Errors, as a message for the user: the folder has no readable `comparison.json`.
    pub fn read(folder: &Path) -> Result<ComparisonProgress, String> {
        let file = folder.join(FILE);
        let bytes = std::fs::read(&file).map_err(|e| {
            format!(
                "{}: not a comparison folder (expected {FILE}): {e}",
                folder.display()
            )
        })?;
        let identity: Identity = serde_json::from_slice(&bytes)
            .map_err(|e| format!("{}: not a comparison's {FILE}: {e}", file.display()))?;
        let tasks = super::slurm::TaskFile::load(folder).ok();
        let slurm_task = |label: &str, seed: u64| {
            let task = tasks
                .as_ref()?
                .tasks
                .iter()
                .find(|t| t.label == label && t.seed == seed)?;
            let job = task.job.as_ref()?;
            Some((job.id(), job.log.clone()))
        };
        let rows = identity
            .strategies
            .iter()
            .map(|label| {
                let cells: Vec<Cell> = identity
                    .seeds
                    .iter()
                    .map(|&seed| {
                        let dir = folder
                            .join(format!("seed-{seed}"))
                            .join(super::arms::folder_of(label));
                        let state = cell_state(label, seed, &dir);
                        let slurm = slurm_task(label, seed);
                        Cell {
                            seed,
                            dir,
                            state,
                            slurm,
                        }
                    })
                    .collect();
                StrategyRow::new(label, cells)
            })
            .collect::<Vec<StrategyRow>>();
        // Slurm is asked only while runs are missing: `ls` over many finished comparisons, or a
        // screen refreshing twice a second, would otherwise run `scontrol` for nothing.
        let all_done = rows
            .iter()
            .flat_map(|r| &r.cells)
            .all(|c| matches!(c.state, CellState::Done { .. }));
        let live = crate::run_dir::held(folder) || (!all_done && on_slurm(folder));
        Ok(ComparisonProgress {
            folder: folder.to_path_buf(),
            preset: identity.preset,
            seeds: identity.seeds,
            rows,
            live,
        })
    }

    /// Runs finished, and runs in all.
    pub fn done(&self) -> (usize, usize) {
        let cells = self.rows.iter().flat_map(|r| &r.cells);
        let done = cells
            .clone()
            .filter(|c| matches!(c.state, CellState::Done { .. }))
            .count();
        (done, cells.count())
    }

    /// Whether nothing more will happen: every run finished, or no process works on the folder.
    pub fn settled(&self) -> bool {
        let (done, all) = self.done();
        done == all || !self.live
    }
}

/// Whether this folder is a comparison's (it has `comparison.json`).
pub fn is_comparison(folder: &Path) -> bool {
    folder.join(FILE).is_file()
}

/// The state of the run in `dir`.
fn cell_state(label: &str, seed: u64, dir: &Path) -> CellState {
    let Ok(status) = Status::read(&dir.join("status.json")) else {
        return CellState::Queued;
    };
    match status.effective_state(dir) {
        RunState::Finished => {
            let report: Option<Report> = std::fs::read(dir.join("report.json"))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok());
            match report
                .as_ref()
                .and_then(|r| RunRow::from_report(label, seed, r, false, dir.to_path_buf()))
            {
                Some(row) => CellState::Done {
                    test_acc: row.test_acc,
                },
                None => CellState::Failed {
                    detail: format!("{}: no readable report", dir.display()),
                },
            }
        }
        RunState::Running => running(dir),
        RunState::Aborted | RunState::Interrupted => CellState::Stopped,
        RunState::Failed => CellState::Failed {
            detail: status.detail.unwrap_or_else(|| "failed".into()),
        },
    }
}

/// How far a running run is, from its recorded events: the last stage started and the epochs of
/// its first arm that have ended.
fn running(dir: &Path) -> CellState {
    let events = crate::run_dir::history::recorded_events(dir);
    let stages = events
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::RunStarted { plan, .. } => Some(plan.nodes.len()),
            _ => None,
        })
        .unwrap_or(0);
    let Some((stage, model, epochs, arm)) = events.iter().rev().find_map(|e| match e {
        Event::StageStarted {
            stage,
            model,
            epochs,
            arms,
            ..
        } => Some((*stage, model.clone(), *epochs, arms.first().copied())),
        _ => None,
    }) else {
        return CellState::Running {
            model: String::new(),
            stage: 0,
            stages,
            epoch: 0,
            epochs: 0,
        };
    };
    let epoch = events
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::EpochEnd(r) if r.stage == stage && Some(r.arm) == arm => Some(r.epoch),
            _ => None,
        })
        .unwrap_or(0);
    CellState::Running {
        model,
        stage: stage + 1,
        stages,
        epoch,
        epochs,
    }
}

/// Whether the comparison in `folder` is going on: a process holds its lock (`run.lock`, taken
/// by the comparison's process for its whole life; the lock, not a pid, which may be recycled),
/// or Slurm tasks of it still wait or run.
pub fn live(folder: &Path) -> bool {
    crate::run_dir::held(folder) || on_slurm(folder)
}

/// Whether Slurm tasks of the comparison in `folder` still wait or run (asks `scontrol`; false
/// for a comparison that never used Slurm, or where Slurm cannot be asked).
fn on_slurm(folder: &Path) -> bool {
    let Ok(file) = super::slurm::TaskFile::load(folder) else {
        return false;
    };
    super::slurm::statuses(folder, &file).is_ok_and(|s| s.iter().any(|t| t.active()))
}
