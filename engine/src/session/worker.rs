//! The training worker: runs a plan on its own thread and reports through events.

use crate::error::Context as _;
use std::panic::AssertUnwindSafe;
use std::thread::JoinHandle;

use chrono::{SecondsFormat, Utc};
use crossbeam_channel::{bounded, unbounded};

use super::checkpointer::{Checkpointer, ResumePoint};
use super::context::StageContext;
use super::control::Control;
use super::control_cache::ControlCache;
use super::emitter::Emitter;
use super::plan::Plan;
use super::planning;
use super::resume;
use super::stage::{self, StageOutcome};
use crate::data;
use crate::error::{Error, Result};
use crate::model::Classifier;
use crate::planner::Strategy;
use crate::protocol::{Event, FrontEndLink, LogLevel};
use crate::run_dir::{Recorder, RunDir, RunState, Status};

/// Progress events buffered for a slow front end before new ones are dropped.
const PROGRESS_CAPACITY: usize = 64;

/// Start the worker thread for `plan`, writing into `run_dir`.
///
/// Errors (before any training): the run directory's files cannot be created.
/// Every later failure — unreadable data, a model error, a panic in the worker — reaches the
/// front end as `Event::RunFailed` and `status.json` says `failed`.
pub fn spawn(plan: Plan, run_dir: RunDir) -> std::io::Result<(FrontEndLink, JoinHandle<()>)> {
    run_dir
        .write_preset(&plan.preset)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let recorder = Recorder::create(&run_dir)?;
    start(plan, run_dir, recorder, None)
}

/// Continue the interrupted run in `run_dir` from `point` (see [`resume::find`]):
/// `events.jsonl` and `metrics.csv` are cut back to what the checkpoint had seen, their events are
/// replayed to the front end, finished stages are skipped and the interrupted stage continues
/// after its checkpointed epoch. `warnings` (checkpoints skipped as corrupt) become log events.
pub fn spawn_resumed(
    plan: Plan,
    run_dir: RunDir,
    point: ResumePoint,
    warnings: Vec<String>,
) -> std::io::Result<(FrontEndLink, JoinHandle<()>)> {
    let (recorder, events) = Recorder::resume(
        &run_dir,
        point.state.events_lines,
        point.state.metrics_lines,
    )?;
    start(plan, run_dir, recorder, Some((point, events, warnings)))
}

/// What a resumed run starts from: the checkpoint, the events kept, warnings.
type Resumed = (ResumePoint, Vec<Event>, Vec<String>);

fn start(
    plan: Plan,
    run_dir: RunDir,
    recorder: Recorder,
    resumed: Option<Resumed>,
) -> std::io::Result<(FrontEndLink, JoinHandle<()>)> {
    let (lifecycle_tx, lifecycle_rx) = unbounded();
    let (progress_tx, progress_rx) = bounded(PROGRESS_CAPACITY);
    let (command_tx, command_rx) = unbounded();
    Status::now(RunState::Running, None).write(&run_dir.status_path())?;
    let handle = std::thread::Builder::new()
        .name("mkd-worker".into())
        .spawn(move || {
            let mut emitter = Emitter::new(lifecycle_tx, progress_tx, recorder);
            let mut control = Control::new(command_rx);
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
                run(&plan, &run_dir, &mut emitter, &mut control, resumed)
            }));
            let (state, event) = match result {
                Ok(Ok(Finish::Finished(event))) => (RunState::Finished, *event),
                Ok(Ok(Finish::Aborted)) => (
                    RunState::Aborted,
                    Event::RunAborted {
                        reason: "stopped by the user".into(),
                    },
                ),
                Ok(Err(e)) => (RunState::Failed, Event::RunFailed { error: e.report() }),
                Err(panic) => {
                    let msg = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "unknown panic".into());
                    (
                        RunState::Failed,
                        Event::RunFailed {
                            error: format!("the training worker panicked: {msg}"),
                        },
                    )
                }
            };
            let detail = match &event {
                Event::RunFailed { error } => Some(error.clone()),
                Event::RunAborted { reason } => Some(reason.clone()),
                _ => None,
            };
            let _ = Status::now(state, detail).write(&run_dir.status_path());
            let _ = emitter.emit(event);
        })?;
    Ok((
        FrontEndLink {
            lifecycle: lifecycle_rx,
            progress: progress_rx,
            commands: command_tx,
        },
        handle,
    ))
}

enum Finish {
    Finished(Box<Event>),
    Aborted,
}

