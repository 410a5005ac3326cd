//! The comparison table: one row per run, one summary per strategy (mean ± std over seeds, 95 %
//! interval), each strategy's paired differences against `scratch` and `kd` (see
//! [`super::paired`]), written as `compare.md` and `compare.json`; the accuracy and cost tables
//! also as CSV and LaTeX (see [`super::grid`]). This file holds the data and its summaries;
//! `grids.rs` the accuracy and cost tables, `markdown.rs` `compare.md`.

mod grids;
mod markdown;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::paired::{MeanCi, PairedDiff, BASELINES};
use super::settings::Settings;
use super::unfinished::UnfinishedTask;
use crate::protocol::Role;
use crate::run_dir::Report;

/// A model above the student (teacher or assistant) and its test accuracy in one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelAcc {
    pub role: Role,
    pub arch: String,
    /// Test accuracy at its best validation epoch (its primary arm), %; for a loaded model, as
    /// its report gives it.
    pub test_acc: f64,
    /// Loaded from a file instead of trained in this run.
    #[serde(default)]
    pub loaded: bool,
}

/// One finished run of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRow {
    /// Strategy label (`kd`, `takd[mlp-128]`, …).
    pub label: String,
    pub seed: u64,
    /// Architectures from teacher to student as trained.
    pub chain: Vec<String>,
    /// The student's primary arm: test accuracy at its best validation epoch, that validation
    /// accuracy and epoch (%, %, 1-based).
    pub test_acc: f64,
    pub best_val_acc: f64,
    pub best_epoch: usize,
    /// Wall time of the run, seconds (the teacher's stage included when it was trained here).
    pub wall_seconds: f64,
    /// Images passed through teachers' and assistants' forward passes (all arms).
    pub teacher_forwards: u64,
    /// Epochs of every arm of the models below the teacher (control arms and cached curves
    /// counted as trained), the work a strategy adds to a shared teacher.
    pub arm_epochs: usize,
    /// Planner probes: epochs, images, seconds (0 without the planner).
    pub probe_epochs: usize,
    pub probe_images: u64,
    pub probe_seconds: f64,
    /// The teacher's weights were loaded from an earlier run of the same seed.
    pub teacher_reused: bool,
    pub run_dir: PathBuf,
    /// The teacher and every assistant, teacher first (empty in tables from before it existed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upper: Vec<ModelAcc>,
    /// Train, validation and test images (absent in tables from before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sizes: Option<[usize; 3]>,
}

impl RunRow {
    /// The row of a finished run's report; `None` when the report has no student.
    pub fn from_report(
        label: &str,
        seed: u64,
        report: &Report,
        teacher_reused: bool,
        run_dir: PathBuf,
    ) -> Option<RunRow> {
        let student = report.models.iter().find(|m| m.role == Role::Student)?;
        let primary = &student.arms.first()?.result;
        let planner = report.planner.as_ref();
        Some(RunRow {
            label: label.to_string(),
            seed,
            chain: report.models.iter().map(|m| m.arch.clone()).collect(),
            test_acc: primary.test_acc_at_best,
            best_val_acc: primary.best_val_acc,
            best_epoch: primary.best_epoch,
            wall_seconds: report.wall_seconds,
            teacher_forwards: report.teacher_forwards,
            arm_epochs: report
                .models
                .iter()
                .filter(|m| m.role != Role::Teacher)
                .flat_map(|m| &m.arms)
                .map(|a| a.result.epochs_run)
                .sum(),
            probe_epochs: planner.map_or(0, |p| p.probe_epochs),
            probe_images: planner.map_or(0, |p| p.probe_images),
            probe_seconds: planner.map_or(0.0, |p| p.probe_seconds),
            teacher_reused,
            run_dir,
            upper: report
                .models
                .iter()
                .filter(|m| matches!(m.role, Role::Teacher | Role::Assistant))
                .filter_map(|m| {
                    Some(ModelAcc {
                        role: m.role,
                        arch: m.arch.clone(),
                        test_acc: m.arms.first()?.result.test_acc_at_best,
                        loaded: m.weights.is_some(),
                    })
                })
                .collect(),
            sizes: Some([report.train_size, report.val_size, report.test_size]),
        })
    }

    /// Compute spent below the teacher: arm-epochs plus planner probe epochs.
    pub fn compute_epochs(&self) -> usize {
        self.arm_epochs + self.probe_epochs
    }
}

