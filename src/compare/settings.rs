//! The settings a comparison ran under, for the header of `compare.md` (and `compare.json`): what
//! a reader needs to reproduce it or to put it in a paper.

use serde::{Deserialize, Serialize};

use crate::preset::{OptimizerConfig, Preset, ScheduleConfig};

/// Data, distillation and training settings shared by every run of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub dataset: String,
    /// Train, validation and test images (from the first finished run; `None` before one finished).
    pub sizes: Option<[usize; 3]>,
    pub temperature: f64,
    pub alpha: f64,
    /// `batchmean` or `mean`.
    pub kl_reduction: String,
    /// Augmentation of the training batches in words; empty when off.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub augment: String,
    /// Epochs of each stage's schedule.
    pub epochs: usize,
    pub batch_size: usize,
    /// `SGD (momentum 0.9, weight decay 0.0005)`, `AdamW (weight decay 0.0001)`, …
    pub optimizer: String,
    /// Base learning rate.
    pub lr: f64,
    /// `constant`, `cosine`, `step ×0.1 at 30, 60`.
    pub schedule: String,
    /// Student test accuracy is reported at the best validation epoch of its primary arm.
    pub seeds: Vec<u64>,
}

impl Settings {
    /// The settings of `preset` run over `seeds`; `sizes` from a finished run's report.
    pub fn new(preset: &Preset, seeds: &[u64], sizes: Option<[usize; 3]>) -> Settings {
        let t = &preset.training;
        let optimizer = match &t.optimizer {
            OptimizerConfig::Sgd {
                momentum,
                weight_decay,
                nesterov,
                ..
            } => format!(
                "SGD (momentum {momentum}, weight decay {weight_decay}{})",
                if *nesterov { ", Nesterov" } else { "" }
            ),
            OptimizerConfig::Adamw {
                weight_decay,
                beta1,
                beta2,
                ..
            } => format!("AdamW (weight decay {weight_decay}, betas {beta1}, {beta2})"),
        };
        let schedule = match &t.schedule {
            ScheduleConfig::Constant => "constant".to_string(),
            ScheduleConfig::Cosine { min_lr } if *min_lr == 0.0 => "cosine".to_string(),
            ScheduleConfig::Cosine { min_lr } => format!("cosine to {min_lr}"),
            ScheduleConfig::Step { milestones, gamma } => {
                let at: Vec<String> = milestones.iter().map(usize::to_string).collect();
                format!("step ×{gamma} at epochs {}", at.join(", "))
            }
        };
        Settings {
            dataset: preset.data.dataset.as_str().to_string(),
            sizes,
            temperature: preset.distill.temperature,
            alpha: preset.distill.alpha,
            kl_reduction: preset.distill.kl_reduction.as_str().to_string(),
            augment: if preset.data.augment.is_on() {
                preset.data.augment.summary()
            } else {
                String::new()
            },
            epochs: t.epochs,
            batch_size: t.batch_size,
            optimizer,
            lr: t.optimizer.lr(),
            schedule,
            seeds: seeds.to_vec(),
        }
    }

    /// The header lines of `compare.md`.
    pub fn markdown(&self) -> String {
        let seeds: Vec<String> = self.seeds.iter().map(u64::to_string).collect();
        let sizes = self.sizes.map_or(String::new(), |[tr, va, te]| {
            format!(" · train {tr} / validation {va} / test {te} images")
        });
        format!(
            "**Settings.** {}{sizes}{} · KD: T = {}, α = {}, KL {} · {} epochs per stage, batch {}, \
             {}, lr {} ({} schedule) · seeds {} ({}).  ",
            self.dataset,
            if self.augment.is_empty() {
                String::new()
            } else {
                format!(" · augmented: {}", self.augment)
            },
            self.temperature,
            self.alpha,
            self.kl_reduction,
            self.epochs,
            self.batch_size,
            self.optimizer,
            self.lr,
            self.schedule,
            seeds.join(", "),
            self.seeds.len()
        )
    }
}
