//! The control-group stop rule (DESIGN §4.1) on synthetic curves with hand-worked stop epochs.
//!
//! Most cases use `ema = 0` so that Δ is the raw difference; the numbers are multiples of 1/4 so that
//! every Δ is exact in binary and the comparisons with the thresholds are not at the mercy of rounding.

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

#[test]
fn margin_stops_when_kd_no_longer_beats_the_control() {
    let r = rule(0.0, 2, 2, 0.0, NO_DROP, None);
    let kd = [80.0, 83.0, 84.0, 84.5, 85.0, 85.25];
    let ctrl = [78.0, 81.0, 82.0, 84.75, 85.25, 86.0];
    // Δ = 2, 2, 2, −0.25, −0.25, −0.75: C holds at 4 and 5 → stop at 5 (Margin).
    let controls = [ctrl.as_slice()];
    let curves = Curves {
        kd: &kd,
        controls: &controls,
    };
    let d = r.decide(&curves, &Manual::default()).unwrap();
    assert_eq!(
        d,
        StopDecision {
            epoch: 5,
            kind: StopKind::Margin,
            delta: -0.25,
            best_delta: 2.0,
            kd_smoothed: 85.0,
            control_smoothed: 85.25,
        }
    );
    // After epoch 4 only one epoch of the streak has been seen: keep distilling.
    let prefix = Curves {
        kd: &kd[..4],
        controls: &controls,
    };
    assert_eq!(r.decide(&prefix, &Manual::default()), None);
}

#[test]
fn drop_stops_when_the_advantage_falls() {
    let r = rule(0.0, 2, 2, 0.0, 0.5, None);
    // Δ = 1, 2, 1.75, 1.25, 1.0; best 2 from epoch 2, threshold 2 − 0.5 = 1.5:
    // 3: 1.75 not < 1.5; 4: 1.25 < 1.5 (streak 1); 5: 1.0 < 1.5 (streak 2) → stop at 5 (Drop).
    let d = decide_on_deltas(&r, &[1.0, 2.0, 1.75, 1.25, 1.0], Manual::default()).unwrap();
    assert_eq!((d.epoch, d.kind), (5, StopKind::Drop));
    assert_eq!((d.delta, d.best_delta), (1.0, 2.0));
    assert_eq!((d.kd_smoothed, d.control_smoothed), (81.0, 80.0));
    // Δ exactly at best − drop is not a drop: 1.5 at 4 and 5 never satisfies 1.5 < 1.5.
    assert_eq!(
        decide_on_deltas(&r, &[1.0, 2.0, 1.5, 1.5, 1.5], Manual::default()),
        None
    );
}

#[test]
fn margin_wins_the_kind_when_both_hold() {
    let r = rule(0.0, 1, 1, 0.0, 0.5, None);
    // Δ = 2, −1: at 2 both −1 ≤ 0 and −1 < 2 − 0.5 hold → stop at 2, kind Margin.
    assert_eq!(
        epoch_kind(decide_on_deltas(&r, &[2.0, -1.0], Manual::default())),
        Some((2, StopKind::Margin))
    );
}

#[test]
fn patience_streak_broken_by_one_good_epoch_restarts() {
    let r = rule(0.0, 2, 3, 0.0, NO_DROP, None);
    // Δ = 1, −1, −1, 0.5, −1, −1, −1: streak 1, 2 at epochs 2, 3; broken at 4; 1, 2, 3 at 5, 6, 7 →
    // stop at 7 (Margin).
    let broken = [1.0, -1.0, -1.0, 0.5, -1.0, -1.0, -1.0];
    assert_eq!(
        epoch_kind(decide_on_deltas(&r, &broken, Manual::default())),
        Some((7, StopKind::Margin))
    );
    assert_eq!(decide_on_deltas(&r, &broken[..6], Manual::default()), None);
    // Without the good epoch the streak 2, 3, 4 completes at 4.
    let unbroken = [1.0, -1.0, -1.0, -1.0];
    assert_eq!(
        epoch_kind(decide_on_deltas(&r, &unbroken, Manual::default())),
        Some((4, StopKind::Margin))
    );
}

#[test]
fn patience_zero_is_treated_as_one() {
    let r = rule(0.0, 2, 0, 0.0, NO_DROP, None);
    // Δ = 1, −1: C at 2, streak of 1 is enough → stop at 2.
    assert_eq!(
        epoch_kind(decide_on_deltas(&r, &[1.0, -1.0], Manual::default())),
        Some((2, StopKind::Margin))
    );
}