/// Mean and sample standard deviation (n − 1; 0 for one value).
pub fn mean_std(v: &[f64]) -> (f64, f64) {
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    if v.len() < 2 {
        return (mean, 0.0);
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// One strategy over its seeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub label: String,
    pub runs: usize,
    /// Student test accuracy, %: mean and sample std over seeds.
    pub test_mean: f64,
    pub test_std: f64,
    /// Best validation accuracy, % (mean) and best epoch (mean).
    pub val_mean: f64,
    pub best_epoch_mean: f64,
    pub wall_seconds_mean: f64,
    pub teacher_forwards_mean: f64,
    pub arm_epochs_mean: f64,
    pub probe_epochs_mean: f64,
    /// Distinct chains trained (the planner may choose differently per seed).
    pub chains: Vec<String>,
    /// Half-width of the 95 % interval of the mean test accuracy, `t(0.975, n−1)·sd/√n`, pp;
    /// `None` with one seed (and in tables from before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_ci95: Option<f64>,
    /// The teacher's test accuracy, mean over seeds, %; `None` without a teacher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teacher_test_mean: Option<f64>,
    /// Each assistant architecture trained and its mean test accuracy over the seeds that
    /// trained it (the planner may choose differently per seed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assistants: Vec<ArchAcc>,
}

/// An assistant architecture in a strategy's chains, over the seeds that used it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchAcc {
    pub arch: String,
    /// %.
    pub test_mean: f64,
    pub runs: usize,
}

/// The whole comparison (`compare.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareTable {
    pub preset: String,
    pub dataset: String,
    pub seeds: Vec<u64>,
    /// The teacher was trained once per seed and loaded by the other runs of that seed.
    pub teacher_shared: bool,
    /// The preset loads its teacher from this file in every run (trained once, shared by all
    /// seeds): no run trains a teacher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teacher_file: Option<PathBuf>,
    pub runs: Vec<RunRow>,
    /// In the order the strategies were asked for.
    pub summary: Vec<Summary>,
    /// Every `takd[…]` run together: the exhaustive one-assistant search (when it was run).
    pub exhaustive: Option<Exhaustive>,
    /// Each strategy against `scratch`, then each against `kd` (when those ran), paired by seed.
    /// Absent from tables written before it existed.
    #[serde(default)]
    pub paired: Vec<PairedDiff>,
    /// Runs without a row: Slurm tasks waiting, running, failed or cancelled (see
    /// [`super::unfinished`]). Empty for a local comparison.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unfinished: Vec<UnfinishedTask>,
    /// The settings every run shared (absent from tables written before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Settings>,
}

/// The exhaustive one-assistant search against the planner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exhaustive {
    /// Chains tried per seed.
    pub chains: usize,
    /// The chain with the best mean validation accuracy, and its test accuracy mean ± std.
    pub best_label: String,
    pub best_test_mean: f64,
    pub best_test_std: f64,
    /// Arm-epochs below the teacher, summed over the chains, mean per seed.
    pub arm_epochs_per_seed: f64,
    pub wall_seconds_per_seed: f64,
    /// `dynamic`'s arm-epochs plus probe epochs per seed, and its ratio to the exhaustive search.
    pub dynamic_epochs_per_seed: Option<f64>,
    pub dynamic_ratio: Option<f64>,
}

