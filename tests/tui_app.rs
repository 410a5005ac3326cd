//! The front end's state machine without a terminal: scripted worker events and key presses.

mod tui_fixture;

use std::time::Duration;

use mkd_tui::protocol::{ArmKind, Command, Event, LogLevel};
use mkd_tui::stop::StopRule;
use mkd_tui::tui::{Key, NodeStatus, Outcome, Overlay, StopRow, TuiExit, LOG_CAPACITY};
use tui_fixture::{finished, fresh, mid_training, rule, through_ta, Script};

#[test]
fn scripted_run_updates_every_model() {
    let app = mid_training(false);
    let nodes = app.nodes();
    assert_eq!(nodes.len(), 3);
    assert_eq!(app.current_stage(), Some(2));
    assert_eq!(nodes[0].status(), NodeStatus::Done);
    assert_eq!(nodes[1].status(), NodeStatus::Stopped { epoch: 6 });
    assert_eq!(
        nodes[2].status(),
        NodeStatus::Training {
            epoch: 3,
            epochs: 8
        }
    );
    assert_eq!(nodes[0].best_val(ArmKind::Scratch), Some(89.4));
    assert_eq!(nodes[1].best_val(ArmKind::Kd), Some(87.31));
    assert_eq!(nodes[1].best_val(ArmKind::Scratch), Some(86.6));
    assert_eq!(nodes[2].epochs_done(ArmKind::Kd), 2);
    let batch = nodes[2].batch[&ArmKind::Kd];
    assert_eq!((batch.epoch, batch.batch, batch.batches), (3, 211, 422));
    assert_eq!(
        nodes[2].val_curve(ArmKind::Scratch),
        vec![(1.0, 77.9), (2.0, 80.6)]
    );
}

#[test]
fn log_has_one_line_per_lifecycle_event_with_times() {
    let app = mid_training(false);
    let lines: Vec<&str> = app.log().lines().iter().map(|l| l.text.as_str()).collect();
    assert!(lines
        .iter()
        .any(|l| l.starts_with("run fashion-quick started")));
    assert!(lines.contains(&"stage 2/3 ta · mlp-128 · 8 ep × 422 batches · kd + scratch"));
    assert!(lines.contains(&"ta kd ep 3/8 loss 0.300 val 85.9% test 85.5% 10,800 img/s"));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("ta stopped @6: no gain of 0.05 pp")));
    assert!(lines.contains(&"saved teacher scratch ep 4 → teacher-scratch.safetensors"));
    assert!(lines.contains(&"ta kd done: best val 87.3% @ep 6 · test 86.9% · 6 ep in 00:36"));
    // Progress events are not logged.
    assert!(!lines.iter().any(|l| l.contains("211/422")));
    // Times come from the injected clock: the first event arrived at 1 s.
    assert_eq!(app.log().lines()[0].at, Duration::from_secs(1));
}

#[test]
fn log_keeps_only_the_newest_lines() {
    let mut app = fresh();
    for i in 0..LOG_CAPACITY + 100 {
        app.on_event(&Event::Log {
            level: LogLevel::Warn,
            message: format!("line {i}"),
        });
    }
    assert_eq!(app.log().len(), LOG_CAPACITY);
    assert_eq!(app.log().lines()[0].text, "line 100");
    assert_eq!(
        app.log().lines().back().unwrap().text,
        format!("line {}", LOG_CAPACITY + 99)
    );
}

#[test]
fn arrows_edit_the_pending_rule_not_the_applied_one() {
    let mut app = mid_training(false);
    assert_eq!(app.stop().selected_row(), StopRow::Patience);
    assert_eq!(app.on_key(Key::Down), None);
    assert_eq!(app.stop().selected_row(), StopRow::MinDelta);
    assert_eq!(app.on_key(Key::Right), None);
    assert_eq!(app.stop().pending().min_delta, 0.10);
    assert_eq!(app.stop().applied(), Some(&rule()));
    assert!(app.stop().row_differs(StopRow::MinDelta));
    assert!(!app.stop().row_differs(StopRow::Patience));
}