#[test]
fn condition_before_min_epochs_does_not_count() {
    let deltas = [-1.0; 5];
    // min_epochs 4, patience 2: C holds from epoch 1 but only epochs 4, 5 count → stop at 5
    // (= min_epochs + patience − 1), not at 4.
    let r = rule(0.0, 4, 2, 0.0, NO_DROP, None);
    assert_eq!(decide_on_deltas(&r, &deltas[..4], Manual::default()), None);
    assert_eq!(
        epoch_kind(decide_on_deltas(&r, &deltas, Manual::default())),
        Some((5, StopKind::Margin))
    );
    // min_epochs 1 would have stopped at 2.
    let r = rule(0.0, 1, 2, 0.0, NO_DROP, None);
    assert_eq!(
        epoch_kind(decide_on_deltas(&r, &deltas, Manual::default())),
        Some((2, StopKind::Margin))
    );
}

#[test]
fn max_epochs_ends_the_stage() {
    let r = rule(0.0, 2, 2, 0.0, 0.3, Some(4));
    // Δ = 1, 2, 3, 4, 5, 6: rising, never C → MaxEpochs at 4, even with 6 epochs of history.
    let rising = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    assert_eq!(decide_on_deltas(&r, &rising[..3], Manual::default()), None);
    let d = decide_on_deltas(&r, &rising, Manual::default()).unwrap();
    assert_eq!((d.epoch, d.kind, d.delta), (4, StopKind::MaxEpochs, 4.0));
    assert_eq!(d.reason(&r), "max_epochs 4 reached");
    // An automatic stop before max_epochs wins: Δ = 1, −1, −1 → Margin at 3.
    assert_eq!(
        epoch_kind(decide_on_deltas(
            &r,
            &[1.0, -1.0, -1.0, -1.0],
            Manual::default()
        )),
        Some((3, StopKind::Margin))
    );
}

#[test]
fn ema_smoothing_delays_the_stop() {
    // Control constant at 82 (smoothed: 82). Raw KD 90, 90, 81, 81, 81, 81, 81.
    let kd = [90.0, 90.0, 81.0, 81.0, 81.0, 81.0, 81.0];
    let ctrl = [82.0; 7];
    let controls = [ctrl.as_slice()];
    let curves = Curves {
        kd: &kd,
        controls: &controls,
    };
    // Raw (ema 0): Δ = 8, 8, −1, −1, … → C at 3 and 4 → stop at 4 (Margin).
    let raw = rule(0.0, 2, 2, 0.0, NO_DROP, None);
    assert_eq!(
        epoch_kind(raw.decide(&curves, &Manual::default())),
        Some((4, StopKind::Margin))
    );
    // ema 0.5: ã_kd = 90, 90, 85.5, 83.25, 82.125, 81.5625, 81.28125
    //          Δ    =  8,  8,  3.5,  1.25,  0.125, −0.4375, −0.71875 → C at 6 and 7 → stop at 7.
    let smooth = rule(0.5, 2, 2, 0.0, NO_DROP, None);
    assert_eq!(
        smooth.advantage(&curves),
        vec![8.0, 8.0, 3.5, 1.25, 0.125, -0.4375, -0.71875]
    );
    let d = smooth.decide(&curves, &Manual::default()).unwrap();
    assert_eq!((d.epoch, d.kind), (7, StopKind::Margin));
    assert_eq!(
        (d.delta, d.best_delta, d.kd_smoothed, d.control_smoothed),
        (-0.71875, 8.0, 81.28125, 82.0)
    );
    // After epoch 6 the smoothed rule has seen only one epoch of the streak.
    let prefix = Curves {
        kd: &kd[..6],
        controls: &controls,
    };
    assert_eq!(smooth.decide(&prefix, &Manual::default()), None);
}

#[test]
fn advantage_is_taken_over_the_best_control() {
    let r = rule(0.0, 2, 2, 0.0, NO_DROP, None);
    let kd = [81.0; 4];
    let a = [81.5, 79.0, 81.5, 79.0];
    let b = [79.0, 81.5, 79.0, 81.5];
    // Against a alone: Δ = −0.5, 2, −0.5, 2 — never two C epochs in a row → no stop.
    let only_a = [a.as_slice()];
    let only_b = [b.as_slice()];
    let both = [a.as_slice(), b.as_slice()];
    let on = |controls: &[&[f64]]| {
        epoch_kind(r.decide(&Curves { kd: &kd, controls }, &Manual::default()))
    };
    assert_eq!(on(&only_a), None);
    // Against b alone: Δ = 2, −0.5, 2, −0.5 → no stop.
    assert_eq!(on(&only_b), None);
    // Against max(a, b) = 81.5 every epoch: Δ = −0.5 throughout → C at 2, 3 → stop at 3 (Margin).
    assert_eq!(on(&both), Some((3, StopKind::Margin)));
    let d = r
        .decide(
            &Curves {
                kd: &kd,
                controls: &both,
            },
            &Manual::default(),
        )
        .unwrap();
    assert_eq!(d.control_smoothed, 81.5);
}

