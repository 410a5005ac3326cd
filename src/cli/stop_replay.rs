//! `mkd-tui stop-replay RUN_DIR… [--set stop.key=value]`: the stop rule applied afterwards to the
//! validation curves a finished run recorded, so that thresholds can be chosen from validation
//! evidence before a long run (README "The stop rule": choosing thresholds).
//!
//! Exact for runs whose rule never fired (fixed-epoch KD, e.g. `margin: -100, drop: 100`): the
//! replay says at which epoch another rule would have stopped distillation and what the kd arm
//! reached before that epoch and over the whole run. After a real stop the recorded kd curve is
//! training on labels, so a replay past it describes a different run (the output says so).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::ExitCode;
use crate::protocol::{ArmKind, Event};
use crate::run_dir::history::recorded_events;
use crate::stop::{Curves, Manual, StopRule};

/// The validation curves (%) of one distilled model, epoch 1 first.
#[derive(Debug, Default)]
struct ModelCurves {
    arch: String,
    kd: Vec<f64>,
    controls: BTreeMap<&'static str, Vec<f64>>,
    /// The run's own rule stopped distillation at this epoch.
    stopped_at: Option<usize>,
}

/// One model's replay: where the rule stops, and what the kd arm had reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    pub model: String,
    /// Epoch (1-based) at which the rule stops distillation; `None`: it never fires.
    pub stop_epoch: Option<usize>,
    /// Best kd validation accuracy up to the stop epoch (the whole run when it never fires), %.
    pub kd_best_before_stop: f64,
    /// Best kd validation accuracy over the recorded run, %.
    pub kd_best: f64,
    /// Best validation accuracy of the best control arm over the run, %.
    pub control_best: f64,
}

