//! The front end's state machine without a terminal: scripted worker events and key presses.

mod tui_fixture;

use std::time::Duration;

use mkd_tui::protocol::{ArmKind, Command, Event, LogLevel};
use mkd_tui::stop::{AfterStop, StopKind, StopRule};
use mkd_tui::tui::{Key, NodeStatus, Outcome, Overlay, StopRow, TuiExit, LOG_CAPACITY};
use tui_fixture::{distilling, finished, fresh, mid_training, rule, through_ta, Script};

#[test]
fn scripted_run_updates_every_model() {
    let app = mid_training(false);
    let nodes = app.nodes();
    assert_eq!(nodes.len(), 3);
    assert_eq!(app.current_stage(), Some(2));
    assert_eq!(nodes[0].status(), NodeStatus::Done);
    assert_eq!(
        nodes[1].status(),
        NodeStatus::Stopped {
            epoch: 5,
            kind: StopKind::Drop
        }
    );
    assert_eq!(
        nodes[2].status(),
        NodeStatus::Labels {
            stopped_at: 4,
            kind: StopKind::Margin,
            epoch: 6,
            epochs: 8
        }
    );
    assert_eq!(nodes[0].best_val(ArmKind::Scratch), Some(89.4));
    assert_eq!(nodes[1].best_val(ArmKind::Kd), Some(86.9));
    assert_eq!(nodes[1].best_val(ArmKind::Scratch), Some(87.0));
    assert!(nodes[1].is_cached(ArmKind::Scratch));
    assert!(!nodes[2].is_cached(ArmKind::Scratch));
    assert_eq!(
        nodes[2].controls(),
        &[ArmKind::Scratch, ArmKind::KdFromTeacher]
    );
    assert_eq!(nodes[2].epochs_done(ArmKind::KdFromTeacher), 5);
    let batch = nodes[2].batch[&ArmKind::Kd];
    assert_eq!((batch.epoch, batch.batch, batch.batches), (6, 211, 422));
    assert_eq!(
        nodes[2].val_curve(ArmKind::Scratch),
        vec![
            (1.0, 77.9),
            (2.0, 80.6),
            (3.0, 82.0),
            (4.0, 82.7),
            (5.0, 83.0)
        ]
    );
    // The advantage as the rule in force computes it, one value per epoch.
    assert_eq!(nodes[2].advantage.len(), 5);
    let (epoch, latest) = nodes[2].latest_advantage().unwrap();
    assert_eq!(epoch, 5);
    assert!((latest - (-0.3125)).abs() < 1e-9, "{latest}");
    let stop = nodes[2].kd_stop().unwrap();
    assert_eq!(
        (stop.epoch, stop.kind, stop.after),
        (4, StopKind::Margin, AfterStop::Labels)
    );
    assert!(!nodes[2].kd_on());
    assert!(!nodes[2].stage_ended());
}

#[test]
fn log_has_one_line_per_lifecycle_event_with_times() {
    let app = mid_training(false);
    let lines: Vec<&str> = app.log().lines().iter().map(|l| l.text.as_str()).collect();
    assert!(lines
        .iter()
        .any(|l| l.starts_with("run fashion-quick started")));
    assert!(lines.contains(&"stage 2/3 ta · mlp-128 · 8 ep × 422 batches · kd + scratch"));
    assert!(lines.contains(
        &"stage 3/3 student · mlp-32 · 8 ep × 422 batches · kd + scratch + kd-from-teacher (kft)"
    ));
    assert!(lines.contains(&"ta kd ep 3/8 loss 0.300 val 86.0% test 85.6% 10,800 img/s"));
    assert!(lines.contains(&"ta scratch ep 3/8 val 85.0% test 84.6% (cached)"));
    assert!(
        lines.contains(&"student kd ep 5/8 loss 0.180 val 82.7% test 82.3% 27,000 img/s (labels)")
    );
    assert!(lines.contains(&"student kft ep 5/8 loss 0.180 val 82.9% test 82.5% 27,000 img/s"));
    assert!(lines
        .contains(&"ta scratch: control curve from the cache .control-cache/mlp-128-3f2a9c.json"));
    assert!(lines.contains(
        &"ta KD stopped @5 (drop), stage ends: Δ 0.30 pp fell more than drop 0.30 pp below its best 1.20 pp for 2 epochs"
    ), "{lines:#?}");
    assert!(lines.iter().any(|l| {
        l.starts_with(
        "student KD stopped @4 (margin), labels from ep 5: Δ −0.32 pp ≤ margin 0.00 pp for 2 epochs"
    )
    }));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("stop rule applied: ") && l.ends_with("after labels")));
    assert!(lines.contains(&"saved teacher scratch ep 4 → teacher-scratch.safetensors"));
    assert!(lines.contains(&"ta kd done: best val 86.9% @ep 5 · test 86.5% · 5 ep in 00:30"));
    assert!(lines
        .contains(&"ta scratch (cached) done: best val 87.0% @ep 5 · test 86.6% · 5 ep in 00:00"));
    // Progress and advantage events are not logged.
    assert!(!lines.iter().any(|l| l.contains("211/422")));
    assert!(!lines.iter().any(|l| l.contains("advantage")));
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
    assert_eq!(app.stop().selected_row(), StopRow::Margin);
    assert_eq!(app.on_key(Key::Right), None);
    assert_eq!(app.stop().pending().margin, 0.05);
    assert_eq!(app.stop().applied(), Some(&rule()));
    assert!(app.stop().row_differs(StopRow::Margin));
    assert!(!app.stop().row_differs(StopRow::Patience));
}