#[test]
fn manual_stop_wins_unless_an_automatic_stop_came_earlier() {
    let r = rule(0.0, 2, 2, 0.0, NO_DROP, None);
    // Δ = 1, 2, 3, −1, −1, −1: automatic Margin stop at 5.
    let deltas = [1.0, 2.0, 3.0, -1.0, -1.0, -1.0];
    let at = |e| Manual {
        stopped_at: Some(e),
        resumed_at: None,
    };
    // Manual stop at 3: wins, numbers at 3.
    let d = decide_on_deltas(&r, &deltas, at(3)).unwrap();
    assert_eq!(
        d,
        StopDecision {
            epoch: 3,
            kind: StopKind::Manual,
            delta: 3.0,
            best_delta: 3.0,
            kd_smoothed: 83.0,
            control_smoothed: 80.0,
        }
    );
    assert_eq!(d.reason(&r), "stopped by hand at epoch 3");
    // Manual stop at 6: the automatic stop at 5 came earlier.
    assert_eq!(
        epoch_kind(decide_on_deltas(&r, &deltas, at(6))),
        Some((5, StopKind::Margin))
    );
    // Manual stop at 5, the same epoch as the automatic one: the hand wins the tie.
    assert_eq!(
        epoch_kind(decide_on_deltas(&r, &deltas, at(5))),
        Some((5, StopKind::Manual))
    );
    // Manual stop at an epoch not validated yet (history has 3 epochs): returned as is, numbers NaN.
    let d = decide_on_deltas(&r, &deltas[..3], at(4)).unwrap();
    assert_eq!((d.epoch, d.kind), (4, StopKind::Manual));
    assert!(d.delta.is_nan() && d.kd_smoothed.is_nan());
    assert_eq!(d.best_delta, 3.0);
}

#[test]
fn manual_resume_re_arms_the_rule() {
    let r = rule(0.0, 2, 2, 0.0, 0.5, None);
    // Δ = 3, 3, 1, 1, 0.75, 0.25, 0.25.
    let deltas = [3.0, 3.0, 1.0, 1.0, 0.75, 0.25, 0.25];
    let stop_resume = Manual {
        stopped_at: Some(2),
        resumed_at: Some(4),
    };
    // Stop alone: Manual at 2.
    let stop_only = Manual {
        stopped_at: Some(2),
        resumed_at: None,
    };
    assert_eq!(
        epoch_kind(decide_on_deltas(&r, &deltas, stop_only)),
        Some((2, StopKind::Manual))
    );
    // Resumed at 4: streaks use epochs ≥ 4 and max Δ restarts at 4 (best 1, threshold 0.5):
    // 4: 1 (no), 5: 0.75 (no), 6: 0.25 < 0.5 (1), 7: 0.25 (2) → stop at 7 (Drop), best Δ 1.
    assert_eq!(decide_on_deltas(&r, &deltas[..6], stop_resume), None);
    let d = decide_on_deltas(&r, &deltas, stop_resume).unwrap();
    assert_eq!((d.epoch, d.kind, d.best_delta), (7, StopKind::Drop, 1.0));
    // Had max Δ not restarted (best 3, threshold 2.5), C would hold at 4, 5 and stop at 5. Without any
    // manual input the rule stops at 4 (best 3: C at 3, 4).
    assert_eq!(
        epoch_kind(decide_on_deltas(&r, &deltas, Manual::default())),
        Some((4, StopKind::Drop))
    );
}

#[test]
fn resume_after_an_automatic_stop_re_arms_too() {
    let r = rule(0.0, 2, 2, 0.0, NO_DROP, None);
    // Δ = −1, −1, −1, 1, −1, −1: C at 1 does not count (min_epochs 2); C at 2, 3 → automatic stop at 3.
    let deltas = [-1.0, -1.0, -1.0, 1.0, -1.0, -1.0];
    assert_eq!(
        epoch_kind(decide_on_deltas(&r, &deltas, Manual::default())),
        Some((3, StopKind::Margin))
    );
    // Resume at 4 (after the automatic stop at 3): 4 no, 5 (1), 6 (2) → stop at 6.
    let resumed = Manual {
        stopped_at: None,
        resumed_at: Some(4),
    };
    assert_eq!(
        epoch_kind(decide_on_deltas(&r, &deltas, resumed)),
        Some((6, StopKind::Margin))
    );
}

