//! The control-group stop rule of DESIGN §4.1: stop distilling a model once KD no longer beats its
//! control arms, or once its advantage over them is falling.
//!
//! # Semantics
//! - Epochs are 1-based. Every arm's validation accuracy (%) is smoothed by an EMA with weight
//!   [`ema`](StopRule::ema): `ã(1) = a(1)`, `ã(t) = ema·ã(t−1) + (1−ema)·a(t)`.
//! - Advantage: `Δ(t) = ã_kd(t) − max_c ã_c(t)`, pp, defined on the epochs that the KD curve and every
//!   control curve have (a cached control curve may be longer than the KD curve seen so far).
//! - The condition at epoch t: `C(t) = Δ(t) ≤ margin`, or `Δ(t) < max_{s≤t} Δ(s) − drop`. Margin takes
//!   precedence in [`StopKind`] when both hold; the kind is the one that holds at the stop epoch.
//! - Distillation stops at the first epoch `t ≥ min_epochs` such that C held at each of the `patience`
//!   epochs `t−patience+1 … t`, and all of those epochs are `≥ min_epochs` (so the earliest automatic
//!   stop is epoch `min_epochs + patience − 1`). `patience` 0 is treated as 1, `min_epochs` 0 as 1.
//! - `max_epochs`: [`decide`](StopRule::decide) also returns [`StopKind::MaxEpochs`] at
//!   `t = max_epochs` if nothing earlier fired (the caller ends the stage there). At the same epoch an
//!   automatic stop (Margin / Drop) is reported instead, but the stage still ends at `max_epochs`.
//! - Manual: a manual stop at epoch e wins if no automatic stop came strictly earlier (kind Manual,
//!   numbers at e; a tie at e goes to Manual). A manual resume at epoch r (r > the epoch of the stop
//!   that `decide` returns without the resume, whether automatic or manual) cancels any stop at or before
//!   r−1 and re-arms the rule: streaks may then only use epochs `≥ max(r, min_epochs)`, max Δ for the
//!   drop test restarts at r, and `max_epochs` fires at the first epoch `≥ max(r, max_epochs)`. A resume
//!   without a previous stop (or at or before it) is ignored. Smoothing is never restarted.
//! - No controls → `decide` can only return MaxEpochs or Manual.
//! - [`enabled`](StopRule::enabled) `false` → likewise: Margin and Drop never fire.
//! - An epoch whose Δ is not defined or not a number does not satisfy C (it breaks a streak).

use serde::{Deserialize, Serialize};

use super::decision::{StopDecision, StopKind};
use super::ema;

/// Thresholds of the control-group stop rule, edited live in the stop panel. Presets carry them under
/// `stop:`; every field has a default and unknown keys are rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StopRule {
    /// `false` switches the automatic stop off: distillation runs every epoch of the schedule
    /// (fixed-epoch KD). A manual "stop KD now" and `max_epochs` still apply.
    pub enabled: bool,
    /// EMA weight in `[0, 1)`: `ã(1) = a(1)`, `ã(t) = ema·ã(t−1) + (1−ema)·a(t)`. 0 = no smoothing.
    pub ema: f64,
    /// Epochs before any automatic decision: only epochs `≥ min_epochs` count towards a streak.
    pub min_epochs: usize,
    /// Consecutive epochs the stop condition must hold, ≥ 1 (0 is treated as 1).
    pub patience: usize,
    /// Stop when `Δ ≤ margin`, pp: KD no longer beats the best control by more than this.
    pub margin: f64,
    /// Stop when `Δ` falls more than this below its best so far, pp, ≥ 0.
    pub drop: f64,
    /// Cap on every stage's epochs: the stage ends at this epoch whatever [`StopRule::decide`]
    /// reports there; `None` runs the schedule's epochs.
    pub max_epochs: Option<usize>,
    /// What training does after distillation stops.
    pub after_stop: AfterStop,
}

impl Default for StopRule {
    fn default() -> Self {
        StopRule {
            enabled: true,
            ema: 0.5,
            min_epochs: 2,
            patience: 2,
            margin: 0.0,
            drop: 0.3,
            max_epochs: None,
            after_stop: AfterStop::Labels,
        }
    }
}

