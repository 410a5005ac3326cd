//! The outcome of the control-group stop rule: when distillation stops, why, and the numbers behind it.

use serde::{Deserialize, Serialize};

use super::rule::StopRule;

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

impl StopDecision {
    /// One line for the log and the report, with the thresholds of `rule` and the numbers behind the
    /// decision, e.g. `Δ −0.12 pp ≤ margin 0.00 pp for 2 epochs (kd 85.31 %, best control 85.43 %)`.
    pub fn reason(&self, rule: &StopRule) -> String {
        let epochs = rule.patience.max(1);
        let for_epochs = if epochs == 1 {
            "for 1 epoch".to_string()
        } else {
            format!("for {epochs} epochs")
        };
        match self.kind {
            StopKind::Margin => format!(
                "Δ {} pp ≤ margin {} pp {for_epochs} (kd {} %, best control {} %)",
                num(self.delta),
                num(rule.margin),
                num(self.kd_smoothed),
                num(self.control_smoothed)
            ),
            StopKind::Drop => format!(
                "Δ {} pp fell more than drop {} pp below its best {} pp {for_epochs}",
                num(self.delta),
                num(rule.drop),
                num(self.best_delta)
            ),
            StopKind::MaxEpochs => {
                format!(
                    "max_epochs {} reached",
                    rule.max_epochs.unwrap_or(self.epoch)
                )
            }
            StopKind::Manual => format!("stopped by hand at epoch {}", self.epoch),
        }
    }
}

/// Two decimals with a typographic minus; a value that rounds to zero prints as `0.00`.
fn num(x: f64) -> String {
    let s = format!("{x:.2}");
    match s.strip_prefix('-') {
        Some("0.00") => "0.00".to_string(),
        Some(rest) => format!("−{rest}"),
        None => s,
    }
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

    fn decision(kind: StopKind) -> StopDecision {
        StopDecision {
            epoch: 5,
            kind,
            delta: -0.12,
            best_delta: 0.95,
            kd_smoothed: 85.31,
            control_smoothed: 85.43,
        }
    }

    #[test]
    fn margin_reason_has_the_numbers() {
        let rule = StopRule::default();
        assert_eq!(
            decision(StopKind::Margin).reason(&rule),
            "Δ −0.12 pp ≤ margin 0.00 pp for 2 epochs (kd 85.31 %, best control 85.43 %)"
        );
    }

    #[test]
    fn drop_reason_has_the_numbers() {
        let rule = StopRule::default();
        let d = StopDecision {
            delta: 0.41,
            ..decision(StopKind::Drop)
        };
        assert_eq!(
            d.reason(&rule),
            "Δ 0.41 pp fell more than drop 0.30 pp below its best 0.95 pp for 2 epochs"
        );
    }

    #[test]
    fn one_epoch_patience_is_singular() {
        let rule = StopRule {
            patience: 1,
            ..StopRule::default()
        };
        assert!(decision(StopKind::Margin)
            .reason(&rule)
            .contains("for 1 epoch ("));
    }

    #[test]
    fn max_epochs_and_manual_reasons() {
        let rule = StopRule {
            max_epochs: Some(8),
            ..StopRule::default()
        };
        assert_eq!(
            decision(StopKind::MaxEpochs).reason(&rule),
            "max_epochs 8 reached"
        );
        assert_eq!(
            decision(StopKind::Manual).reason(&rule),
            "stopped by hand at epoch 5"
        );
    }

    #[test]
    fn negative_zero_prints_as_zero() {
        assert_eq!(num(-0.001), "0.00");
        assert_eq!(num(-1.5), "−1.50");
        assert_eq!(num(2.0), "2.00");
    }
}
