//! Learning rate per epoch.

use crate::preset::ScheduleConfig;

/// Learning rate of 0-based `epoch` in a stage of `epochs` epochs with base rate `base_lr`.
///
/// - `constant`: `base_lr`.
/// - `step { milestones, gamma }`: `base_lr · gamma^m`, `m` = number of milestones ≤ `epoch`
///   (PyTorch's `MultiStepLR`).
/// - `cosine { min_lr }`: `min_lr + (base_lr − min_lr)·(1 + cos(π·epoch/epochs))/2` (Loshchilov &
///   Hutter 2017, SGDR, eq. 5, without restarts; PyTorch's `CosineAnnealingLR` with `T_max = epochs`):
///   `base_lr` at epoch 0, the mean of both at `epochs/2`, just above `min_lr` at the last epoch.
///   Epochs past the end stay at `min_lr`; `epochs = 0` gives `base_lr`.
pub fn learning_rate(schedule: &ScheduleConfig, base_lr: f64, epoch: usize, epochs: usize) -> f64 {
    match schedule {
        ScheduleConfig::Constant => base_lr,
        ScheduleConfig::Step { milestones, gamma } => {
            let passed = milestones.iter().filter(|&&m| m <= epoch).count();
            base_lr * gamma.powi(passed as i32)
        }
        ScheduleConfig::Cosine { min_lr } => {
            if epochs == 0 {
                return base_lr;
            }
            let progress = epoch.min(epochs) as f64 / epochs as f64;
            min_lr + (base_lr - min_lr) * (1.0 + (std::f64::consts::PI * progress).cos()) / 2.0
        }
    }
}