#[test]
fn resume_without_a_previous_stop_is_ignored() {
    let r = rule(0.0, 2, 2, 0.0, NO_DROP, None);
    // Δ = 1, 1, 1, −1, −1: automatic stop at 5. A resume at 3 precedes any stop → ignored.
    let deltas = [1.0, 1.0, 1.0, -1.0, -1.0];
    let resumed = Manual {
        stopped_at: None,
        resumed_at: Some(3),
    };
    assert_eq!(
        epoch_kind(decide_on_deltas(&r, &deltas, resumed)),
        Some((5, StopKind::Margin))
    );
    // A resume at the epoch of the manual stop (r ≤ e) is ignored too: Manual at 3 stands.
    let same = Manual {
        stopped_at: Some(3),
        resumed_at: Some(3),
    };
    assert_eq!(
        epoch_kind(decide_on_deltas(&r, &deltas, same)),
        Some((3, StopKind::Manual))
    );
}

#[test]
fn changing_thresholds_mid_run_re_evaluates_the_history() {
    // Six epochs seen; Δ = 1, −1, −1, −1, −1, 1.
    let deltas = [1.0, -1.0, -1.0, -1.0, -1.0, 1.0];
    // patience 5: the streak 2…5 is only 4 long → keep distilling.
    let strict = rule(0.0, 2, 5, 0.0, NO_DROP, None);
    assert_eq!(decide_on_deltas(&strict, &deltas, Manual::default()), None);
    // Lowered to 3: the same history stops at 4 (epochs 2, 3, 4) — earlier than the current epoch 6,
    // so the caller stops at once and reports these numbers.
    let lowered = StopRule {
        patience: 3,
        ..strict.clone()
    };
    assert_eq!(
        epoch_kind(decide_on_deltas(&lowered, &deltas, Manual::default())),
        Some((4, StopKind::Margin))
    );
    // Lowered to 2: stops at 3, the earliest possible (min_epochs + patience − 1).
    let lower = StopRule {
        patience: 2,
        ..strict.clone()
    };
    assert_eq!(
        epoch_kind(decide_on_deltas(&lower, &deltas, Manual::default())),
        Some((3, StopKind::Margin))
    );
    // Raising min_epochs to 4 under patience 2 moves the stop to 5.
    let later = StopRule {
        min_epochs: 4,
        ..lower
    };
    assert_eq!(
        epoch_kind(decide_on_deltas(&later, &deltas, Manual::default())),
        Some((5, StopKind::Margin))
    );
}

#[test]
fn no_controls_only_max_epochs_or_manual() {
    let kd = [90.0, 80.0, 70.0, 60.0, 50.0];
    let curves = Curves {
        kd: &kd,
        controls: &[],
    };
    let r = rule(0.0, 1, 1, 0.0, 0.0, None);
    assert!(r.advantage(&curves).is_empty());
    // A collapsing KD curve without controls: Δ is undefined, never stops by itself.
    assert_eq!(r.decide(&curves, &Manual::default()), None);
    // max_epochs 3 → MaxEpochs at 3, Δ numbers NaN, kd still reported.
    let capped = StopRule {
        max_epochs: Some(3),
        ..r.clone()
    };
    let d = capped.decide(&curves, &Manual::default()).unwrap();
    assert_eq!(
        (d.epoch, d.kind, d.kd_smoothed),
        (3, StopKind::MaxEpochs, 70.0)
    );
    assert!(d.delta.is_nan() && d.best_delta.is_nan() && d.control_smoothed.is_nan());
    // Manual stop at 2 → Manual at 2.
    let manual = Manual {
        stopped_at: Some(2),
        resumed_at: None,
    };
    assert_eq!(
        epoch_kind(r.decide(&curves, &manual)),
        Some((2, StopKind::Manual))
    );
}

#[test]
fn smooth_matches_hand_computation() {
    let r = StopRule {
        ema: 0.25,
        ..StopRule::default()
    };
    // ã = 80; 0.25·80 + 0.75·84 = 83; 0.25·83 + 0.75·88 = 86.75.
    assert_eq!(r.smooth(&[80.0, 84.0, 88.0]), vec![80.0, 83.0, 86.75]);
    assert!(r.smooth(&[]).is_empty());
}

