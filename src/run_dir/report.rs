//! `report.md` and `report.json`, built from the event stream alone, so a report always agrees
//! with `events.jsonl`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::protocol::{ArmKind, ArmResult, Event, PlanSummary, Role};

/// One arm of one model: the worker's [`ArmResult`] and what the report adds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmReport {
    #[serde(flatten)]
    pub result: ArmResult,
    /// Mean training throughput over the arm's epochs, images/s.
    pub images_per_s: f64,
    /// Images passed through the teacher's forward (kd arms), over all epochs.
    pub teacher_forwards: u64,
}

/// A stage that the stop rule ended before its schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EarlyStop {
    pub epoch: usize,
    pub reason: String,
}

/// One model of the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelReport {
    pub name: String,
    pub role: Role,
    pub arch: String,
    pub params: u64,
    pub macs: u64,
    pub taught_by: Option<String>,
    /// Loaded from this file instead of trained.
    pub weights: Option<PathBuf>,
    pub epochs_planned: usize,
    pub stopped_early: Option<EarlyStop>,
    pub arms: Vec<ArmReport>,
}

/// A distilled model against its scratch control, at each arm's best validation epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub model: String,
    pub role: Role,
    /// %.
    pub kd_test_acc: f64,
    /// %.
    pub scratch_test_acc: f64,
    /// `kd_test_acc − scratch_test_acc`, percentage points.
    pub delta_pp: f64,
    pub kd_best_val_acc: f64,
    pub scratch_best_val_acc: f64,
}

/// The whole report (`report.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub preset: String,
    pub dataset: String,
    pub train_size: usize,
    pub val_size: usize,
    pub test_size: usize,
    pub temperature: f64,
    pub alpha: f64,
    pub started_at: String,
    pub finished_at: String,
    /// Seconds.
    pub wall_seconds: f64,
    pub models: Vec<ModelReport>,
    /// Every distilled model against scratch, teacher side first; the student's is last.
    pub comparisons: Vec<Comparison>,
}

/// Collects what the report needs while events go by.
#[derive(Debug, Default)]
pub struct ReportBuilder {
    preset: String,
    started_at: String,
    plan: Option<PlanSummary>,
    /// (model, arm) → (sum of images/s, epochs).
    throughput: BTreeMap<(String, ArmKind), (f64, usize)>,
    finished: BTreeMap<String, Vec<ArmResult>>,
    stops: BTreeMap<String, EarlyStop>,
}

impl ReportBuilder {
    pub fn observe(&mut self, event: &Event) {
        match event {
            Event::RunStarted {
                preset,
                started_at,
                plan,
                ..
            } => {
                self.preset = preset.clone();
                self.started_at = started_at.clone();
                self.plan = Some(plan.clone());
            }
            Event::EpochEnd(r) => {
                let e = self.throughput.entry((r.model.clone(), r.arm)).or_default();
                e.0 += r.images_per_s;
                e.1 += 1;
            }
            Event::StopDecision {
                model,
                epoch,
                reason,
                ..
            } => {
                self.stops.insert(
                    model.clone(),
                    EarlyStop {
                        epoch: *epoch,
                        reason: reason.clone(),
                    },
                );
            }
            Event::StageFinished { model, arms, .. } => {
                self.finished.insert(model.clone(), arms.clone());
            }
            _ => {}
        }
    }

    /// The report of the models finished so far. `None` before `RunStarted`.
    pub fn build(&self, finished_at: String, wall_seconds: f64) -> Option<Report> {
        let plan = self.plan.as_ref()?;
        let models: Vec<ModelReport> = plan
            .nodes
            .iter()
            .filter_map(|node| {
                let arms = self.finished.get(&node.name)?;
                Some(ModelReport {
                    name: node.name.clone(),
                    role: node.role,
                    arch: node.arch.clone(),
                    params: node.params,
                    macs: node.macs,
                    taught_by: node.taught_by.clone(),
                    weights: node.weights.clone(),
                    epochs_planned: node.epochs,
                    stopped_early: self.stops.get(&node.name).cloned(),
                    arms: arms
                        .iter()
                        .map(|a| {
                            let (sum, n) = self
                                .throughput
                                .get(&(node.name.clone(), a.arm))
                                .copied()
                                .unwrap_or_default();
                            ArmReport {
                                result: a.clone(),
                                images_per_s: if n > 0 { sum / n as f64 } else { 0.0 },
                                // Without a logit cache every kd image runs the teacher once per epoch.
                                teacher_forwards: if a.arm == ArmKind::Kd {
                                    (a.epochs_run * plan.train_size) as u64
                                } else {
                                    0
                                },
                            }
                        })
                        .collect(),
                })
            })
            .collect();
        let comparisons = models
            .iter()
            .filter_map(|m| {
                let arm = |kind| m.arms.iter().map(|a| &a.result).find(|a| a.arm == kind);
                let (kd, scratch) = (arm(ArmKind::Kd)?, arm(ArmKind::Scratch)?);
                Some(Comparison {
                    model: m.name.clone(),
                    role: m.role,
                    kd_test_acc: kd.test_acc_at_best,
                    scratch_test_acc: scratch.test_acc_at_best,
                    delta_pp: kd.test_acc_at_best - scratch.test_acc_at_best,
                    kd_best_val_acc: kd.best_val_acc,
                    scratch_best_val_acc: scratch.best_val_acc,
                })
            })
            .collect();
        Some(Report {
            preset: self.preset.clone(),
            dataset: plan.dataset.clone(),
            train_size: plan.train_size,
            val_size: plan.val_size,
            test_size: plan.test_size,
            temperature: plan.temperature,
            alpha: plan.alpha,
            started_at: self.started_at.clone(),
            finished_at,
            wall_seconds,
            models,
            comparisons,
        })
    }
}

