use super::*;

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
    assert_eq!(
        mkd_tui::describe::stop_reason(&d, &r),
        "stopped by hand at epoch 3"
    );
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