#[test]
fn advantage_matches_hand_computation() {
    let r = StopRule {
        ema: 0.5,
        ..StopRule::default()
    };
    let kd = [80.0, 84.0];
    let c1 = [82.0, 82.0];
    let c2 = [80.0, 86.0, 90.0];
    // ã_kd = 80, 82; ã_c1 = 82, 82; ã_c2 = 80, 83 (its third epoch is beyond the KD curve).
    // max control = 82, 83 → Δ = −2, −1.
    let controls = [c1.as_slice(), c2.as_slice()];
    assert_eq!(
        r.advantage(&Curves {
            kd: &kd,
            controls: &controls,
        }),
        vec![-2.0, -1.0]
    );
}

#[test]
fn empty_yaml_gives_the_defaults() {
    let r: StopRule = serde_yaml::from_str("{}").unwrap();
    assert_eq!(r, StopRule::default());
    assert_eq!(
        r,
        StopRule {
            ema: 0.5,
            min_epochs: 2,
            patience: 2,
            margin: 0.0,
            drop: 0.3,
            max_epochs: None,
            after_stop: AfterStop::Labels,
        }
    );
    assert_eq!(r.validate(), Ok(()));
}

#[test]
fn yaml_fields_and_unknown_keys() {
    let r: StopRule =
        serde_yaml::from_str("patience: 3\nmax_epochs: 8\nafter_stop: finish\n").unwrap();
    assert_eq!(r.patience, 3);
    assert_eq!(r.max_epochs, Some(8));
    assert_eq!(r.after_stop, AfterStop::Finish);
    assert_eq!(r.ema, 0.5);
    let err = serde_yaml::from_str::<StopRule>("patince: 3\n").unwrap_err();
    assert!(err.to_string().contains("patince"), "{err}");
    assert!(serde_yaml::from_str::<StopRule>("after_stop: Labels\n").is_err());
}

#[test]
fn validate_names_the_field() {
    let ok = StopRule::default();
    let bad = [
        (
            StopRule {
                ema: 1.0,
                ..ok.clone()
            },
            "ema",
        ),
        (
            StopRule {
                ema: -0.1,
                ..ok.clone()
            },
            "ema",
        ),
        (
            StopRule {
                ema: f64::NAN,
                ..ok.clone()
            },
            "ema",
        ),
        (
            StopRule {
                margin: f64::INFINITY,
                ..ok.clone()
            },
            "margin",
        ),
        (
            StopRule {
                drop: -0.1,
                ..ok.clone()
            },
            "drop",
        ),
        (
            StopRule {
                drop: f64::NAN,
                ..ok.clone()
            },
            "drop",
        ),
        (
            StopRule {
                patience: 0,
                ..ok.clone()
            },
            "patience",
        ),
        (
            StopRule {
                max_epochs: Some(0),
                ..ok.clone()
            },
            "max_epochs",
        ),
    ];
    for (rule, field) in bad {
        let err = rule.validate().unwrap_err();
        assert!(err.starts_with(field), "{field}: {err}");
    }
    assert_eq!(
        StopRule {
            ema: 0.0,
            margin: -1.0,
            max_epochs: Some(1),
            ..ok
        }
        .validate(),
        Ok(())
    );
}

/// The worked example in README.md ("The stop rule"), number for number.
#[test]
fn readme_worked_example() {
    let rule = StopRule {
        ema: 0.5,
        min_epochs: 2,
        patience: 2,
        margin: 0.0,
        drop: 0.3,
        ..StopRule::default()
    };
    let kd = [80.0, 82.0, 82.5, 83.0];
    let scratch = [79.0, 81.0, 82.5, 83.5];
    assert_eq!(rule.smooth(&kd), vec![80.0, 81.0, 81.75, 82.375]);
    assert_eq!(rule.smooth(&scratch), vec![79.0, 80.0, 81.25, 82.375]);
    let controls: [&[f64]; 1] = [&scratch];
    let curves = Curves {
        kd: &kd,
        controls: &controls,
    };
    assert_eq!(rule.advantage(&curves), vec![1.0, 1.0, 0.5, 0.0]);
    let short: [&[f64]; 1] = [&scratch[..3]];
    assert!(rule
        .decide(
            &Curves {
                kd: &kd[..3],
                controls: &short
            },
            &Manual::default()
        )
        .is_none());
    let d = rule.decide(&curves, &Manual::default()).unwrap();
    assert_eq!((d.epoch, d.kind), (4, StopKind::Margin));
}