/// Replays `rule` on every distilled model of the run in `dir`; prints each curve with the stop
/// marked to stdout and returns the replays.
///
/// Errors: `dir` has no `events.jsonl` with epoch records.
pub fn replay_dir(dir: &Path, rule: &StopRule) -> anyhow::Result<Vec<Replay>> {
    let events = recorded_events(dir);
    anyhow::ensure!(
        !events.is_empty(),
        "{}: no events.jsonl with recorded epochs (expected a run directory)",
        dir.display()
    );
    let mut models: BTreeMap<(usize, String), ModelCurves> = BTreeMap::new();
    for e in &events {
        match e {
            Event::EpochEnd(r) => {
                let m = models.entry((r.stage, r.model.clone())).or_default();
                let curve = match r.arm {
                    ArmKind::Kd => &mut m.kd,
                    other => m.controls.entry(other.as_str()).or_default(),
                };
                if curve.len() + 1 == r.epoch {
                    curve.push(r.val_acc);
                }
            }
            Event::StopDecision {
                stage,
                model,
                epoch,
                ..
            } => {
                models
                    .entry((*stage, model.clone()))
                    .or_default()
                    .stopped_at = Some(*epoch);
            }
            Event::RunStarted { plan, .. } => {
                for (i, n) in plan.nodes.iter().enumerate() {
                    models.entry((i, n.name.clone())).or_default().arch = n.arch.clone();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for ((_, name), m) in models {
        if m.kd.is_empty() || m.controls.is_empty() {
            continue;
        }
        let replay = replay_curves(&name, &m, rule);
        print_model(dir, &m, &replay, rule);
        out.push(replay);
    }
    Ok(out)
}

fn replay_curves(name: &str, m: &ModelCurves, rule: &StopRule) -> Replay {
    let controls: Vec<&[f64]> = m.controls.values().map(Vec::as_slice).collect();
    let stop_epoch = (1..=m.kd.len()).find_map(|t| {
        let curves = Curves {
            kd: &m.kd[..t],
            controls: &controls,
        };
        rule.decide(&curves, &Manual::default())
            .filter(|d| d.epoch <= t)
            .map(|d| d.epoch)
    });
    let upto = stop_epoch.unwrap_or(m.kd.len());
    let best = |v: &[f64]| v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    Replay {
        model: name.to_string(),
        stop_epoch,
        kd_best_before_stop: best(&m.kd[..upto]),
        kd_best: best(&m.kd),
        control_best: controls
            .iter()
            .map(|c| best(c))
            .fold(f64::NEG_INFINITY, f64::max),
    }
}

fn print_model(dir: &Path, m: &ModelCurves, r: &Replay, rule: &StopRule) {
    let names: Vec<&str> = m.controls.keys().copied().collect();
    println!("{} · {} {}", dir.display(), r.model, m.arch);
    println!(
        "  rule: {} (the run's preset with any --set; live changes during the run are not replayed)",
        rule.summary()
    );
    if let Some(e) = m.stopped_at {
        println!(
            "  note: this run's own rule stopped distillation at epoch {e}; the kd curve after it is training on labels"
        );
    }
    let controls: Vec<&[f64]> = m.controls.values().map(Vec::as_slice).collect();
    let delta = rule.advantage(&Curves {
        kd: &m.kd,
        controls: &controls,
    });
    println!(
        "  {:>5}  {:>8}  {}  {:>9}",
        "epoch",
        "kd val%",
        names
            .iter()
            .map(|n| format!("{:>9}", format!("{n} val%")))
            .collect::<Vec<_>>()
            .join("  "),
        "Δ pp (EMA)"
    );
    for (i, kd) in m.kd.iter().enumerate() {
        let epoch = i + 1;
        let cols: Vec<String> = controls
            .iter()
            .map(|c| c.get(i).map_or("—".into(), |v| format!("{v:.2}")))
            .map(|s| format!("{s:>9}"))
            .collect();
        let d = delta
            .get(i)
            .filter(|d| d.is_finite())
            .map_or("—".into(), |d| format!("{d:+.2}"));
        let mark = if r.stop_epoch == Some(epoch) {
            "  ◀ stop"
        } else {
            ""
        };
        println!(
            "  {epoch:>5}  {kd:>8.2}  {}  {d:>11}{mark}",
            cols.join("  ")
        );
    }
    match r.stop_epoch {
        Some(e) => println!(
            "  stops at epoch {e} of {}: kd best val {:.2} % up to the stop, {:.2} % over the recorded run (best control {:.2} %)",
            m.kd.len(),
            r.kd_best_before_stop,
            r.kd_best,
            r.control_best
        ),
        None => println!(
            "  never stops in {} epochs: kd best val {:.2} % (best control {:.2} %)",
            m.kd.len(),
            r.kd_best,
            r.control_best
        ),
    }
    println!();
}

/// Folders below a path searched for runs: a comparison's `seed-*/<strategy>/` is 2 deep.
const SEARCH_DEPTH: usize = 3;

/// The run directories under `path`: `path` itself when it holds `events.jsonl`, else every folder
/// up to [`SEARCH_DEPTH`] below it that does (a comparison's `seed-*/<strategy>/`), sorted.
fn run_dirs(path: &Path, depth: usize) -> Vec<PathBuf> {
    if path.join("events.jsonl").is_file() {
        return vec![path.to_path_buf()];
    }
    let mut out = Vec::new();
    if depth == 0 {
        return out;
    }
    if let Ok(entries) = std::fs::read_dir(path) {
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                out.extend(run_dirs(&e.path(), depth - 1));
            }
        }
    }
    out.sort();
    out
}

/// The subcommand: each path is a run directory or a folder of them (a comparison); `set` are
/// `stop.key=value` overrides applied to each run's own preset copy.
pub fn stop_replay(paths: &[PathBuf], set: &[String]) -> anyhow::Result<ExitCode> {
    if let Some(bad) = set.iter().find(|s| !s.starts_with("stop.")) {
        eprintln!("mkd-tui stop-replay: --set {bad}: only stop.* thresholds can be replayed");
        return Ok(ExitCode::BadInput);
    }
    let mut all = Vec::new();
    for path in paths {
        if !path.is_dir() {
            eprintln!(
                "mkd-tui stop-replay: {}: no such folder (expected a run directory or a comparison)",
                path.display()
            );
            return Ok(ExitCode::BadInput);
        }
        let dirs = run_dirs(path, SEARCH_DEPTH);
        if dirs.is_empty() {
            eprintln!(
                "mkd-tui stop-replay: {}: no run directory (no events.jsonl) there or up to {SEARCH_DEPTH} folders below",
                path.display()
            );
            return Ok(ExitCode::BadInput);
        }
        all.extend(dirs);
    }
    let mut rows = Vec::new();
    {
        for dir in all {
            let preset_path = dir.join("preset.yaml");
            let rule = match crate::preset::load_recorded(&preset_path, set) {
                Ok(p) => p.preset.stop,
                Err(e) => {
                    eprintln!("mkd-tui stop-replay: {e}");
                    return Ok(ExitCode::BadInput);
                }
            };
            for r in replay_dir(&dir, &rule).with_context(|| format!("{}", dir.display()))? {
                rows.push((dir.clone(), r));
            }
        }
    }
    if rows.is_empty() {
        eprintln!(
            "mkd-tui stop-replay: nothing to replay: no distilled model with a control arm (a run with `distill.controls: []` records no control curve)"
        );
        return Ok(ExitCode::BadInput);
    }
    if rows.len() > 1 {
        println!(
            "summary: where the rule stops, and the kd arm's best validation % up to the stop against over the recorded run"
        );
        for (dir, r) in &rows {
            let stop = r
                .stop_epoch
                .map_or("never".into(), |e| format!("epoch {e}"));
            println!(
                "  {} {}: stop {stop} · kd best {:.2} up to the stop / {:.2} over the run (gap {:.2} pp) · best control {:.2}",
                dir.display(),
                r.model,
                r.kd_best_before_stop,
                r.kd_best,
                r.kd_best - r.kd_best_before_stop,
                r.control_best
            );
        }
    }
    Ok(ExitCode::Success)
}
