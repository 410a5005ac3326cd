//! `mkd-tui ls`: the runs in a folder, one line each.

use std::path::{Path, PathBuf};

use super::ExitCode;
use crate::protocol::Event;
use crate::run_dir::{RunState, Status};

/// What `ls` shows of one run, read from its `status.json` and `events.jsonl`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub dir: PathBuf,
    pub preset: String,
    pub state: RunState,
    /// `2/3 ta1`: the stage started last.
    pub stage: String,
    /// Arm-epochs done and planned.
    pub done: usize,
    pub planned: usize,
    pub elapsed_s: f64,
    /// `model test%` of each finished model's primary arm, at its best validation epoch.
    pub best: Vec<(String, f64)>,
    /// The last pause/resume event was a pause: a running run waits for someone to resume it.
    pub paused: bool,
    /// The device it trained on, short (`cpu`, `cuda:0`); `-` for runs from before it was
    /// recorded.
    pub device: String,
}

/// Read the run in `dir`; `None` when it has no `status.json`.
pub fn summarise(dir: &Path) -> Option<RunSummary> {
    let status = Status::read(&dir.join("status.json")).ok()?;
    let text = std::fs::read_to_string(dir.join("events.jsonl")).unwrap_or_default();
    let mut s = RunSummary {
        dir: dir.to_path_buf(),
        // Until `RunStarted` (a run that failed before it), the name from its preset copy.
        preset: preset_name(dir),
        state: status.effective_state(dir),
        stage: "-".into(),
        done: 0,
        planned: 0,
        elapsed_s: 0.0,
        best: Vec::new(),
        paused: false,
        device: "-".into(),
    };
    let mut stages = 0;
    let mut started = None;
    for event in text
        .lines()
        .filter_map(|l| serde_json::from_str::<Event>(l).ok())
    {
        match event {
            Event::RunStarted {
                preset,
                plan,
                started_at,
                ..
            } => {
                s.preset = preset;
                if let Some(short) = plan.device.split(" (").next().filter(|d| !d.is_empty()) {
                    s.device = short.to_string();
                }
                stages = plan.nodes.len();
                s.planned = plan.nodes.iter().map(|n| n.epochs * n.arms.len()).sum();
                started = chrono::DateTime::parse_from_rfc3339(&started_at).ok();
            }
            Event::StageStarted { stage, model, .. } => {
                s.stage = format!("{}/{stages} {model}", stage + 1)
            }
            Event::EpochEnd(_) => s.done += 1,
            Event::Paused => s.paused = true,
            Event::Resumed => s.paused = false,
            Event::StageFinished { model, arms, .. } => {
                if let Some(a) = arms.first() {
                    // A halted arm has no best epoch: NaN, printed as "—".
                    let best = if a.best_val_acc.is_finite() {
                        a.test_acc_at_best
                    } else {
                        f64::NAN
                    };
                    s.best.push((model, best));
                }
            }
            _ => {}
        }
    }
    if let Some(started) = started {
        let end = match (s.state, status.state) {
            (RunState::Running, _) => chrono::Utc::now().fixed_offset(),
            // Its process died without a word: the last event written is when it stopped.
            (_, RunState::Running) => std::fs::metadata(dir.join("events.jsonl"))
                .and_then(|m| m.modified())
                .map(|t| chrono::DateTime::<chrono::Utc>::from(t).fixed_offset())
                .unwrap_or_else(|_| chrono::Utc::now().fixed_offset()),
            _ => chrono::DateTime::parse_from_rfc3339(&status.updated_at)
                .unwrap_or_else(|_| chrono::Utc::now().fixed_offset()),
        };
        s.elapsed_s = (end - started).num_milliseconds().max(0) as f64 / 1000.0;
    }
    if s.state == RunState::Finished {
        s.done = s.planned.max(s.done);
    }
    Some(s)
}

/// The run directories under `runs`, oldest first by name.
pub fn run_dirs(runs: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(runs) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("status.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// Print one line per run under `runs`.
pub fn list(runs: &Path) -> anyhow::Result<ExitCode> {
    if !runs.is_dir() {
        let what = if runs.exists() {
            "a file, not a folder"
        } else {
            "no such folder"
        };
        eprintln!(
            "mkd-tui: {}: {what} (pass --runs DIR, the folder that holds run directories)",
            runs.display()
        );
        return Ok(ExitCode::BadInput);
    }
    let summaries: Vec<RunSummary> = run_dirs(runs).iter().filter_map(|d| summarise(d)).collect();
    let comparisons = super::ls_comparisons::lines(runs);
    if summaries.is_empty() && comparisons.is_empty() {
        println!("no runs in {}", runs.display());
        return Ok(ExitCode::Success);
    }
    if summaries.is_empty() {
        println!("{}", comparisons.join("\n"));
        return Ok(ExitCode::Success);
    }
    println!(
        "{:<36} {:<14} {:<11} {:<7} {:<14} {:>8} {:>9}  best test %",
        "run", "preset", "status", "device", "stage", "progress", "elapsed"
    );
    for s in summaries {
        let name = s.dir.file_name().unwrap_or_default().to_string_lossy();
        let progress = if s.planned > 0 {
            format!(
                "{:.0}%",
                100.0 * s.done.min(s.planned) as f64 / s.planned as f64
            )
        } else {
            "-".into()
        };
        let best: Vec<String> = s
            .best
            .iter()
            .map(|(m, a)| match a.is_finite() {
                true => format!("{m} {a:.2}"),
                false => format!("{m} —"),
            })
            .collect();
        println!(
            "{name:<36} {:<14} {:<11} {:<7} {:<14} {progress:>8} {:>9}  {}",
            s.preset,
            match s.state {
                // Nobody may be watching a detached run: say that it waits.
                RunState::Running if s.paused => "paused",
                state => state_name(state),
            },
            s.device,
            s.stage,
            crate::describe::clock(s.elapsed_s),
            best.join(" · ")
        );
    }
    if !comparisons.is_empty() {
        println!("\n{}", comparisons.join("\n"));
    }
    Ok(ExitCode::Success)
}

fn state_name(state: RunState) -> &'static str {
    match state {
        RunState::Running => "running",
        RunState::Finished => "finished",
        RunState::Aborted => "aborted",
        RunState::Failed => "failed",
        RunState::Interrupted => "interrupted",
    }
}

/// `name:` of the run's `preset.yaml`, or empty.
fn preset_name(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("preset.yaml"))
        .ok()
        .and_then(|t| serde_yaml::from_str::<serde_yaml::Value>(&t).ok())
        .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_string))
        .unwrap_or_default()
}