impl AfterStop {
    /// `finish` or `labels`, as in presets.
    pub fn as_str(self) -> &'static str {
        match self {
            AfterStop::Finish => "finish",
            AfterStop::Labels => "labels",
        }
    }
}

/// What a stage does once distillation stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AfterStop {
    /// End the stage and keep the best checkpoint.
    Finish,
    /// Continue with `alpha = 0` (labels only, no teacher forward passes) to the end of the schedule.
    #[default]
    Labels,
}

/// Per-epoch validation accuracies (%) of one distilled model's arms, epoch 1 first.
#[derive(Debug, Clone, Copy)]
pub struct Curves<'a> {
    /// The KD arm.
    pub kd: &'a [f64],
    /// One curve per control arm (scratch, KD from the teacher, …), each normally as long as `kd`; Δ is
    /// defined on the epochs that all curves have.
    pub controls: &'a [&'a [f64]],
}

/// Manual overrides from the user, by the epoch (1-based) at which they took effect.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Manual {
    /// "Stop KD now" took effect at this epoch.
    pub stopped_at: Option<usize>,
    /// "Resume KD" took effect at this epoch; ignored unless a stop came before it.
    pub resumed_at: Option<usize>,
}

/// The smoothed curves and the advantage, computed once per [`StopRule::decide`].
struct Smoothed {
    /// Smoothed KD accuracy, %, one per epoch seen.
    kd: Vec<f64>,
    /// Best smoothed control accuracy, %, on the epochs every control has.
    control: Vec<f64>,
    /// Advantage Δ, pp, on the epochs every curve has.
    delta: Vec<f64>,
}

impl Smoothed {
    fn new(rule: &StopRule, curves: &Curves) -> Self {
        let kd = rule.smooth(curves.kd);
        let controls: Vec<Vec<f64>> = curves.controls.iter().map(|c| rule.smooth(c)).collect();
        let common = controls.iter().map(Vec::len).min().unwrap_or(0);
        let control: Vec<f64> = (0..common)
            .map(|i| {
                controls
                    .iter()
                    .map(|c| c[i])
                    .fold(f64::NEG_INFINITY, f64::max)
            })
            .collect();
        let delta = kd.iter().zip(&control).map(|(k, c)| k - c).collect();
        Smoothed { kd, control, delta }
    }

    /// Δ at 1-based `epoch`, if defined.
    fn delta_at(&self, epoch: usize) -> Option<f64> {
        epoch
            .checked_sub(1)
            .and_then(|i| self.delta.get(i))
            .copied()
    }

    /// The decision at `epoch` with the numbers there; `armed_from` bounds the best-Δ window.
    fn decision(&self, epoch: usize, kind: StopKind, armed_from: usize) -> StopDecision {
        let at = |v: &[f64]| {
            epoch
                .checked_sub(1)
                .and_then(|i| v.get(i))
                .copied()
                .unwrap_or(f64::NAN)
        };
        let best_delta = (armed_from.max(1)..=epoch)
            .filter_map(|s| self.delta_at(s))
            .fold(f64::NAN, f64::max);
        StopDecision {
            epoch,
            kind,
            delta: at(&self.delta),
            best_delta,
            kd_smoothed: at(&self.kd),
            control_smoothed: at(&self.control),
        }
    }
}