impl CompareTable {
    /// Summarise `runs` (labels in `order`).
    pub fn new(
        preset: &str,
        dataset: &str,
        seeds: Vec<u64>,
        teacher_shared: bool,
        order: &[String],
        runs: Vec<RunRow>,
    ) -> CompareTable {
        let mut by: BTreeMap<&str, Vec<&RunRow>> = BTreeMap::new();
        for r in &runs {
            by.entry(&r.label).or_default().push(r);
        }
        let summary: Vec<Summary> = order
            .iter()
            .filter_map(|label| {
                let rows = by.get(label.as_str())?;
                let f = |g: &dyn Fn(&RunRow) -> f64| rows.iter().map(|r| g(r)).collect::<Vec<_>>();
                let (test_mean, test_std) = mean_std(&f(&|r| r.test_acc));
                let mut chains: Vec<String> = rows.iter().map(|r| r.chain.join(" → ")).collect();
                chains.dedup();
                chains.sort();
                chains.dedup();
                let teachers: Vec<f64> = rows
                    .iter()
                    .flat_map(|r| &r.upper)
                    .filter(|m| m.role == Role::Teacher)
                    .map(|m| m.test_acc)
                    .collect();
                let mut assistants: Vec<(String, Vec<f64>)> = Vec::new();
                for m in rows.iter().flat_map(|r| &r.upper) {
                    if m.role != Role::Assistant {
                        continue;
                    }
                    match assistants.iter_mut().find(|(a, _)| *a == m.arch) {
                        Some((_, v)) => v.push(m.test_acc),
                        None => assistants.push((m.arch.clone(), vec![m.test_acc])),
                    }
                }
                Some(Summary {
                    label: label.clone(),
                    runs: rows.len(),
                    test_mean,
                    test_std,
                    val_mean: mean_std(&f(&|r| r.best_val_acc)).0,
                    best_epoch_mean: mean_std(&f(&|r| r.best_epoch as f64)).0,
                    wall_seconds_mean: mean_std(&f(&|r| r.wall_seconds)).0,
                    teacher_forwards_mean: mean_std(&f(&|r| r.teacher_forwards as f64)).0,
                    arm_epochs_mean: mean_std(&f(&|r| r.arm_epochs as f64)).0,
                    probe_epochs_mean: mean_std(&f(&|r| r.probe_epochs as f64)).0,
                    chains,
                    test_ci95: MeanCi::of(&f(&|r| r.test_acc)).and_then(|m| m.half_width),
                    teacher_test_mean: (!teachers.is_empty()).then(|| mean_std(&teachers).0),
                    assistants: assistants
                        .into_iter()
                        .map(|(arch, v)| ArchAcc {
                            arch,
                            test_mean: mean_std(&v).0,
                            runs: v.len(),
                        })
                        .collect(),
                })
            })
            .collect();
        let each: Vec<&Summary> = summary
            .iter()
            .filter(|s| s.label.starts_with("takd["))
            .collect();
        let exhaustive = (!each.is_empty()).then(|| {
            let best = each
                .iter()
                .max_by(|a, b| a.val_mean.total_cmp(&b.val_mean))
                .expect("non-empty");
            let per_seed = |g: &dyn Fn(&Summary) -> f64| each.iter().map(|s| g(s)).sum::<f64>();
            let arm_epochs = per_seed(&|s| s.arm_epochs_mean);
            let dynamic = summary
                .iter()
                .find(|s| s.label == "dynamic")
                .map(|s| s.arm_epochs_mean + s.probe_epochs_mean);
            Exhaustive {
                chains: each.len(),
                best_label: best.label.clone(),
                best_test_mean: best.test_mean,
                best_test_std: best.test_std,
                arm_epochs_per_seed: arm_epochs,
                wall_seconds_per_seed: per_seed(&|s| s.wall_seconds_mean),
                dynamic_epochs_per_seed: dynamic,
                dynamic_ratio: dynamic.map(|d| d / arm_epochs),
            }
        });
        let paired = paired_diffs(&summary, &runs);
        CompareTable {
            preset: preset.to_string(),
            dataset: dataset.to_string(),
            seeds,
            teacher_shared,
            teacher_file: None,
            runs,
            summary,
            exhaustive,
            paired,
            unfinished: Vec::new(),
            settings: None,
        }
    }
}

/// Every strategy in `summary` against each baseline of [`BASELINES`] that ran, baseline by
/// baseline. A baseline is not compared with itself, and `scratch` not with `kd` (the mirror of
/// `kd` against `scratch`).
fn paired_diffs(summary: &[Summary], runs: &[RunRow]) -> Vec<PairedDiff> {
    let accs = |label: &str| -> Vec<(u64, f64)> {
        runs.iter()
            .filter(|r| r.label == label)
            .map(|r| (r.seed, r.test_acc))
            .collect()
    };
    let mut out = Vec::new();
    for (i, baseline) in BASELINES.iter().enumerate() {
        if !summary.iter().any(|s| s.label == *baseline) {
            continue;
        }
        let base = accs(baseline);
        for s in summary {
            if BASELINES[..=i].contains(&s.label.as_str()) {
                continue;
            }
            out.extend(PairedDiff::new(&s.label, baseline, &accs(&s.label), &base));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_std() {
        let (m, s) = mean_std(&[1.0, 2.0, 3.0]);
        assert_eq!(m, 2.0);
        assert_eq!(s, 1.0);
        assert_eq!(mean_std(&[5.0]), (5.0, 0.0));
    }
}
