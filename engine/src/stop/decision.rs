//! The outcome of the control-group stop rule: when distillation stops, why, and the numbers behind it.

use serde::{Deserialize, Serialize};

/// Which branch of the rule stopped distillation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopKind {
    /// `Δ ≤ margin` at the stop epoch: KD no longer beats the best control arm.
    Margin,
    /// `Δ < max Δ − drop` at the stop epoch (and not `Δ ≤ margin`): the advantage is falling.
    Drop,
    /// The stage reached `max_epochs`.
    MaxEpochs,
    /// The user stopped distillation by hand.
    Manual,
}

impl StopKind {
    /// `margin`, `drop`, `max_epochs`, `manual`: as in `events.jsonl` and the report.
    pub fn as_str(self) -> &'static str {
        match self {
            StopKind::Margin => "margin",
            StopKind::Drop => "drop",
            StopKind::MaxEpochs => "max_epochs",
            StopKind::Manual => "manual",
        }
    }
}

/// A stop of distillation, with the numbers at the stop epoch.
///
/// Numbers that are not defined at the stop epoch (no control arms, or a manual stop at an epoch not
/// yet validated) are `NaN`.
#[derive(Debug, Clone, PartialEq)]
pub struct StopDecision {
    /// The epoch (1-based) at which distillation stops.
    pub epoch: usize,
    /// Which branch of the rule fired.
    pub kind: StopKind,
    /// Advantage `Δ(epoch) = ã_kd(epoch) − max_c ã_c(epoch)`, pp.
    pub delta: f64,
    /// Largest `Δ(s)` over the epochs `s ≤ epoch` the rule was armed for (since epoch 1, or since a
    /// manual resume), pp.
    pub best_delta: f64,
    /// Smoothed validation accuracy of the KD arm at `epoch`, %.
    pub kd_smoothed: f64,
    /// Best smoothed validation accuracy among the control arms at `epoch`, %.
    pub control_smoothed: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_words_are_the_serde_names() {
        for kind in [
            StopKind::Margin,
            StopKind::Drop,
            StopKind::MaxEpochs,
            StopKind::Manual,
        ] {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
    }
}
