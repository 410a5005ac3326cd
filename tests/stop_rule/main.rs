//! The control-group stop rule (DESIGN §4.1) on synthetic curves with hand-worked stop epochs.
//!
//! Most cases use `ema = 0` so that Δ is the raw difference; the numbers are multiples of 1/4 so that
//! every Δ is exact in binary and the comparisons with the thresholds are not at the mercy of rounding.

mod arithmetic;
mod automatic;
mod manual;

use mkd_tui::stop::{AfterStop, Curves, Manual, StopDecision, StopKind, StopRule};

/// A rule with the given thresholds, no smoothing unless `ema` says so.
fn rule(
    ema: f64,
    min_epochs: usize,
    patience: usize,
    margin: f64,
    drop: f64,
    max_epochs: Option<usize>,
) -> StopRule {
    StopRule {
        enabled: true,
        ema,
        min_epochs,
        patience,
        margin,
        drop,
        max_epochs,
        after_stop: AfterStop::Labels,
    }
}

/// A constant control curve at 80 % and a KD curve at `80 + Δ`, so the raw advantage is `deltas`.
fn decide_on_deltas(r: &StopRule, deltas: &[f64], manual: Manual) -> Option<StopDecision> {
    let kd: Vec<f64> = deltas.iter().map(|d| 80.0 + d).collect();
    let control = vec![80.0; deltas.len()];
    let controls = [control.as_slice()];
    r.decide(
        &Curves {
            kd: &kd,
            controls: &controls,
        },
        &manual,
    )
}

fn epoch_kind(d: Option<StopDecision>) -> Option<(usize, StopKind)> {
    d.map(|d| (d.epoch, d.kind))
}

const NO_DROP: f64 = 100.0;
