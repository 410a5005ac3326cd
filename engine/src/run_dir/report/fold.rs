//! Events → [`Report`]: what the report needs is collected while events go by.

use std::collections::BTreeMap;

use super::{
    distilled_spans, ArmReport, Comparison, DistillationChange, EarlyStop, LogitCacheNote,
    ModelReport, Report,
};
use crate::describe::halted_line;
use crate::protocol::{ArmKind, ArmResult, EpochRecord, Event, PlanSummary};
use crate::stop::{AfterStop, StopKind};

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
    /// model → every stop and resume of its distillation, oldest first.
    changes: BTreeMap<String, Vec<DistillationChange>>,
    planner: Option<crate::run_dir::planner_report::PlannerReport>,
    logit_caches: Vec<LogitCacheNote>,
    /// model → the `StageHalted` line.
    halted: BTreeMap<String, String>,
    /// model → its advantage curve, epoch 1 first (`Advantage` events folded in).
    deltas: BTreeMap<String, Vec<Option<f64>>>,
}

impl ReportBuilder {
    /// Folds one event into what the report will say.
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
                self.changes
                    .entry(model.clone())
                    .or_default()
                    .push(DistillationChange::Stopped {
                        epoch: *epoch,
                        kind: *kind,
                        after: *after,
                        reason: reason.clone(),
                    });
                self.stops.entry(model.clone()).or_insert((
                    *epoch,
                    *kind,
                    reason.clone(),
                    *after,
                    *delta,
                ));
            }
            Event::DistillationResumed { model, epoch, .. } => {
                self.changes
                    .entry(model.clone())
                    .or_default()
                    .push(DistillationChange::Resumed { epoch: *epoch });
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
            Event::Advantage {
                model,
                epoch,
                delta,
                ..
            } => delta.apply_to(*epoch, self.deltas.entry(model.clone()).or_default()),
            Event::StageHalted { model, .. } => {
                if let Some(line) = halted_line(event) {
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

    /// Validation accuracy of `model`'s `arm` after each epoch, epoch 1 first; an epoch recorded
    /// twice (a resumed run replays its history, then re-runs) keeps its last record.
    fn val_curve(&self, model: &str, arm: ArmKind) -> Vec<f64> {
        let mut curve: Vec<f64> = Vec::new();
        for r in self.records(model, arm) {
            if r.epoch == 0 {
                continue;
            }
            curve.truncate(r.epoch - 1);
            curve.push(r.val_acc);
        }
        curve
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

    /// The epochs the kd arm of `model` learned from its teacher; empty when it has no kd arm.
    fn spans(&self, model: &str, arms: &[ArmResult]) -> Vec<super::EpochSpan> {
        let Some(kd) = arms.iter().find(|a| a.arm == ArmKind::Kd) else {
            return Vec::new();
        };
        let changes = self.changes.get(model).map_or(&[][..], Vec::as_slice);
        distilled_spans(changes, kd.epochs_run)
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
                    distillation_changes: self.changes.get(&node.name).cloned().unwrap_or_default(),
                    distilled_spans: self.spans(&node.name, arms),
                    halted: self.halted.get(&node.name).cloned(),
                    delta_curve: self.deltas.get(&node.name).cloned().unwrap_or_default(),
                    arms: arms
                        .iter()
                        .map(|a| {
                            let records = self.records(&node.name, a.arm);
                            let n = records.len().max(1) as f64;
                            ArmReport {
                                result: a.clone(),
                                images_per_s: records.iter().map(|r| r.images_per_s).sum::<f64>()
                                    / n,
                                val_curve: self.val_curve(&node.name, a.arm),
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
            device: plan.device.clone(),
            started_at: self.started_at.clone(),
            finished_at,
            wall_seconds,
            models,
            comparisons,
            planner: self.planner.clone(),
        })
    }
}