impl Report {
    /// The student's distilled-vs-scratch line, when the student has both arms.
    pub fn student(&self) -> Option<&Comparison> {
        self.comparisons.iter().find(|c| c.role == Role::Student)
    }

    /// `report.md`.
    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# mkd-tui report: {}\n", self.preset);
        let _ = writeln!(
            s,
            "{} · train {} / validation {} / test {} images · T = {} · alpha = {}  ",
            self.dataset,
            self.train_size,
            self.val_size,
            self.test_size,
            self.temperature,
            self.alpha
        );
        let _ = writeln!(
            s,
            "Started {} · finished {} · wall time {}\n",
            self.started_at,
            self.finished_at,
            clock(self.wall_seconds)
        );
        let _ = writeln!(
            s,
            "Accuracies are top-1 in %. \"test @best\" is the test accuracy at the epoch of best \
             validation accuracy (the validation split decides; the test split is only reported).\n"
        );
        if let Some(c) = self.student() {
            let _ = writeln!(s, "## Student: distilled vs scratch\n");
            let _ = writeln!(
                s,
                "Distilled **{:.2} %** vs scratch **{:.2} %** test accuracy: {:+.2} pp \
                 (best validation {:.2} % vs {:.2} %).\n",
                c.kd_test_acc,
                c.scratch_test_acc,
                c.delta_pp,
                c.kd_best_val_acc,
                c.scratch_best_val_acc
            );
        }
        let _ = writeln!(s, "## Models\n");
        let _ = writeln!(
            s,
            "| model | role | architecture | params | MACs/image | taught by | arm | epochs | best val | best epoch | test @best | last test | images/s | time | teacher forwards |"
        );
        let _ = writeln!(
            s,
            "|---|---|---|--:|--:|---|---|--:|--:|--:|--:|--:|--:|--:|--:|"
        );
        for m in &self.models {
            for (a, extra) in m.arms.iter().map(|a| (&a.result, a)) {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} | {} | {} | {}/{} | {:.2} | {} | {:.2} | {:.2} | {:.0} | {} | {} |",
                    m.name,
                    m.role.as_str(),
                    m.arch,
                    m.params,
                    m.macs,
                    // Only the kd arm is taught; controls learn from labels.
                    match (a.arm, m.taught_by.as_deref()) {
                        (ArmKind::Kd, Some(t)) => t,
                        _ => "—",
                    },
                    if m.weights.is_some() { "loaded" } else { a.arm.as_str() },
                    a.epochs_run,
                    m.epochs_planned,
                    a.best_val_acc,
                    a.best_epoch,
                    a.test_acc_at_best,
                    a.last_test_acc,
                    extra.images_per_s,
                    clock(a.seconds),
                    extra.teacher_forwards
                );
            }
        }
        if self.comparisons.len() > 1 {
            let _ = writeln!(s, "\n## Distilled vs scratch, every distilled model\n");
            let _ = writeln!(s, "| model | kd test @best | scratch test @best | Δ pp |");
            let _ = writeln!(s, "|---|--:|--:|--:|");
            for c in &self.comparisons {
                let _ = writeln!(
                    s,
                    "| {} | {:.2} | {:.2} | {:+.2} |",
                    c.model, c.kd_test_acc, c.scratch_test_acc, c.delta_pp
                );
            }
        }
        let stops: Vec<_> = self
            .models
            .iter()
            .filter_map(|m| m.stopped_early.as_ref().map(|e| (m, e)))
            .collect();
        if !stops.is_empty() {
            let _ = writeln!(s, "\n## Early stops\n");
            for (m, e) in stops {
                let _ = writeln!(
                    s,
                    "- {}: stopped after epoch {} of {}: {}",
                    m.name, e.epoch, m.epochs_planned, e.reason
                );
            }
        }
        s
    }
}

/// `m:ss` or `h:mm:ss`.
pub fn clock(seconds: f64) -> String {
    let t = seconds.max(0.0).round() as u64;
    if t >= 3600 {
        format!("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
    } else {
        format!("{}:{:02}", t / 60, t % 60)
    }
}
