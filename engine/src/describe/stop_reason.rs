//! Why the rule stopped distillation, in one line with its thresholds and numbers.

use crate::stop::{StopDecision, StopKind, StopRule};

/// One line for the log and the report, with the thresholds of `rule` and the numbers behind the
/// decision, e.g. `Δ −0.12 pp ≤ margin 0.00 pp for 2 epochs (kd 85.31 %, best control 85.43 %)`.
pub fn stop_reason(d: &StopDecision, rule: &StopRule) -> String {
    let epochs = rule.patience.max(1);
    let for_epochs = if epochs == 1 {
        "for 1 epoch".to_string()
    } else {
        format!("for {epochs} epochs")
    };
    match d.kind {
        StopKind::Margin => format!(
            "Δ {} pp ≤ margin {} pp {for_epochs} (kd {} %, best control {} %)",
            num(d.delta),
            num(rule.margin),
            num(d.kd_smoothed),
            num(d.control_smoothed)
        ),
        StopKind::Drop => format!(
            "Δ {} pp fell more than drop {} pp below its best {} pp {for_epochs}",
            num(d.delta),
            num(rule.drop),
            num(d.best_delta)
        ),
        StopKind::MaxEpochs => {
            format!("max_epochs {} reached", rule.max_epochs.unwrap_or(d.epoch))
        }
        StopKind::Manual => format!("stopped by hand at epoch {}", d.epoch),
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
            stop_reason(&decision(StopKind::Margin), &rule),
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
            stop_reason(&d, &rule),
            "Δ 0.41 pp fell more than drop 0.30 pp below its best 0.95 pp for 2 epochs"
        );
    }

    #[test]
    fn one_epoch_patience_is_singular() {
        let rule = StopRule {
            patience: 1,
            ..StopRule::default()
        };
        assert!(stop_reason(&decision(StopKind::Margin), &rule).contains("for 1 epoch ("));
    }

    #[test]
    fn max_epochs_and_manual_reasons() {
        let rule = StopRule {
            max_epochs: Some(8),
            ..StopRule::default()
        };
        assert_eq!(
            stop_reason(&decision(StopKind::MaxEpochs), &rule),
            "max_epochs 8 reached"
        );
        assert_eq!(
            stop_reason(&decision(StopKind::Manual), &rule),
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
