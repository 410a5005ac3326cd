//! The per-stage stop rule: early stopping on validation accuracy.
//!
//! A later control-group rule (DESIGN §4.1) replaces the insides of [`StopRule::check`]; the panel,
//! the `SetStopRule` command and the `StopRuleApplied` echo stay as they are.

use serde::{Deserialize, Serialize};

/// Thresholds of the stop rule, edited live in the stop panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopRule {
    /// Stop when the best validation accuracy has not improved by at least `min_delta` for this many
    /// consecutive epochs. 0 disables the plateau test.
    #[serde(default = "default_patience")]
    pub patience: usize,
    /// Smallest gain over the best validation accuracy so far that counts as an improvement, pp.
    #[serde(default = "default_min_delta")]
    pub min_delta: f64,
    /// Upper bound on the epochs of any stage; `None` runs each stage's whole schedule.
    #[serde(default)]
    pub max_epochs: Option<usize>,
}

fn default_patience() -> usize {
    3
}

fn default_min_delta() -> f64 {
    0.05
}

impl Default for StopRule {
    fn default() -> Self {
        StopRule {
            patience: default_patience(),
            min_delta: default_min_delta(),
            max_epochs: None,
        }
    }
}

/// Why a stage stopped before the end of its schedule.
#[derive(Debug, Clone, PartialEq)]
pub enum StopReason {
    /// No gain of `min_delta` pp over `best` (%, reached at epoch `best_epoch`) for `patience` epochs.
    Plateau {
        best: f64,
        best_epoch: usize,
        patience: usize,
        min_delta: f64,
    },
    /// `max_epochs` reached.
    MaxEpochs { max_epochs: usize },
}

impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StopReason::Plateau {
                best,
                best_epoch,
                patience,
                min_delta,
            } => write!(
                f,
                "no gain of {min_delta:.2} pp over best val {best:.2}% (epoch {best_epoch}) for {patience} epochs"
            ),
            StopReason::MaxEpochs { max_epochs } => write!(f, "max_epochs {max_epochs} reached"),
        }
    }
}

impl StopRule {
    /// Decide after the last epoch of `val_accs` (validation accuracy per epoch, %, epoch 1 first)
    /// whether the stage stops now. Pure: the same history and thresholds give the same answer, so a
    /// changed rule can be re-evaluated over the history at once.
    pub fn check(&self, val_accs: &[f64]) -> Option<StopReason> {
        let epochs = val_accs.len();
        if epochs == 0 {
            return None;
        }
        if let Some(max) = self.max_epochs {
            if epochs >= max {
                return Some(StopReason::MaxEpochs { max_epochs: max });
            }
        }
        if self.patience == 0 {
            return None;
        }
        // Epoch of the last improvement: an epoch counts when it beats the best so far by min_delta.
        let mut best = val_accs[0];
        let mut best_epoch = 1;
        for (i, &acc) in val_accs.iter().enumerate().skip(1) {
            if acc >= best + self.min_delta {
                best = acc;
                best_epoch = i + 1;
            }
        }
        if epochs - best_epoch >= self.patience {
            Some(StopReason::Plateau {
                best,
                best_epoch,
                patience: self.patience,
                min_delta: self.min_delta,
            })
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(patience: usize, min_delta: f64, max_epochs: Option<usize>) -> StopRule {
        StopRule {
            patience,
            min_delta,
            max_epochs,
        }
    }

    #[test]
    fn no_history_never_stops() {
        assert_eq!(rule(1, 0.0, Some(1)).check(&[]), None);
    }

    #[test]
    fn improving_curve_runs_on() {
        let r = rule(2, 0.1, None);
        assert_eq!(r.check(&[80.0, 81.0, 82.0, 83.0]), None);
    }

    #[test]
    fn plateau_stops_after_patience_epochs_without_gain() {
        let r = rule(2, 0.1, None);
        // best 82.0 at epoch 2; epochs 3 and 4 gain < 0.1 pp -> stop after epoch 4.
        assert_eq!(r.check(&[80.0, 82.0, 82.05]), None);
        assert_eq!(
            r.check(&[80.0, 82.0, 82.05, 81.0]),
            Some(StopReason::Plateau {
                best: 82.0,
                best_epoch: 2,
                patience: 2,
                min_delta: 0.1
            })
        );
    }

    #[test]
    fn small_gains_below_min_delta_do_not_reset_patience() {
        // 0.04 pp steps never reach the 0.05 pp threshold, so the best stays at epoch 1.
        let r = rule(3, 0.05, None);
        assert!(r.check(&[90.0, 90.04, 90.0]).is_none());
        assert!(matches!(
            r.check(&[90.0, 90.04, 90.0, 90.04]),
            Some(StopReason::Plateau { best_epoch: 1, .. })
        ));
    }

    #[test]
    fn zero_patience_disables_plateau() {
        assert_eq!(rule(0, 0.0, None).check(&[50.0, 40.0, 30.0, 20.0]), None);
    }

    #[test]
    fn max_epochs_bounds_the_stage() {
        let r = rule(0, 0.0, Some(3));
        assert_eq!(r.check(&[1.0, 2.0]), None);
        assert_eq!(
            r.check(&[1.0, 2.0, 3.0]),
            Some(StopReason::MaxEpochs { max_epochs: 3 })
        );
    }

    #[test]
    fn lowering_patience_mid_run_stops_at_once() {
        let history = [70.0, 75.0, 75.0];
        assert_eq!(rule(3, 0.1, None).check(&history), None);
        assert!(rule(1, 0.1, None).check(&history).is_some());
    }
}