impl StopRule {
    /// Check the thresholds: `ema` in `[0, 1)`, `margin` and `drop` finite, `drop ≥ 0`, `patience ≥ 1`,
    /// `max_epochs ≥ 1` if set. The message names the field and what was expected.
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..1.0).contains(&self.ema) {
            return Err(format!("ema must be in [0, 1), got {}", self.ema));
        }
        if !self.margin.is_finite() {
            return Err(format!(
                "margin must be a finite number of pp, got {}",
                self.margin
            ));
        }
        if !self.drop.is_finite() || self.drop < 0.0 {
            return Err(format!(
                "drop must be a finite number of pp ≥ 0, got {}",
                self.drop
            ));
        }
        if self.patience < 1 {
            return Err(format!(
                "patience must be at least 1 epoch, got {}",
                self.patience
            ));
        }
        if self.max_epochs == Some(0) {
            return Err("max_epochs must be at least 1 epoch when set, got 0".to_string());
        }
        Ok(())
    }

    /// One line for logs and plans: `ema 0.50 · min_epochs 2 · patience 2 · margin 0.00 pp ·
    /// drop 0.30 pp · max_epochs all · after labels`.
    pub fn summary(&self) -> String {
        if !self.enabled {
            return format!(
                "off (enabled: false): no automatic stop, distillation runs every epoch · max_epochs {} · after a manual stop {}",
                self.max_epochs.map_or("all".to_string(), |m| m.to_string()),
                self.after_stop.as_str()
            );
        }
        format!(
            "ema {:.2} · min_epochs {} · patience {} · margin {:.2} pp · drop {:.2} pp · max_epochs {} · after {}",
            self.ema,
            self.min_epochs,
            self.patience,
            self.margin,
            self.drop,
            self.max_epochs.map_or("all".to_string(), |m| m.to_string()),
            self.after_stop.as_str()
        )
    }

    /// Smoothed curve: `ã(1) = a(1)`, `ã(t) = ema·ã(t−1) + (1−ema)·a(t)`, % in, % out.
    pub fn smooth(&self, acc: &[f64]) -> Vec<f64> {
        ema::smooth(acc, self.ema)
    }

    /// `Δ(t) = ã_kd(t) − max_c ã_c(t)`, pp, for every epoch t that the KD curve and all control curves
    /// have (epoch 1 first). Empty controls → Δ is not defined: an empty Vec.
    pub fn advantage(&self, curves: &Curves) -> Vec<f64> {
        Smoothed::new(self, curves).delta
    }

    /// The first epoch at which distillation stops, given everything seen so far; `None` = keep
    /// distilling.
    ///
    /// A pure function of the curves, the thresholds and the manual overrides (see the module
    /// documentation for the exact rule), so that changing a threshold mid-run re-evaluates the whole
    /// history at once: the returned epoch may lie before the last epoch of `curves` (lowering
    /// `patience` can stop at once); the caller then stops at the current epoch and reports the
    /// decision's numbers. A manual stop at an epoch not yet in `curves` is returned as is, with `NaN`
    /// numbers. Thresholds are used as given: call [`validate`](Self::validate) first.
    pub fn decide(&self, curves: &Curves, manual: &Manual) -> Option<StopDecision> {
        let smoothed = Smoothed::new(self, curves);
        let first = self.first_stop(&smoothed, 1, manual.stopped_at);
        match (first, manual.resumed_at) {
            (Some(stop), Some(resumed)) if stop.epoch < resumed => {
                let stopped_after = manual.stopped_at.filter(|&e| e >= resumed);
                self.first_stop(&smoothed, resumed, stopped_after)
            }
            (first, _) => first,
        }
    }

    /// The first stop of a rule armed from epoch `armed_from`, with a manual stop at `manual_stop`.
    fn first_stop(
        &self,
        smoothed: &Smoothed,
        armed_from: usize,
        manual_stop: Option<usize>,
    ) -> Option<StopDecision> {
        let armed_from = armed_from.max(1);
        let patience = self.patience.max(1);
        let eligible = armed_from.max(self.min_epochs);
        let mut best = f64::NEG_INFINITY;
        let mut streak = 0;
        for t in armed_from..=smoothed.kd.len() {
            if manual_stop.is_some_and(|e| t >= e) {
                break;
            }
            let delta = smoothed.delta_at(t);
            if let Some(d) = delta {
                best = best.max(d);
            }
            let kind = match delta {
                _ if !self.enabled => None,
                Some(d) if t >= eligible && d <= self.margin => Some(StopKind::Margin),
                Some(d) if t >= eligible && d < best - self.drop => Some(StopKind::Drop),
                _ => None,
            };
            streak = if kind.is_some() { streak + 1 } else { 0 };
            if let Some(kind) = kind.filter(|_| streak >= patience) {
                return Some(smoothed.decision(t, kind, armed_from));
            }
            if self.max_epochs.is_some_and(|m| t >= m) {
                return Some(smoothed.decision(t, StopKind::MaxEpochs, armed_from));
            }
        }
        manual_stop.map(|e| smoothed.decision(e, StopKind::Manual, armed_from))
    }
}
