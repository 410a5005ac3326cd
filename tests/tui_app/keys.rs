use super::*;

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
fn keys_that_cannot_act_say_why_in_the_log() {
    // p, ←/→ and enter after the run: each says so instead of doing nothing silently.
    let mut app = finished();
    let said = |app: &mut mkd_tui::tui::App, key| {
        let before = app.log().len();
        assert_eq!(app.on_key(key), None);
        assert_eq!(app.log().len(), before + 1, "{key:?} says something");
        last_log(app)
    };
    assert_eq!(
        said(&mut app, Key::Char('p')),
        (
            LogLevel::Warn,
            "p: the run is over: nothing to pause or resume".into()
        )
    );
    assert_eq!(
        said(&mut app, Key::Right).1,
        "→: the run is over: the stop rule can no longer change"
    );
    assert_eq!(
        said(&mut app, Key::Enter).1,
        "enter: the run is over: the stop rule can no longer change"
    );
    // While quitting, p says the run is stopping.
    let mut app = distilling();
    app.on_key(Key::Char('q'));
    app.on_key(Key::Char('y'));
    assert_eq!(
        said(&mut app, Key::Char('p')).1,
        "p: the run is stopping: nothing to pause or resume"
    );
    // Enter with the rule unchanged has nothing to send, and says so.
    let mut app = distilling();
    assert_eq!(
        said(&mut app, Key::Enter).1,
        "enter: the stop rule is unchanged: nothing to apply"
    );
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
    // Between stages: the work left at the rate of the work done in the 60 s so far, in MACs per
    // image (3·M an arm-epoch; the teachers' logits are cached, the TA's cached scratch arm costs
    // nothing). Done: teacher 4·3·535,818 + TA kd 5·3·101,770 = 7,956,366. Left: the student's 3
    // arms × 8 epochs × 3·25,450 = 1,832,400.
    let eta = script.app.eta_seconds().unwrap();
    assert!(
        (eta - 1_832_400.0 * 60.0 / 7_956_366.0).abs() < 1e-9,
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