fn run(
    plan: &Plan,
    run_dir: &RunDir,
    emitter: &mut Emitter,
    control: &mut Control,
    resumed: Option<Resumed>,
) -> Result<Finish> {
    let started_at = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let preset = &plan.preset;
    let mut rule = preset.stop.clone();
    let mut point = None;
    if let Some((p, events, warnings)) = resumed {
        for event in events {
            emitter.replay(event);
        }
        let message = format!(
            "resuming from {} ({} after epoch {})",
            p.path.display(),
            p.state.model,
            p.state.epoch
        );
        emit_log(emitter, LogLevel::Info, message)?;
        for warning in warnings {
            emit_log(emitter, LogLevel::Warn, warning)?;
        }
        rule = p.state.rule.clone();
        point = Some(p);
    }
    let resume_stage = point.as_ref().map(|p| p.state.stage);
    let mut checkpoints = Checkpointer::new(run_dir, point);
    if resume_stage.is_none() {
        let message = format!(
            "loading {} from {}",
            preset.data.dataset.as_str(),
            preset.data.root.display()
        );
        emit_log(emitter, LogLevel::Info, message)?;
    }
    let dataset = data::load(&preset.data, preset.seed).with_context(|| {
        format!(
            "reading the dataset (data.root = {})",
            preset.data.root.display()
        )
    })?;
    let sizes = (dataset.train.len(), dataset.val.len(), dataset.test.len());
    let device = preset.device.resolve()?;
    let device_name = crate::device::describe(&device);
    if resume_stage.is_none() {
        let mut summary = plan.summary(sizes);
        summary.device = device_name.clone();
        emitter.emit(Event::RunStarted {
            preset: preset.name.clone(),
            run_dir: run_dir.path().to_path_buf(),
            started_at,
            plan: summary,
            stop_rule: preset.stop.clone(),
        })?;
    } else {
        // A resumed run may continue on another device (checkpoints are device-independent).
        emit_log(
            emitter,
            LogLevel::Info,
            format!("training on {device_name}"),
        )?;
    }
    // Best model of every finished stage, teacher first: the last teaches the next stage, the first
    // is the kd-from-teacher controls' teacher, all of them guide densely under `dgkd`.
    let mut models: Vec<Classifier> = Vec::new();
    let dense = super::strategy::is_dense(preset);
    // The data's fingerprint keys the control cache: hashed once per run, after the load
    // succeeded (so a missing file was already reported by the loader).
    let data_sha256 = data::fingerprint(&preset.data).context("hashing the data files")?;
    let cache = ControlCache::new(
        preset
            .distill
            .control_cache
            .clone()
            .unwrap_or_else(|| default_cache_dir(run_dir.path())),
        data_sha256,
    );
    // Grows under `dynamic`: the planner chooses the assistants after the teacher.
    let mut plan = plan.clone();
    let mut index = 0;
    while index < plan.stages.len() {
        let stage = plan.stages[index].clone();
        if resume_stage.is_some_and(|r| stage.index < r) {
            // Finished before the interruption: its best checkpoint teaches the next stage.
            models.push(resume::load_finished(&plan, run_dir, &stage, &device)?);
        } else {
            let mut ctx = StageContext {
                plan: &plan,
                data: &dataset,
                run_dir,
                emitter: &mut *emitter,
                control: &mut *control,
                rule: &mut rule,
                device: &device,
                cache: &cache,
                dense_teachers: if dense {
                    models.iter().collect()
                } else {
                    vec![]
                },
                checkpoints: &mut checkpoints,
            };
            let outcome = if stage.weights.is_some() {
                stage::run_loaded(&mut ctx, &stage)?
            } else {
                stage::run_trained(&mut ctx, &stage, models.last(), models.first())?
            };
            match outcome {
                StageOutcome::Done(model) => models.push(*model),
                StageOutcome::Aborted => return Ok(Finish::Aborted),
            }
        }
        if index == 0 && preset.strategy == Strategy::Dynamic && plan.stages.len() > 1 {
            // A run resumed past the planner trains the chain it chose (its events are in the
            // replayed events.jsonl); otherwise the planner runs, deterministic for the seed.
            let chosen = match resume_stage.filter(|&r| r >= 1) {
                Some(_) => planning::load_chosen(run_dir, preset)?,
                None => None,
            };
            match chosen {
                Some(chosen) => plan = chosen,
                None => match planning::choose_assistants(
                    &plan, &dataset, &device, &models[0], emitter, control, sizes,
                ) {
                    Ok((chosen, assistants)) => {
                        planning::save_chosen(run_dir, &assistants)?;
                        plan = chosen;
                    }
                    Err(Error::Interrupted) => return Ok(Finish::Aborted),
                    Err(e) => return Err(e),
                },
            }
        }
        index += 1;
    }
    if let Some(line) = checkpoints.cost_summary() {
        emit_log(emitter, LogLevel::Info, line)?;
    }
    let seconds = checkpoints.elapsed_s();
    let finished_at = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let report = emitter
        .report
        .build(finished_at, seconds)
        .expect("RunStarted was emitted");
    let (md, json) = (run_dir.report_md_path(), run_dir.report_json_path());
    // Atomic: a report is whole or absent, never half written (a full disk, a kill).
    let write = |path: &std::path::Path, bytes: Vec<u8>| {
        crate::run_dir::atomic::write_atomic(path, &bytes, "writing the report").map_err(Error::Io)
    };
    write(&json, serde_json::to_vec_pretty(&report)?)?;
    // The charts before the report that links them.
    crate::run_dir::report::plots::write(&report, run_dir.path()).map_err(Error::Io)?;
    write(&md, report.to_markdown().into_bytes())?;
    Ok(Finish::Finished(Box::new(Event::RunFinished {
        report_md: md,
        report_json: json,
        seconds,
    })))
}

fn emit_log(emitter: &mut Emitter, level: LogLevel, message: String) -> Result<()> {
    emitter.emit(Event::Log { level, message })
}

/// `control-cache/` beside the run directory, i.e. inside the runs folder.
fn default_cache_dir(run_dir: &std::path::Path) -> std::path::PathBuf {
    run_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."))
        .join("control-cache")
}
