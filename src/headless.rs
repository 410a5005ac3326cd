//! The headless front end: one readable line per epoch (and per lifecycle event) on stderr.
//!
//! Used with `--headless` and whenever stdout is not a terminal. It reads the same events as the
//! TUI; what it prints is for people, `events.jsonl` is for programs.

use std::collections::HashMap;
use std::io::Write;
use std::time::Instant;

use crate::protocol::{ArmKind, ArmResult, Event, FrontEndLink, LogLevel, PlanSummary, Role};
use crate::run_dir::report::clock;
use crate::stop::{AfterStop, StopKind};

/// How a headless run ended; `exit_code` is the process's.
#[derive(Debug, Clone, PartialEq)]
pub enum HeadlessExit {
    Finished,
    Aborted,
    Failed(String),
}

impl HeadlessExit {
    /// 0 finished, 1 failed, 130 stopped by the user (as after SIGINT).
    pub fn exit_code(&self) -> i32 {
        match self {
            HeadlessExit::Finished => 0,
            HeadlessExit::Failed(_) => 1,
            HeadlessExit::Aborted => 130,
        }
    }
}

/// Print the run's progress to `out` until the worker's last event.
pub fn run(link: FrontEndLink, out: &mut dyn Write) -> HeadlessExit {
    run_from(link, out, &[], 0.0)
}

