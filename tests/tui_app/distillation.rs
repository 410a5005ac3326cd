use super::*;

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
    // The result box lists the stop and the resume, not just the stop.
    let summary = app.stop_summary().unwrap();
    assert!(summary.contains("student @4 "), "{summary}");
    assert!(summary.ends_with("(labels), resumed after 6"), "{summary}");
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
                format!(
                    "{key}: the teacher is trained from labels; there is no distillation to {}",
                    if key == 's' { "stop" } else { "resume" }
                )
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
    // The whole curve, as older events.jsonl files hold it (and as sent after a rule change).
    app.on_event(&Event::Advantage {
        stage: 2,
        model: "student".into(),
        epoch: 0,
        delta: AdvantageDelta::Curve(vec![Some(0.5), None, Some(-0.25), Some(-0.5)]),
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
        epoch: 0,
        delta: AdvantageDelta::Curve(vec![]),
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

#[test]
fn advantage_values_one_per_epoch_build_the_curve() {
    let mut app = distilling();
    let value = |epoch, delta| Event::Advantage {
        stage: 2,
        model: "student".into(),
        epoch,
        delta: AdvantageDelta::Value(delta),
    };
    app.on_event(&value(1, Some(0.5)));
    app.on_event(&value(2, None));
    app.on_event(&value(3, Some(-0.25)));
    assert_eq!(app.nodes()[2].advantage, vec![Some(0.5), None, Some(-0.25)]);
    // A value after a gap pads with undefined epochs; a replayed epoch replaces the tail.
    app.on_event(&value(5, Some(1.0)));
    assert_eq!(app.nodes()[2].advantage.len(), 5);
    app.on_event(&value(2, Some(0.1)));
    assert_eq!(app.nodes()[2].advantage, vec![Some(0.5), Some(0.1)]);
    // An event in the old form (no epoch, the whole curve) still reads.
    let old: Event = serde_json::from_str(
        r#"{"event":"advantage","stage":2,"model":"student","delta":[0.25,null,0.75]}"#,
    )
    .unwrap();
    app.on_event(&old);
    assert_eq!(app.nodes()[2].advantage, vec![Some(0.25), None, Some(0.75)]);
}
