//! The headless register: one full, time-stamped line per event, for a stream read by people
//! (stderr, `run.log`). `events.jsonl` is for programs.

use std::collections::HashMap;

use super::{clock, halted_line, params, planner_line};
use crate::protocol::{ArmKind, ArmResult, Event, LogLevel, PlanSummary, Role};
use crate::stop::{AfterStop, StopKind};

/// Turns events into stamped lines (`[00:33] …`); keeps what later lines need (plan, epochs per
/// stage, results).
#[derive(Default)]
pub struct Transcript {
    plan: Option<PlanSummary>,
    epochs: HashMap<String, usize>,
    results: HashMap<String, Vec<ArmResult>>,
}

impl Transcript {
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
                    .map(|n| format!("{} {} ({})", n.name, n.arch, params(n.params)))
                    .collect();
                let line = format!(
                    "[{t}] {preset}: {} (train {} / val {} / test {}{}){}, run directory {}\n[{t}] chain: {}\n[{t}] stop rule: {}",
                    plan.dataset,
                    plan.train_size,
                    plan.val_size,
                    plan.test_size,
                    augment_words(&plan.augment),
                    if plan.device.is_empty() {
                        String::new()
                    } else {
                        format!(" on {}", plan.device)
                    },
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
                let loaded = self.plan.as_ref().and_then(|p| {
                    p.nodes
                        .iter()
                        .find(|n| &n.name == model)
                        .and_then(|n| n.weights.as_ref())
                });
                if let (Some(_), [a]) = (loaded, &arms[..]) {
                    // Not trained here: its accuracies were evaluated once, there is no epoch.
                    return Some(format!(
                        "[{t}] {model} done: loaded, val {:.2}% test {:.2}% (evaluated, not trained here)",
                        a.best_val_acc,
                        a.test_acc_at_best
                    ));
                }
                let parts: Vec<String> = arms
                    .iter()
                    .map(|a| {
                        if !a.best_val_acc.is_finite() {
                            // Halted before any epoch was validated: there is no best yet.
                            return format!("{} no epoch finished", a.arm.as_str());
                        }
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
                format!("[{t}] {}", planner_line(event)?)
            }
            Event::PlannerStarted { .. }
            | Event::PlannerCandidate { .. }
            | Event::PlannerProbe { .. }
            | Event::PlannerDecision { .. }
            | Event::PlannerFinished { .. }
            | Event::PlannerThresholdsApplied { .. } => {
                format!("[{t}] {}", planner_line(event)?)
            }
            halted @ Event::StageHalted { .. } => {
                format!("[{t}] {}", halted_line(halted)?)
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
        if !(kd.best_val_acc.is_finite() && scratch.best_val_acc.is_finite()) {
            // A halted arm has no best epoch to compare at.
            return Some(format!(
                "{}: no comparison: an arm was halted before any epoch finished",
                student.name
            ));
        }
        Some(format!(
            "{}: distilled {:.2}% vs scratch {:.2}% test accuracy at best validation epoch ({:+.2} pp)",
            student.name,
            kd.test_acc_at_best,
            scratch.test_acc_at_best,
            kd.test_acc_at_best - scratch.test_acc_at_best
        ))
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
