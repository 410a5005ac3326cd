//! `report.md` and `report.json`, built from the event stream alone, so a report always agrees
//! with `events.jsonl`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::describe::clock;
use crate::protocol::{ArmKind, ArmResult, EpochRecord, Event, PlanSummary, Role};
use crate::stop::{AfterStop, StopKind};

/// One arm of one model: the worker's [`ArmResult`] and what the report adds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmReport {
    #[serde(flatten)]
    pub result: ArmResult,
    /// Mean training throughput over the arm's epochs, images/s.
    pub images_per_s: f64,
}

/// Where distillation of a model stopped (or its stage hit `max_epochs`), and what it saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EarlyStop {
    /// Epoch after which the teacher was no longer used.
    pub epoch: usize,
    pub kind: StopKind,
    pub reason: String,
    /// `labels` (training went on without the teacher) or `finish` (the stage ended).
    pub after: AfterStop,
    /// Advantage over the best control at the stop, pp.
    pub delta: Option<f64>,
    /// kd arm's validation and test accuracy at the stop epoch, %.
    pub val_acc_at_stop: Option<f64>,
    pub test_acc_at_stop: Option<f64>,
    /// Images not passed through the teacher compared with distilling the whole schedule.
    pub teacher_forwards_saved: u64,
    /// Estimated wall time saved, seconds: in `labels` mode the kd arm's epoch time with the teacher
    /// minus without, times the epochs without; in `finish` mode every arm's mean epoch time times
    /// the epochs not run.
    pub seconds_saved: f64,
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
    /// A NaN or infinite loss halted the stage: model, arm, epoch and batch in one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub halted: Option<String>,
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
    /// Augmentation of the training batches in words; empty when off.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub augment: String,
    /// `batchmean` or `mean`; empty in reports from before it existed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kl_reduction: String,
    pub started_at: String,
    pub finished_at: String,
    /// Seconds.
    pub wall_seconds: f64,
    pub models: Vec<ModelReport>,
    /// Every distilled model against scratch, teacher side first; the student's is last.
    pub comparisons: Vec<Comparison>,
    /// Seed of every random choice.
    pub seed: u64,
    /// Stop rule in force at the end, and how many times it was changed during the run.
    pub stop_rule: Option<crate::stop::StopRule>,
    pub stop_rule_changes: usize,
    /// Images passed through a teacher's forward pass, all arms of all models.
    pub teacher_forwards: u64,
    /// Teacher forward passes the distillation stops saved against distilling every schedule to its end.
    /// A model whose kd arm learned from a teacher-logit cache saves none: its teacher ran once over
    /// the training set whatever the stop.
    pub teacher_forwards_saved: u64,
    /// The assistant planner's probes and decisions (strategy `dynamic`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planner: Option<super::planner_report::PlannerReport>,
    /// Teachers whose training-set logits were computed once per stage and reused every epoch.
    #[serde(default)]
    pub teacher_logit_caches: Vec<LogitCacheNote>,
}

/// One teacher-logit cache of a run (`TeacherLogitsCached`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogitCacheNote {
    /// The distilled model and the arm the cache served.
    pub model: String,
    pub arm: ArmKind,
    /// The teacher whose logits were cached.
    pub teacher: String,
    /// Teacher forward passes spent filling it (once).
    pub examples: u64,
    /// Seconds spent filling it.
    pub seconds: f64,
}

/// Collects what the report needs while events go by.
#[derive(Debug, Default)]
pub struct ReportBuilder {
    preset: String,
    started_at: String,
    plan: Option<PlanSummary>,
    /// (model, arm) → every epoch's record.
    epochs: BTreeMap<(String, ArmKind), Vec<EpochRecord>>,
    finished: BTreeMap<String, Vec<ArmResult>>,
    stop_rule: Option<crate::stop::StopRule>,
    /// `StopRuleApplied` events after the start.
    stop_rule_changes: usize,
    /// model → (epoch, kind, reason, after, delta) of its first stop.
    stops: BTreeMap<String, (usize, StopKind, String, AfterStop, Option<f64>)>,
    planner: Option<super::planner_report::PlannerReport>,
    logit_caches: Vec<LogitCacheNote>,
    /// model → the `StageHalted` line.
    halted: BTreeMap<String, String>,
}

