use super::*;

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
    assert_eq!(
        mkd_tui::describe::stop_reason(&d, &r),
        "max_epochs 4 reached"
    );
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
