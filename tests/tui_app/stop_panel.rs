use super::*;

#[test]
fn arrows_edit_the_pending_rule_not_the_applied_one() {
    let mut app = mid_training(false);
    assert_eq!(app.stop().selected_row(), StopRow::Patience);
    assert_eq!(app.on_key(Key::Down), None);
    assert_eq!(app.stop().selected_row(), StopRow::Margin);
    assert_eq!(app.on_key(Key::Right), None);
    assert_eq!(app.stop().pending().margin, 0.05);
    assert_eq!(app.stop().applied(), Some(&rule()));
    assert!(app.stop().row_differs(StopRow::Margin));
    assert!(!app.stop().row_differs(StopRow::Patience));
}

#[test]
fn each_threshold_edits_only_its_pending_value_and_enter_sends_exactly_that_rule() {
    let edits = one_edit_per_row();
    assert_eq!(edits.len(), StopRow::ALL.len(), "every row is covered");
    for (i, (row, key, expected)) in edits.into_iter().enumerate() {
        let mut app = mid_training(false);
        for _ in 0..i {
            app.on_key(Key::Down);
        }
        assert_eq!(app.stop().selected_row(), row);
        assert_eq!(app.on_key(key), None, "{row:?}: an edit sends nothing");
        assert_eq!(app.stop().pending(), &expected, "{row:?}");
        assert_eq!(
            app.stop().applied(),
            Some(&rule()),
            "{row:?}: applied unchanged"
        );
        for other in StopRow::ALL {
            assert_eq!(
                app.stop().row_differs(other),
                other == row,
                "{row:?} vs {other:?}"
            );
        }
        assert_eq!(
            app.on_key(Key::Enter),
            Some(Command::SetStopRule(expected.clone())),
            "{row:?}"
        );
        assert_eq!(app.stop().sent(), Some(&expected));
        assert_eq!(
            app.stop().applied(),
            Some(&rule()),
            "not applied before the echo"
        );
    }
}

#[test]
fn after_toggles_both_ways() {
    let mut app = mid_training(false);
    for _ in 0..6 {
        app.on_key(Key::Down);
    }
    assert_eq!(app.stop().selected_row(), StopRow::AfterStop);
    app.on_key(Key::Left);
    assert_eq!(app.stop().pending().after_stop, AfterStop::Finish);
    app.on_key(Key::Left);
    assert_eq!(app.stop().pending().after_stop, AfterStop::Labels);
    assert!(!app.stop().is_edited(), "back to the applied rule");
    assert_eq!(app.on_key(Key::Enter), None, "nothing to send");
}

#[test]
fn enter_sends_several_edits_at_once_and_the_echo_applies_them() {
    let mut app = mid_training(false);
    app.on_key(Key::Left); // patience 2 -> 1
    for _ in 0..5 {
        app.on_key(Key::Down);
    }
    app.on_key(Key::Left); // max_epochs all -> 8 (the longest schedule)
    let edited = StopRule {
        patience: 1,
        max_epochs: Some(8),
        ..rule()
    };
    assert_eq!(
        app.on_key(Key::Enter),
        Some(Command::SetStopRule(edited.clone()))
    );
    assert_eq!(app.stop().sent(), Some(&edited));
    assert_eq!(
        app.stop().applied(),
        Some(&rule()),
        "not applied before the echo"
    );

    app.on_event(&Event::StopRuleApplied {
        rule: edited.clone(),
    });
    assert_eq!(app.stop().applied(), Some(&edited));
    assert_eq!(app.stop().sent(), None);
    assert!(!app.stop().is_edited());
    // Nothing left to apply.
    assert_eq!(app.on_key(Key::Enter), None);
}