impl ReportBuilder {
    pub fn observe(&mut self, event: &Event) {
        match event {
            Event::RunStarted {
                preset,
                started_at,
                plan,
                stop_rule,
                ..
            } => {
                self.stop_rule = Some(stop_rule.clone());
                self.preset = preset.clone();
                self.started_at = started_at.clone();
                self.plan = Some(plan.clone());
            }
            Event::StopRuleApplied { rule } => {
                if self.stop_rule.as_ref() != Some(rule) {
                    self.stop_rule_changes += 1;
                }
                self.stop_rule = Some(rule.clone());
            }
            Event::EpochEnd(r) => {
                self.epochs
                    .entry((r.model.clone(), r.arm))
                    .or_default()
                    .push(r.clone());
            }
            Event::StopDecision {
                model,
                epoch,
                kind,
                reason,
                after,
                delta,
                ..
            } => {
                self.stops.entry(model.clone()).or_insert((
                    *epoch,
                    *kind,
                    reason.clone(),
                    *after,
                    *delta,
                ));
            }
            Event::DistillationResumed { model, .. } => {
                // A resumed model's earlier stop no longer describes it; a later one will.
                self.stops.remove(model);
            }
            Event::TeacherLogitsCached {
                model,
                arm,
                teacher,
                examples,
                seconds,
                ..
            } => self.logit_caches.push(LogitCacheNote {
                model: model.clone(),
                arm: *arm,
                teacher: teacher.clone(),
                examples: *examples,
                seconds: *seconds,
            }),
            Event::StageFinished { model, arms, .. } => {
                self.finished.insert(model.clone(), arms.clone());
            }
            Event::PlanChanged { plan } => self.plan = Some(plan.clone()),
            Event::PlannerStarted { .. }
            | Event::PlannerCandidate { .. }
            | Event::PlannerProbe { .. }
            | Event::PlannerDecision { .. }
            | Event::PlannerFinished { .. } => {
                self.planner
                    .get_or_insert_with(Default::default)
                    .observe(event);
            }
            Event::StageHalted { model, .. } => {
                if let Some(line) = crate::describe::halted_line(event) {
                    self.halted.insert(model.clone(), line);
                }
            }
            _ => {}
        }
    }

    fn records(&self, model: &str, arm: ArmKind) -> &[EpochRecord] {
        self.epochs
            .get(&(model.to_string(), arm))
            .map_or(&[], Vec::as_slice)
    }