/// [`run`] for a front end that joins late: `history` (events already seen elsewhere, e.g. read
/// from `events.jsonl`) primes what later lines need without being printed, and times are
/// counted from `offset` seconds, the run's age when this front end started.
pub fn run_from(
    link: FrontEndLink,
    out: &mut dyn Write,
    history: &[Event],
    offset: f64,
) -> HeadlessExit {
    let started = Instant::now();
    let mut printer = Printer::default();
    for event in history {
        let _ = printer.line(event, offset);
    }
    loop {
        let Ok(event) = link.lifecycle.recv() else {
            let _ = writeln!(
                out,
                "error: the training worker stopped without a final event"
            );
            return HeadlessExit::Failed("worker stopped unexpectedly".into());
        };
        // Progress is for screens; drop what queued up so the bounded channel never fills.
        while link.progress.try_recv().is_ok() {}
        if let Some(line) = printer.line(&event, offset + started.elapsed().as_secs_f64()) {
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
        match event {
            Event::RunFinished { .. } => return HeadlessExit::Finished,
            Event::RunAborted { .. } => return HeadlessExit::Aborted,
            Event::RunFailed { error } => return HeadlessExit::Failed(error),
            _ => {}
        }
    }
}

/// Turns events into lines; keeps what later lines need (plan, epochs per stage, results).
#[derive(Default)]
pub struct Printer {
    plan: Option<PlanSummary>,
    epochs: HashMap<String, usize>,
    results: HashMap<String, Vec<ArmResult>>,
}

impl Printer {
    /// The line for `event` at `elapsed` seconds, or `None` for events not worth a line.
    pub fn line(&mut self, event: &Event, elapsed: f64) -> Option<String> {
        let t = clock(elapsed);
        Some(match event {
            Event::RunStarted {
                preset,
                run_dir,
                plan,
                stop_rule,
                ..
            } => {
                let chain: Vec<String> = plan
                    .nodes
                    .iter()
                    .map(|n| format!("{} {} ({})", n.name, n.arch, human(n.params)))
                    .collect();
                let line = format!(
                    "[{t}] {preset}: {} (train {} / val {} / test {}{}), run directory {}\n[{t}] chain: {}\n[{t}] stop rule: {}",
                    plan.dataset,
                    plan.train_size,
                    plan.val_size,
                    plan.test_size,
                    augment_words(&plan.augment),
                    run_dir.display(),
                    chain.join(" → "),
                    stop_rule.summary()
                );
                self.plan = Some(plan.clone());
                line
            }
            Event::StageStarted {
                stage,
                model,
                epochs,
                arms,
                ..
            } => {
                self.epochs.insert(model.clone(), *epochs);
                let n = self.plan.as_ref().map_or(0, |p| p.nodes.len());
                let node = self.plan.as_ref().and_then(|p| p.nodes.iter().find(|x| &x.name == model));
                let what = node.map_or(String::new(), |n| {
                    format!(
                        " ({} {}{})",
                        n.role.as_str(),
                        n.arch,
                        n.taught_by.as_ref().map_or(String::new(), |t| format!(", taught by {t}"))
                    )
                });
                if arms.is_empty() {
                    format!("[{t}] stage {}/{n}: {model}{what}: loading weights", stage + 1)
                } else {
                    let arms: Vec<_> = arms.iter().map(|a| a.as_str()).collect();
                    format!(
                        "[{t}] stage {}/{n}: {model}{what}: {epochs} epoch{}, arms {}",
                        stage + 1,
                        if *epochs == 1 { "" } else { "s" },
                        arms.join(" + ")
                    )
                }
            }
            Event::EpochEnd(r) => format!(
                "[{t}] {} {:<7} ep {:>2}/{:<2} loss {:.4}  val {:6.2}%  test {:6.2}%  lr {:.2e}  {:>6.0} img/s  {:.1}s",
                r.model,
                r.arm.as_str(),
                r.epoch,
                self.epochs.get(&r.model).copied().unwrap_or(r.epoch),
                r.train_loss,
                r.val_acc,
                r.test_acc,
                r.lr,
                r.images_per_s,
                r.seconds
            ),
            Event::StopRuleApplied { rule } => {
                format!("[{t}] stop rule applied: {}", rule.summary())
            }
            Event::StopDecision {
                model,
                epoch,
                kind,
                reason,
                after,
                ..
            } => match (kind, after) {
                (StopKind::MaxEpochs, _) => {
                    format!("[{t}] {model}: stage ends after epoch {epoch}: {reason}")
                }
                (_, AfterStop::Finish) => format!(
                    "[{t}] {model}: distillation stopped after epoch {epoch}, stage ends: {reason}"
                ),
                (_, AfterStop::Labels) => format!(
                    "[{t}] {model}: distillation stopped after epoch {epoch}, labels only from here: {reason}"
                ),
            },
            Event::DistillationResumed { model, epoch, .. } => {
                format!("[{t}] {model}: distillation resumed after epoch {epoch}")
            }
            Event::ControlCached { model, arm, path, .. } => format!(
                "[{t}] {model} {}: control curve read from the cache {}",
                arm.as_str(),
                path.display()
            ),
            Event::StageFinished { model, arms, .. } => {
                self.results.insert(model.clone(), arms.clone());
                let parts: Vec<String> = arms
                    .iter()
                    .map(|a| {
                        format!(
                            "{} best val {:.2}% (ep {}) test {:.2}% @best, last test {:.2}%",
                            a.arm.as_str(),
                            a.best_val_acc,
                            a.best_epoch,
                            a.test_acc_at_best,
                            a.last_test_acc
                        )
                    })
                    .collect();
                format!("[{t}] {model} done: {}", parts.join("; "))
            }
            Event::TeacherLogitsCached {
                model,
                arm,
                teacher,
                examples,
                seconds,
                ..
            } => format!(
                "[{t}] {model} {}: logits of {teacher} cached ({examples} training images, {seconds:.1} s); reused every epoch instead of a teacher forward pass per batch",
                arm.as_str()
            ),
            Event::Paused => format!("[{t}] paused"),
            Event::Resumed => format!("[{t}] resumed"),
            Event::Log { level, message } => match level {
                LogLevel::Info => format!("[{t}] {message}"),
                LogLevel::Warn => format!("[{t}] warning: {message}"),
                LogLevel::Error => format!("[{t}] error: {message}"),
            },
            Event::RunFinished {
                report_md, seconds, ..
            } => {
                let mut line = format!("[{t}] finished in {}; report {}", clock(*seconds), report_md.display());
                if let Some(student) = self.student_line() {
                    line = format!("[{t}] {student}\n{line}");
                }
                line
            }
            Event::RunAborted { reason } => format!("[{t}] stopped: {reason}; the run directory keeps what was done"),
            Event::RunFailed { error } => format!("[{t}] error: {error}"),
            Event::PlanChanged { plan } => {
                self.plan = Some(plan.clone());
                format!("[{t}] {}", event.planner_line()?)
            }
            Event::PlannerStarted { .. }
            | Event::PlannerCandidate { .. }
            | Event::PlannerProbe { .. }
            | Event::PlannerDecision { .. }
            | Event::PlannerFinished { .. }
            | Event::PlannerThresholdsApplied { .. } => {
                format!("[{t}] {}", event.planner_line()?)
            }
            halted @ Event::StageHalted { .. } => {
                format!("[{t}] {}", crate::session::halted_line(halted)?)
            }
            Event::BatchProgress { .. }
            | Event::CheckpointSaved { .. }
            | Event::Advantage { .. } => return None,
        })
    }

    /// `student: distilled 84.10% vs scratch 83.52% test (+0.58 pp)`.
    fn student_line(&self) -> Option<String> {
        let plan = self.plan.as_ref()?;
        let student = plan.nodes.iter().find(|n| n.role == Role::Student)?;
        let arms = self.results.get(&student.name)?;
        let kd = arms.iter().find(|a| a.arm == ArmKind::Kd)?;
        let scratch = arms.iter().find(|a| a.arm == ArmKind::Scratch)?;
        Some(format!(
            "{}: distilled {:.2}% vs scratch {:.2}% test accuracy at best validation epoch ({:+.2} pp)",
            student.name,
            kd.test_acc_at_best,
            scratch.test_acc_at_best,
            kd.test_acc_at_best - scratch.test_acc_at_best
        ))
    }
}

/// `535.8k`, `1.2M`: parameter counts for people.
pub fn human(n: u64) -> String {
    match n {
        n if n >= 1_000_000 => format!("{:.1}M", n as f64 / 1e6),
        n if n >= 1_000 => format!("{:.1}k", n as f64 / 1e3),
        n => n.to_string(),
    }
}

/// `, augmented: random crop, pad 2 px` (nothing when the inputs are not augmented).
fn augment_words(augment: &str) -> String {
    if augment.is_empty() {
        String::new()
    } else {
        format!(", augmented: {augment}")
    }
}