#[test]
fn an_unrelated_echo_does_not_discard_an_edit_in_progress() {
    let mut app = mid_training(false);
    app.on_key(Key::Right); // patience 2 -> 3, not sent
    let other = StopRule {
        patience: 5,
        ..rule()
    };
    app.on_event(&Event::StopRuleApplied {
        rule: other.clone(),
    });
    assert_eq!(app.stop().applied(), Some(&other));
    assert_eq!(app.stop().pending().patience, 3);
}

#[test]
fn values_are_clamped() {
    let mut app = mid_training(false);
    press(&mut app, 0, Key::Left, 10);
    assert_eq!(app.stop().pending().patience, 1, "patience ≥ 1");
    press(&mut app, 0, Key::Right, 150);
    assert_eq!(app.stop().pending().patience, 99);

    press(&mut app, 1, Key::Left, 200);
    assert_eq!(app.stop().pending().margin, -5.0);
    press(&mut app, 1, Key::Right, 400);
    assert_eq!(app.stop().pending().margin, 10.0);

    press(&mut app, 2, Key::Left, 10);
    assert_eq!(app.stop().pending().drop, 0.0, "drop ≥ 0");
    press(&mut app, 2, Key::Right, 300);
    assert_eq!(app.stop().pending().drop, 10.0);

    press(&mut app, 3, Key::Left, 10);
    assert_eq!(app.stop().pending().min_epochs, 1);
    press(&mut app, 3, Key::Right, 150);
    assert_eq!(app.stop().pending().min_epochs, 99);

    press(&mut app, 4, Key::Left, 30);
    assert_eq!(app.stop().pending().ema, 0.0, "0 = no smoothing");
    press(&mut app, 4, Key::Right, 30);
    assert_eq!(app.stop().pending().ema, 0.95, "ema < 1");
    // Every value the panel can reach is one the engine accepts.
    assert_eq!(app.stop().pending().validate(), Ok(()));
}

#[test]
fn pp_and_ema_steps_do_not_drift() {
    let mut app = mid_training(false);
    press(&mut app, 1, Key::Right, 3);
    // 3 × 0.05 is exactly 0.15 after rounding, not 0.15000000000000002.
    assert_eq!(app.stop().pending().margin, 0.15);
    press(&mut app, 2, Key::Right, 3);
    assert_eq!(app.stop().pending().drop, 0.45);
    press(&mut app, 4, Key::Right, 3);
    assert_eq!(app.stop().pending().ema, 0.65);
}

#[test]
fn max_epochs_runs_from_one_to_the_longest_schedule_then_all() {
    let mut app = mid_training(false);
    press(&mut app, 5, Key::Right, 0);
    assert_eq!(app.stop().selected_row(), StopRow::MaxEpochs);
    assert_eq!(app.stop().pending().max_epochs, None);
    app.on_key(Key::Right);
    assert_eq!(app.stop().pending().max_epochs, None, "→ stays at all");
    app.on_key(Key::Left);
    assert_eq!(
        app.stop().pending().max_epochs,
        Some(8),
        "← from all: longest schedule"
    );
    for _ in 0..20 {
        app.on_key(Key::Left);
    }
    assert_eq!(app.stop().pending().max_epochs, Some(1), "← stops at 1");
    for _ in 0..7 {
        app.on_key(Key::Right);
    }
    assert_eq!(app.stop().pending().max_epochs, Some(8));
    app.on_key(Key::Right);
    assert_eq!(
        app.stop().pending().max_epochs,
        None,
        "→ past the longest: all"
    );
}

#[test]
fn selection_stops_at_the_ends() {
    let mut app = mid_training(false);
    app.on_key(Key::Up);
    assert_eq!(app.stop().selected_row(), StopRow::Patience);
    for _ in 0..10 {
        app.on_key(Key::Down);
    }
    assert_eq!(app.stop().selected_row(), StopRow::AfterStop);
}

#[test]
fn nothing_is_sent_before_the_run_has_a_rule() {
    let mut app = fresh();
    app.on_key(Key::Right);
    assert_eq!(app.on_key(Key::Enter), None);
}