    /// The stop of `model` with what it saved, over a schedule of `planned` epochs of `train_size`
    /// images.
    fn early_stop(&self, model: &str, planned: usize, train_size: usize) -> Option<EarlyStop> {
        let (epoch, kind, reason, after, delta) = self.stops.get(model)?.clone();
        let kd = self.records(model, ArmKind::Kd);
        let cached = self
            .logit_caches
            .iter()
            .any(|c| c.model == model && c.arm == ArmKind::Kd);
        let at_stop = kd.iter().find(|r| r.epoch == epoch);
        let distilled = if kind == StopKind::MaxEpochs {
            kd.len()
        } else {
            epoch.min(kd.len())
        };
        let mean = |rs: &[EpochRecord]| {
            if rs.is_empty() {
                0.0
            } else {
                rs.iter().map(|r| r.seconds).sum::<f64>() / rs.len() as f64
            }
        };
        let seconds_saved = match after {
            AfterStop::Labels if kind != StopKind::MaxEpochs => {
                let (with, without) = kd.split_at(distilled);
                (mean(with) - mean(without)).max(0.0) * without.len() as f64
            }
            _ => {
                let not_run = planned.saturating_sub(kd.len()) as f64;
                let arms: f64 = self
                    .epochs
                    .iter()
                    .filter(|((m, _), _)| m == model)
                    .map(|(_, rs)| mean(rs))
                    .sum();
                arms * not_run
            }
        };
        Some(EarlyStop {
            epoch,
            kind,
            reason,
            after,
            delta,
            val_acc_at_stop: at_stop.map(|r| r.val_acc),
            test_acc_at_stop: at_stop.map(|r| r.test_acc),
            teacher_forwards_saved: if cached {
                0
            } else {
                (planned.saturating_sub(distilled) * train_size) as u64
            },
            seconds_saved,
        })
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
                    stopped_early: self.early_stop(&node.name, node.epochs, plan.train_size),
                    halted: self.halted.get(&node.name).cloned(),
                    arms: arms
                        .iter()
                        .map(|a| {
                            let records = self.records(&node.name, a.arm);
                            let n = records.len().max(1) as f64;
                            ArmReport {
                                result: a.clone(),
                                images_per_s: records.iter().map(|r| r.images_per_s).sum::<f64>()
                                    / n,
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
                    // Rounded to 1e-6 pp: accuracies are multiples of 1/test_size, the rest is float noise.
                    delta_pp: ((kd.test_acc_at_best - scratch.test_acc_at_best) * 1e6).round()
                        / 1e6,
                    kd_best_val_acc: kd.best_val_acc,
                    scratch_best_val_acc: scratch.best_val_acc,
                })
            })
            .collect();
        let teacher_forwards = models
            .iter()
            .flat_map(|m| &m.arms)
            .map(|a| a.result.teacher_forwards)
            .sum();
        let teacher_forwards_saved = models
            .iter()
            .filter_map(|m| m.stopped_early.as_ref())
            .map(|e| e.teacher_forwards_saved)
            .sum();
        Some(Report {
            seed: plan.seed,
            stop_rule: self.stop_rule.clone(),
            stop_rule_changes: self.stop_rule_changes,
            teacher_forwards,
            teacher_forwards_saved,
            teacher_logit_caches: self.logit_caches.clone(),
            preset: self.preset.clone(),
            dataset: plan.dataset.clone(),
            train_size: plan.train_size,
            val_size: plan.val_size,
            test_size: plan.test_size,
            temperature: plan.temperature,
            alpha: plan.alpha,
            augment: plan.augment.clone(),
            kl_reduction: plan.kl_reduction.clone(),
            started_at: self.started_at.clone(),
            finished_at,
            wall_seconds,
            models,
            comparisons,
            planner: self.planner.clone(),
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
            "{} · train {} / validation {} / test {} images · T = {} · alpha = {}{}{}  ",
            self.dataset,
            self.train_size,
            self.val_size,
            self.test_size,
            self.temperature,
            self.alpha,
            if self.kl_reduction.is_empty() {
                String::new()
            } else {
                format!(" · KL {}", self.kl_reduction)
            },
            if self.augment.is_empty() {
                String::new()
            } else {
                format!(" · augmented: {}", self.augment)
            }
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
        let _ = writeln!(
            s,
            "Seed {} · stop rule at the end: {} ({} change{} during the run). The preset as run is \
             `preset.yaml` beside this report.\n",
            self.seed,
            self.stop_rule.as_ref().map_or("—".to_string(), |r| r.summary()),
            self.stop_rule_changes,
            if self.stop_rule_changes == 1 { "" } else { "s" }
        );
        let _ = writeln!(
            s,
            "Teacher forward passes: {} done, {} saved by the distillation stops.\n",
            self.teacher_forwards, self.teacher_forwards_saved
        );
        if !self.teacher_logit_caches.is_empty() {
            let notes: Vec<String> = self
                .teacher_logit_caches
                .iter()
                .map(|c| {
                    format!(
                        "{} {} ← {} ({} images, {:.1} s)",
                        c.model,
                        c.arm.as_str(),
                        c.teacher,
                        c.examples,
                        c.seconds
                    )
                })
                .collect();
            let _ = writeln!(
                s,
                "Teacher logits cached once per stage (inputs not augmented), counted in the forward \
                 passes above: {}.\n",
                notes.join("; ")
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
                    a.teacher_forwards
                );
            }
        }
        let halted: Vec<&String> = self
            .models
            .iter()
            .filter_map(|m| m.halted.as_ref())
            .collect();
        if !halted.is_empty() {
            let _ = writeln!(s, "\n## Halted stages (non-finite loss)\n");
            for line in halted {
                let _ = writeln!(s, "- {line}");
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
            let _ = writeln!(s, "\n## Distillation stops\n");
            let _ = writeln!(
                s,
                "| model | stopped after epoch | of | rule | then | kd val @stop | kd test @stop | kd best val | kd last test | controls (test @best) | teacher forwards saved | time saved (est.) |"
            );
            let _ = writeln!(s, "|---|--:|--:|---|---|--:|--:|--:|--:|---|--:|--:|");
            for (m, e) in &stops {
                let kd = m
                    .arms
                    .iter()
                    .map(|a| &a.result)
                    .find(|a| a.arm == ArmKind::Kd);
                let controls: Vec<String> = m
                    .arms
                    .iter()
                    .map(|a| &a.result)
                    .filter(|a| a.arm != ArmKind::Kd)
                    .map(|a| {
                        format!(
                            "{} {:.2}{}",
                            a.arm.as_str(),
                            a.test_acc_at_best,
                            if a.cached { " (cached)" } else { "" }
                        )
                    })
                    .collect();
                let opt = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.2}"));
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    m.name,
                    e.epoch,
                    m.epochs_planned,
                    e.kind.as_str(),
                    e.after.as_str(),
                    opt(e.val_acc_at_stop),
                    opt(e.test_acc_at_stop),
                    opt(kd.map(|a| a.best_val_acc)),
                    opt(kd.map(|a| a.last_test_acc)),
                    controls.join(", "),
                    e.teacher_forwards_saved,
                    clock(e.seconds_saved)
                );
            }
            let _ = writeln!(s);
            for (m, e) in stops {
                let _ = writeln!(s, "- {}: {}", m.name, e.reason);
            }
        }
        if let Some(p) = &self.planner {
            s.push_str(&p.to_markdown());
        }
        s
    }
}