#[test]
fn enter_sends_exactly_the_edited_rule_and_the_echo_applies_it() {
    let mut app = mid_training(false);
    app.on_key(Key::Left); // patience 3 -> 2
    app.on_key(Key::Down);
    app.on_key(Key::Down);
    app.on_key(Key::Left); // max_epochs all -> 8 (the longest schedule)
    let edited = StopRule {
        patience: 2,
        min_delta: 0.05,
        max_epochs: Some(8),
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
    app.on_key(Key::Right); // patience 3 -> 4, not sent
    let other = StopRule {
        patience: 5,
        ..rule()
    };
    app.on_event(&Event::StopRuleApplied {
        rule: other.clone(),
    });
    assert_eq!(app.stop().applied(), Some(&other));
    assert_eq!(app.stop().pending().patience, 4);
}

#[test]
fn values_are_clamped() {
    let mut app = mid_training(false);
    for _ in 0..10 {
        app.on_key(Key::Left);
    }
    assert_eq!(app.stop().pending().patience, 0);
    for _ in 0..150 {
        app.on_key(Key::Right);
    }
    assert_eq!(app.stop().pending().patience, 99);

    app.on_key(Key::Down);
    app.on_key(Key::Left);
    app.on_key(Key::Left);
    assert_eq!(app.stop().pending().min_delta, 0.0);
    for _ in 0..300 {
        app.on_key(Key::Right);
    }
    assert_eq!(app.stop().pending().min_delta, 10.0);
}

#[test]
fn min_delta_steps_do_not_drift() {
    let mut app = mid_training(false);
    app.on_key(Key::Down);
    for _ in 0..3 {
        app.on_key(Key::Right);
    }
    // 0.05 + 3 × 0.05 is exactly 0.2 after rounding, not 0.20000000000000004.
    assert_eq!(app.stop().pending().min_delta, 0.2);
}

#[test]
fn max_epochs_runs_from_one_to_the_longest_schedule_then_all() {
    let mut app = mid_training(false);
    app.on_key(Key::Down);
    app.on_key(Key::Down);
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
    for _ in 0..5 {
        app.on_key(Key::Down);
    }
    assert_eq!(app.stop().selected_row(), StopRow::MaxEpochs);
}

#[test]
fn nothing_is_sent_before_the_run_has_a_rule() {
    let mut app = fresh();
    app.on_key(Key::Right);
    assert_eq!(app.on_key(Key::Enter), None);
}

#[test]
fn p_pauses_and_resumes_but_shows_paused_only_after_the_echo() {
    let mut app = mid_training(false);
    assert_eq!(app.on_key(Key::Char('p')), Some(Command::Pause));
    assert!(!app.is_paused());
    assert_eq!(app.pause_requested(), Some(true));
    app.on_event(&Event::Paused);
    assert!(app.is_paused());
    assert_eq!(app.pause_requested(), None);
    assert_eq!(app.on_key(Key::Char('p')), Some(Command::Resume));
    assert!(app.is_paused(), "still paused until Resumed arrives");
    app.on_event(&Event::Resumed);
    assert!(!app.is_paused());
}

#[test]
fn q_while_training_asks_and_y_quits_after_the_worker_confirms() {
    let mut app = mid_training(false);
    assert_eq!(app.on_key(Key::Char('q')), None);
    assert_eq!(app.overlay(), Overlay::ConfirmQuit);
    assert!(!app.should_quit());
    assert_eq!(app.on_key(Key::Char('y')), Some(Command::Quit));
    assert_eq!(app.overlay(), Overlay::None);
    assert!(app.is_stopping());
    assert!(!app.should_quit(), "waits for the worker");
    // Keys that would change training do nothing while stopping.
    assert_eq!(app.on_key(Key::Char('p')), None);
    app.on_event(&Event::RunAborted {
        reason: "quit by user".into(),
    });
    assert!(app.should_quit());
    assert_eq!(app.exit(), TuiExit::Aborted);
}

#[test]
fn n_and_esc_cancel_the_quit_dialog() {
    let mut app = mid_training(false);
    for cancel in [Key::Char('n'), Key::Esc] {
        app.on_key(Key::Char('q'));
        assert_eq!(app.on_key(Key::Char('x')), None, "other keys do nothing");
        assert_eq!(app.overlay(), Overlay::ConfirmQuit);
        assert_eq!(app.on_key(cancel), None);
        assert_eq!(app.overlay(), Overlay::None);
        assert!(!app.should_quit());
    }
}

#[test]
fn a_second_ctrl_c_confirms_and_a_third_leaves_without_waiting() {
    let mut app = mid_training(false);
    assert_eq!(app.on_key(Key::CtrlC), None);
    assert_eq!(app.overlay(), Overlay::ConfirmQuit);
    assert_eq!(app.on_key(Key::CtrlC), Some(Command::Quit));
    assert!(!app.should_quit());
    assert_eq!(app.on_key(Key::Char('q')), None);
    assert!(!app.should_quit(), "q does not abandon the worker");
    assert_eq!(app.on_key(Key::CtrlC), None);
    assert!(app.should_quit());
    assert_eq!(app.exit(), TuiExit::QuitBeforeEnd);
}

#[test]
fn q_after_the_run_finished_quits_at_once() {
    let mut app = finished();
    assert!(matches!(app.outcome(), Some(Outcome::Finished { .. })));
    assert_eq!(app.on_key(Key::Char('q')), None);
    assert!(app.should_quit());
    assert_eq!(app.exit(), TuiExit::Finished);
}

#[test]
fn a_finished_run_ignores_training_keys() {
    let mut app = finished();
    assert_eq!(app.on_key(Key::Char('p')), None);
    app.on_key(Key::Right);
    assert_eq!(app.on_key(Key::Enter), None);
    assert!(!app.stop().is_edited());
}

#[test]
fn finished_run_summarises_student_kd_against_scratch() {
    let app = finished();
    assert_eq!(
        app.student_summary().as_deref(),
        Some("student kd 82.6% vs scratch 81.7% (+0.9 pp) · test 82.2% vs 81.3%")
    );
    let last = &app.log().lines().iter().rev().nth(1).unwrap().text;
    assert!(last.starts_with("run finished in 12:34 · student kd 82.6% vs scratch 81.7%"));
}

#[test]
fn a_quit_dialog_open_when_the_run_ends_closes() {
    let mut app = mid_training(false);
    app.on_key(Key::Char('q'));
    app.on_event(&Event::RunFailed {
        error: "boom".into(),
    });
    assert_eq!(app.overlay(), Overlay::None);
    assert!(!app.should_quit(), "the failure stays on screen until q");
    app.on_key(Key::Char('q'));
    assert_eq!(app.exit(), TuiExit::Failed("boom".into()));
}

#[test]
fn losing_the_worker_without_a_terminal_event_is_a_failure() {
    let mut app = mid_training(false);
    app.on_disconnected();
    assert_eq!(
        app.outcome(),
        Some(&Outcome::Failed {
            error: "worker stopped unexpectedly".into()
        })
    );
    assert!(!app.should_quit());
    // After a terminal event a closing channel is the normal end, not a second failure.
    let mut done = finished();
    done.on_disconnected();
    assert!(matches!(done.outcome(), Some(Outcome::Finished { .. })));
}

#[test]
fn a_failed_send_is_shown_and_a_failed_quit_leaves() {
    let mut app = mid_training(false);
    let cmd = app.on_key(Key::Char('p')).unwrap();
    app.on_send_failed(&cmd);
    assert_eq!(app.pause_requested(), None);
    let last = app.log().lines().back().unwrap();
    assert_eq!(last.level, LogLevel::Error);
    assert_eq!(last.text, "could not send pause: the worker is gone");
    assert!(!app.should_quit());

    app.on_key(Key::Char('q'));
    let quit = app.on_key(Key::Char('y')).unwrap();
    app.on_send_failed(&quit);
    assert!(app.should_quit());
    assert_eq!(app.exit(), TuiExit::QuitBeforeEnd);
}

#[test]
fn help_opens_with_question_mark_and_closes_with_esc_or_question_mark() {
    let mut app = mid_training(false);
    for close in [Key::Esc, Key::Char('?')] {
        app.on_key(Key::Char('?'));
        assert_eq!(app.overlay(), Overlay::Help);
        assert_eq!(
            app.on_key(Key::Char('p')),
            None,
            "keys are inert under help"
        );
        app.on_key(close);
        assert_eq!(app.overlay(), Overlay::None);
    }
}

#[test]
fn tab_pins_the_chart_to_another_model_and_back() {
    let mut app = mid_training(false);
    assert_eq!(app.chart_stage(), Some(2));
    app.on_key(Key::Tab);
    assert_eq!(app.chart_stage(), Some(0));
    assert!(app.chart_is_pinned());
    app.on_key(Key::BackTab);
    assert_eq!(app.chart_stage(), Some(2));
    assert!(
        !app.chart_is_pinned(),
        "back on the current stage: follows it again"
    );
}

#[test]
fn log_scrolls_back_and_end_follows_again() {
    let mut app = mid_training(false);
    app.on_key(Key::PageUp);
    assert_eq!(app.log_scroll(), 5);
    app.on_event(&Event::Log {
        level: LogLevel::Info,
        message: "new".into(),
    });
    assert_eq!(app.log_scroll(), 6, "the view stays on the same lines");
    app.on_key(Key::End);
    assert_eq!(app.log_scroll(), 0);
}

#[test]
fn elapsed_and_eta_follow_the_injected_clock() {
    let mut script = Script::new(fresh());
    through_ta(&mut script);
    // The run started at 1 s; the TA's epochs are measured, the student's not yet.
    script.app.tick(Duration::from_secs(61));
    assert_eq!(script.app.run_elapsed(), Duration::from_secs(60));
    // Between stages: the student's 8 epochs × 2 arms, scaled from the TA's 4 s per arm-epoch by
    // the MAC ratio 25,450 / 101,770.
    let eta = script.app.eta_seconds().unwrap();
    assert!(
        (eta - 16.0 * 4.0 * 25_450.0 / 101_770.0).abs() < 1e-9,
        "{eta}"
    );

    let mut fresh_app = fresh();
    fresh_app.tick(Duration::from_secs(5));
    assert_eq!(fresh_app.eta_seconds(), None, "nothing measured yet");
}

#[test]
fn a_teacher_with_loaded_weights_is_ready_once_the_next_stage_starts() {
    let mut plan = tui_fixture::plan();
    plan.nodes[0].weights = Some("weights/teacher.safetensors".into());
    plan.nodes[0].epochs = 0;
    let mut app = fresh();
    app.on_event(&Event::RunStarted {
        preset: "fashion-quick".into(),
        run_dir: "runs/x".into(),
        started_at: "2026-11-29T12:00:00Z".into(),
        plan,
        stop_rule: rule(),
    });
    assert_eq!(app.nodes()[0].status(), NodeStatus::Waiting);
    app.on_event(&Event::StageStarted {
        stage: 1,
        model: "ta".into(),
        epochs: 8,
        batches_per_epoch: 422,
        arms: vec![ArmKind::Kd, ArmKind::Scratch],
    });
    assert_eq!(app.nodes()[0].status(), NodeStatus::Loaded);
    assert_eq!(app.current_stage(), Some(1));
}

#[test]
fn an_unchanged_rule_echo_is_not_logged_again() {
    let mut app = mid_training(false);
    let before = app.log().len();
    app.on_event(&Event::StopRuleApplied { rule: rule() });
    assert_eq!(app.log().len(), before);
    let changed = StopRule {
        patience: 1,
        ..rule()
    };
    app.on_event(&Event::StopRuleApplied { rule: changed });
    assert_eq!(app.log().len(), before + 1);
}