/// Each row with the key that changes it once, and the rule expected after that one key.
fn one_edit_per_row() -> Vec<(StopRow, Key, StopRule)> {
    let r = rule();
    vec![
        (
            StopRow::Patience,
            Key::Right,
            StopRule {
                patience: 3,
                ..r.clone()
            },
        ),
        (
            StopRow::Margin,
            Key::Left,
            StopRule {
                margin: -0.05,
                ..r.clone()
            },
        ),
        (
            StopRow::Drop,
            Key::Right,
            StopRule {
                drop: 0.35,
                ..r.clone()
            },
        ),
        (
            StopRow::MinEpochs,
            Key::Right,
            StopRule {
                min_epochs: 3,
                ..r.clone()
            },
        ),
        (
            StopRow::Ema,
            Key::Left,
            StopRule {
                ema: 0.45,
                ..r.clone()
            },
        ),
        // ← from "all" starts at the longest schedule.
        (
            StopRow::MaxEpochs,
            Key::Left,
            StopRule {
                max_epochs: Some(8),
                ..r.clone()
            },
        ),
        (
            StopRow::AfterStop,
            Key::Right,
            StopRule {
                after_stop: AfterStop::Finish,
                ..r.clone()
            },
        ),
    ]
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

/// Presses `key` `n` times on the row `down` rows below the top.
fn press(app: &mut mkd_tui::tui::App, down: usize, key: Key, n: usize) {
    for _ in 0..10 {
        app.on_key(Key::Up);
    }
    for _ in 0..down {
        app.on_key(Key::Down);
    }
    for _ in 0..n {
        app.on_key(key);
    }
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
fn finished_run_summarises_student_kd_against_its_best_control_and_the_stops() {
    let app = finished();
    // scratch (83.6%) beats kd-from-teacher (83.5%): the comparison is with scratch.
    assert_eq!(
        app.student_summary().as_deref(),
        Some("student kd test 83.0% vs scratch 83.2% (-0.2 pp) · best val 83.4% vs 83.6%")
    );
    assert_eq!(
        app.stop_summary().as_deref(),
        Some("KD stopped: ta @5 drop (finish) · student @4 margin (labels)")
    );
    let last = &app.log().lines().iter().rev().nth(1).unwrap().text;
    assert!(last.starts_with("run finished in 12:34 · student kd test 83.0% vs scratch 83.2%"));
    assert_eq!(app.nodes()[2].status(), NodeStatus::Done);
    assert_eq!(app.nodes()[2].kd_stop().map(|s| s.epoch), Some(4));
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
    // Between stages: the student's 8 epochs × 3 arms, scaled from the TA's 5 s per trained
    // arm-epoch (its cached scratch arm costs nothing) by the MAC ratio 25,450 / 101,770.
    let eta = script.app.eta_seconds().unwrap();
    assert!(
        (eta - 24.0 * 5.0 * 25_450.0 / 101_770.0).abs() < 1e-9,
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

// ---- stop / resume distillation by hand -----------------------------------------------------

fn last_log(app: &mkd_tui::tui::App) -> (LogLevel, String) {
    let line = app.log().lines().back().unwrap();
    (line.level, line.text.clone())
}

#[test]
fn s_stops_distillation_of_the_model_being_distilled_and_waits_for_the_echo() {
    let mut app = distilling();
    assert!(app.nodes()[2].kd_on());
    assert_eq!(
        app.on_key(Key::Char('s')),
        Some(Command::StopKd {
            model: "student".into()
        })
    );
    assert_eq!(
        last_log(&app),
        (
            LogLevel::Info,
            "asked to stop distilling student at the end of epoch 3".into()
        )
    );
    // Not stopped before the worker says so; a second s sends nothing.
    assert!(app.nodes()[2].kd_on());
    assert_eq!(
        app.nodes()[2].kd_request,
        Some(mkd_tui::tui::KdRequest::Stop { epoch: 3 })
    );
    assert_eq!(app.on_key(Key::Char('s')), None);
    assert!(last_log(&app).1.starts_with("s: already asked"));
    // r before the stop took effect sends nothing either.
    assert_eq!(app.on_key(Key::Char('r')), None);

    app.on_event(&Event::StopDecision {
        stage: 2,
        model: "student".into(),
        epoch: 3,
        kind: StopKind::Manual,
        reason: "stopped by hand at epoch 3".into(),
        delta: Some(-0.1),
        best_delta: Some(0.3),
        after: AfterStop::Labels,
    });
    let node = &app.nodes()[2];
    assert_eq!(node.kd_request, None);
    assert!(!node.kd_on());
    assert!(matches!(
        node.status(),
        NodeStatus::Labels {
            stopped_at: 3,
            kind: StopKind::Manual,
            ..
        }
    ));
    assert_eq!(
        last_log(&app).1,
        "student KD stopped @3 (manual), labels from ep 4: stopped by hand at epoch 3"
    );
}

#[test]
fn r_resumes_a_stopped_distillation_and_the_echo_turns_it_back_on() {
    let mut app = mid_training(false);
    assert_eq!(
        app.on_key(Key::Char('r')),
        Some(Command::ResumeKd {
            model: "student".into()
        })
    );
    assert_eq!(
        last_log(&app).1,
        "asked to resume distilling student at the end of epoch 6"
    );
    assert_eq!(app.on_key(Key::Char('r')), None, "asked once");
    assert_eq!(app.on_key(Key::Char('s')), None, "nothing to stop yet");

    app.on_event(&Event::DistillationResumed {
        stage: 2,
        model: "student".into(),
        epoch: 6,
    });
    let node = &app.nodes()[2];
    assert_eq!(node.kd_request, None);
    assert!(node.kd_on());
    assert_eq!(node.resumed_after(), Some(6));
    assert_eq!(node.stops().count(), 1, "the stop stays in the history");
    assert_eq!(
        last_log(&app).1,
        "student KD resumed after epoch 6: the teacher is back from ep 7"
    );
    // Distillation is on again: s stops it, r explains why not.
    assert_eq!(app.on_key(Key::Char('r')), None);
    assert_eq!(
        last_log(&app),
        (
            LogLevel::Warn,
            "r: distillation of student is on; s stops it".into()
        )
    );
    assert!(matches!(
        app.on_key(Key::Char('s')),
        Some(Command::StopKd { .. })
    ));
}

#[test]
fn s_and_r_say_why_not_instead_of_sending() {
    // Already stopped: s explains, r is the way back.
    let mut app = mid_training(false);
    assert_eq!(app.on_key(Key::Char('s')), None);
    assert_eq!(
        last_log(&app),
        (
            LogLevel::Warn,
            "s: distillation of student is already stopped (since epoch 4); r resumes it".into()
        )
    );
    // While distilling, r has nothing to resume.
    let mut app = distilling();
    assert_eq!(app.on_key(Key::Char('r')), None);
    assert_eq!(
        last_log(&app).1,
        "r: distillation of student is on; s stops it"
    );

    // The teacher's stage is not distilled.
    let mut script = Script::new(fresh());
    script.send(Event::RunStarted {
        preset: "fashion-quick".into(),
        run_dir: "runs/x".into(),
        started_at: "2026-11-29T12:00:00Z".into(),
        plan: tui_fixture::plan(),
        stop_rule: rule(),
    });
    assert_eq!(script.app.on_key(Key::Char('s')), None);
    assert_eq!(
        last_log(&script.app).1,
        "s: no stage has started yet: nothing to stop"
    );
    script.send(Event::StageStarted {
        stage: 0,
        model: "teacher".into(),
        epochs: 4,
        batches_per_epoch: 422,
        arms: vec![ArmKind::Scratch],
    });
    for key in ['s', 'r'] {
        assert_eq!(script.app.on_key(Key::Char(key)), None);
        assert_eq!(
            last_log(&script.app),
            (
                LogLevel::Warn,
                format!("{key}: teacher is not distilled: it learns from labels only")
            )
        );
    }

    // A stage that ended at its stop (finish) cannot be resumed.
    let mut script = Script::new(fresh());
    through_ta(&mut script);
    assert_eq!(script.app.current_stage(), Some(1));
    assert_eq!(script.app.on_key(Key::Char('r')), None);
    assert_eq!(
        last_log(&script.app).1,
        "r: the stage of ta is over: nothing to resume until the next one starts"
    );

    // After the run, and while quitting, nothing is sent.
    let mut app = finished();
    assert_eq!(app.on_key(Key::Char('s')), None);
    assert_eq!(last_log(&app).1, "s: the run is over");
    let mut app = distilling();
    app.on_key(Key::Char('q'));
    app.on_key(Key::Char('y'));
    assert_eq!(app.on_key(Key::Char('s')), None);
    assert_eq!(last_log(&app).1, "s: the run is stopping");
}

#[test]
fn keys_are_inert_under_help_and_the_quit_dialog() {
    let mut app = distilling();
    app.on_key(Key::Char('?'));
    assert_eq!(app.on_key(Key::Char('s')), None);
    app.on_key(Key::Esc);
    app.on_key(Key::Char('q'));
    assert_eq!(app.on_key(Key::Char('s')), None);
    assert_eq!(app.overlay(), Overlay::ConfirmQuit);
    assert_eq!(app.nodes()[2].kd_request, None);
}

#[test]
fn a_request_the_worker_let_pass_is_dropped_after_the_next_epoch() {
    let mut app = distilling();
    app.on_key(Key::Char('s')); // for the end of epoch 3
    for (arm, val) in [
        (ArmKind::Kd, 81.4),
        (ArmKind::Scratch, 82.0),
        (ArmKind::KdFromTeacher, 81.9),
    ] {
        app.on_event(&tui_fixture::record(2, "student", arm, 3, val, 2.0));
    }
    assert!(
        app.nodes()[2].kd_request.is_some(),
        "epoch 3 may still answer"
    );
    app.on_event(&tui_fixture::record(
        2,
        "student",
        ArmKind::Kd,
        4,
        82.0,
        2.0,
    ));
    assert_eq!(app.nodes()[2].kd_request, None);
    assert_eq!(
        last_log(&app),
        (
            LogLevel::Warn,
            "student: the stop of distillation asked for epoch 3 was not applied".into()
        )
    );
}

#[test]
fn a_failed_stop_kd_send_clears_the_request() {
    let mut app = distilling();
    let cmd = app.on_key(Key::Char('s')).unwrap();
    app.on_send_failed(&cmd);
    assert_eq!(app.nodes()[2].kd_request, None);
    assert_eq!(
        last_log(&app).1,
        "could not send stop KD: the worker is gone"
    );
}

// ---- the stop rule's events -----------------------------------------------------------------

#[test]
fn stop_decisions_set_the_state_of_their_model() {
    let app = mid_training(false);
    let ta = &app.nodes()[1];
    let stop = ta.kd_stop().unwrap();
    assert_eq!(
        (stop.epoch, stop.kind, stop.after),
        (5, StopKind::Drop, AfterStop::Finish)
    );
    assert!(stop.ends_stage());
    assert!((stop.best_delta.unwrap() - 1.2).abs() < 1e-9);
    assert!(stop
        .reason
        .starts_with("Δ 0.30 pp fell more than drop 0.30 pp"));

    // max_epochs ends a stage whatever `after` says.
    let mut app = distilling();
    app.on_event(&Event::StopDecision {
        stage: 2,
        model: "student".into(),
        epoch: 2,
        kind: StopKind::MaxEpochs,
        reason: "max_epochs 2 reached".into(),
        delta: None,
        best_delta: None,
        after: AfterStop::Labels,
    });
    assert_eq!(
        app.nodes()[2].status(),
        NodeStatus::Stopped {
            epoch: 2,
            kind: StopKind::MaxEpochs
        }
    );
    assert_eq!(
        last_log(&app).1,
        "student stage ends after epoch 2: max_epochs 2 reached"
    );
    assert_eq!(app.eta_seconds(), Some(0.0), "nothing left to train");
}

#[test]
fn advantage_replaces_the_curve_and_skips_undefined_epochs() {
    let mut app = distilling();
    assert_eq!(app.nodes()[2].advantage.len(), 2);
    app.on_event(&Event::Advantage {
        stage: 2,
        model: "student".into(),
        delta: vec![Some(0.5), None, Some(-0.25), Some(-0.5)],
    });
    let node = &app.nodes()[2];
    assert_eq!(node.advantage.len(), 4);
    assert_eq!(node.latest_advantage(), Some((4, -0.5)));
    assert_eq!(
        node.advantage_segments(),
        vec![vec![(1.0, 0.5)], vec![(3.0, -0.25), (4.0, -0.5)]]
    );
    let before = app.log().len();
    app.on_event(&Event::Advantage {
        stage: 2,
        model: "student".into(),
        delta: vec![],
    });
    assert_eq!(app.nodes()[2].latest_advantage(), None);
    assert_eq!(app.log().len(), before, "not logged");
}

#[test]
fn control_cached_marks_the_arm_before_its_stage_starts() {
    let mut script = Script::new(fresh());
    through_ta(&mut script);
    let app = &mut script.app;
    app.on_event(&Event::ControlCached {
        stage: 2,
        model: "student".into(),
        arm: ArmKind::Scratch,
        path: "/home/u/.cache/mkd-tui/controls/mlp-32-77aa01.json".into(),
    });
    assert_eq!(
        last_log(app).1,
        "student scratch: control curve from the cache controls/mlp-32-77aa01.json"
    );
    app.on_event(&Event::StageStarted {
        stage: 2,
        model: "student".into(),
        epochs: 8,
        batches_per_epoch: 422,
        arms: tui_fixture::student_arms(),
    });
    let node = &app.nodes()[2];
    assert!(node.is_cached(ArmKind::Scratch));
    assert!(!node.is_cached(ArmKind::KdFromTeacher));
    assert_eq!(
        node.trained_arms().collect::<Vec<_>>(),
        vec![ArmKind::Kd, ArmKind::KdFromTeacher]
    );
}

/// `mkd-tui attach`: q leaves the viewer without a command to the run; X asks, and y stops the run.
#[test]
fn a_viewer_leaves_with_q_and_stops_the_run_only_with_x_confirmed() {
    use mkd_tui::tui::{App, TuiOptions};
    let viewer = || {
        let mut script = Script::new(App::new(TuiOptions {
            no_color: false,
            title: "run".into(),
            viewer: true,
        }));
        through_ta(&mut script);
        script.app
    };
    let mut app = viewer();
    assert!(app.is_running());
    assert_eq!(app.on_key(Key::Char('q')), None);
    assert!(app.should_quit());

    let mut app = viewer();
    assert_eq!(app.on_key(Key::Char('X')), None);
    assert_eq!(app.overlay(), Overlay::ConfirmQuit);
    assert_eq!(app.on_key(Key::Char('y')), Some(Command::Quit));
}

/// A viewer's clock starts at the run's age (`tui::run_with_clock`), so the header's elapsed time
/// is the run's, counted from its start, not from the viewer's first replayed event.
#[test]
fn a_viewer_shows_the_runs_elapsed_time_not_its_own() {
    use mkd_tui::tui::{App, TuiOptions};
    let options = |viewer| TuiOptions {
        no_color: false,
        title: "run".into(),
        viewer,
    };
    let mut script = Script::new(App::new(options(true)));
    // Attached 600 s into the run: the replay arrives within the viewer's first seconds.
    script.seconds = 600.0;
    through_ta(&mut script);
    assert_eq!(
        script.app.run_elapsed(),
        Duration::from_secs_f64(script.seconds)
    );

    // An in-process screen starts with the run: elapsed counts from `RunStarted`'s arrival.
    let mut script = Script::new(App::new(options(false)));
    script.seconds = 600.0;
    through_ta(&mut script);
    assert_eq!(
        script.app.run_elapsed(),
        Duration::from_secs_f64(script.seconds - 601.0)
    );
}
