//! The dynamic distillation stop end to end on small real data (digits): stop events, no teacher
//! forwards after a `labels` stop, `finish` ending the stage, manual stop and resume, a threshold
//! change re-evaluating the history at once, and the report listing the stops.

use mkd_tui::protocol::{ArmKind, ArmResult, Command, Event, FrontEndLink};
use mkd_tui::stop::{AfterStop, StopKind, StopRule};

mod session_support;
use session_support::{run_to_end, start, until};

/// Digits split of tiny-digits.yaml: 1797 rows − 300 test − 300 validation.
const TRAIN: u64 = 1197;

fn stops(events: &[Event]) -> Vec<(String, usize, StopKind, AfterStop)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::StopDecision {
                model,
                epoch,
                kind,
                after,
                ..
            } => Some((model.clone(), *epoch, *kind, *after)),
            _ => None,
        })
        .collect()
}

fn arm(events: &[Event], model: &str, kind: ArmKind) -> ArmResult {
    events
        .iter()
        .find_map(|e| match e {
            Event::StageFinished { model: m, arms, .. } if m == model => {
                arms.iter().find(|a| a.arm == kind).cloned()
            }
            _ => None,
        })
        .unwrap()
}

// margin 100 pp: "kd no better than the controls by 100 pp" holds at every epoch, so with
// min_epochs 1 and patience 1 every distilled model stops after epoch 1.
// These tests count per-batch teacher forward passes, so the teacher-logit cache is off.
const ALWAYS: [&str; 4] = [
    "stop.margin=100",
    "stop.min_epochs=1",
    "stop.patience=1",
    "distill.logit_cache=false",
];

#[test]
fn labels_stop_runs_the_schedule_without_teacher_forwards_after_the_stop() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let mut o = ALWAYS.to_vec();
    o.extend(["training.epochs=4", "stop.after_stop=labels"]);
    let events = run_to_end(&out, &o);
    assert_eq!(
        stops(&events),
        vec![
            ("ta1".into(), 1, StopKind::Margin, AfterStop::Labels),
            ("student".into(), 1, StopKind::Margin, AfterStop::Labels)
        ]
    );
    for model in ["ta1", "student"] {
        let kd = arm(&events, model, ArmKind::Kd);
        assert_eq!(
            kd.epochs_run, 4,
            "labels mode trains to the end of the schedule"
        );
        assert_eq!(kd.distilled_epochs, 1);
        // One epoch with the teacher, three with labels only: exactly one pass of the training set.
        assert_eq!(kd.teacher_forwards, TRAIN);
        assert_eq!(arm(&events, model, ArmKind::Scratch).teacher_forwards, 0);
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let student = report["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "student")
        .unwrap();
    let stop = &student["stopped_early"];
    assert_eq!(stop["epoch"], 1);
    assert_eq!(stop["kind"], "margin");
    assert_eq!(stop["after"], "labels");
    assert_eq!(stop["teacher_forwards_saved"], 3 * TRAIN);
    assert!(stop["test_acc_at_stop"].as_f64().unwrap() > 10.0);
    assert_eq!(report["teacher_forwards_saved"], 2 * 3 * TRAIN);
    assert_eq!(report["teacher_forwards"], 2 * TRAIN);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("## Distillation stops")
            && md.contains("| student | 1 | 4 | margin | labels |"),
        "{md}"
    );
}

#[test]
fn finish_stop_ends_the_stage_at_the_stop_epoch() {
    let tmp = tempfile::tempdir().unwrap();
    let mut o = ALWAYS.to_vec();
    o.extend(["training.epochs=4", "stop.after_stop=finish"]);
    let events = run_to_end(&tmp.path().join("run"), &o);
    for model in ["ta1", "student"] {
        for kind in [ArmKind::Kd, ArmKind::Scratch] {
            assert_eq!(arm(&events, model, kind).epochs_run, 1, "{model} {kind:?}");
        }
    }
    assert_eq!(
        arm(&events, "teacher", ArmKind::Scratch).epochs_run,
        4,
        "the teacher is not distilled"
    );
}

#[test]
fn a_rule_that_never_fires_distils_every_epoch() {
    let tmp = tempfile::tempdir().unwrap();
    let events = run_to_end(
        &tmp.path().join("run"),
        &[
            "training.epochs=3",
            "stop.margin=-100",
            "stop.drop=100",
            "distill.logit_cache=false",
        ],
    );
    assert!(stops(&events).is_empty(), "{:?}", stops(&events));
    let kd = arm(&events, "student", ArmKind::Kd);
    assert_eq!((kd.distilled_epochs, kd.teacher_forwards), (3, 3 * TRAIN));
    // The advantage curve is sent after each epoch of the distilled stages.
    let last = events
        .iter()
        .filter_map(|e| match e {
            Event::Advantage { model, epoch, .. } if model == "student" => Some(*epoch),
            _ => None,
        })
        .next_back();
    assert_eq!(last, Some(3));
}

/// Pause during `ta1`'s stage, send `commands`, resume; returns after the pause.
fn while_paused_in_ta1(link: &FrontEndLink, commands: Vec<Command>) {
    until(
        link,
        |e| matches!(e, Event::EpochEnd(r) if r.model == "ta1"),
    );
    link.commands.send(Command::Pause).unwrap();
    until(link, |e| *e == Event::Paused);
    for c in commands {
        link.commands.send(c).unwrap();
    }
    link.commands.send(Command::Resume).unwrap();
}

#[test]
fn manual_stop_then_resume_of_the_assistant() {
    let tmp = tempfile::tempdir().unwrap();
    let (link, worker) = start(
        &tmp.path().join("run"),
        &[
            "training.epochs=40",
            "stop.margin=-100",
            "stop.drop=100",
            "distill.logit_cache=false",
        ],
    );
    while_paused_in_ta1(
        &link,
        vec![Command::StopKd {
            model: "ta1".into(),
        }],
    );
    let seen = until(&link, |e| matches!(e, Event::StopDecision { .. }));
    let Some(Event::StopDecision {
        model,
        epoch: stopped,
        kind,
        after,
        ..
    }) = seen.last().cloned()
    else {
        unreachable!()
    };
    assert_eq!(
        (model.as_str(), kind, after),
        ("ta1", StopKind::Manual, AfterStop::Labels)
    );
    link.commands.send(Command::Pause).unwrap();
    until(&link, |e| *e == Event::Paused);
    link.commands
        .send(Command::ResumeKd {
            model: "ta1".into(),
        })
        .unwrap();
    link.commands.send(Command::Resume).unwrap();
    let seen = until(&link, |e| matches!(e, Event::DistillationResumed { .. }));
    let Some(Event::DistillationResumed {
        model,
        epoch: resumed,
        ..
    }) = seen.last().cloned()
    else {
        unreachable!()
    };
    assert_eq!(model, "ta1");
    assert!(resumed >= stopped);
    let events = until(&link, Event::is_terminal);
    worker.join().unwrap();
    let kd = arm(&events, "ta1", ArmKind::Kd);
    // Distilled up to the stop, not between the stop and the resume, then again to the end.
    assert_eq!(kd.distilled_epochs, stopped + (40 - resumed));
    assert_eq!(kd.teacher_forwards, kd.distilled_epochs as u64 * TRAIN);
}

#[test]
fn lowering_a_threshold_mid_run_stops_at_the_next_epoch_end() {
    let tmp = tempfile::tempdir().unwrap();
    let (link, worker) = start(
        &tmp.path().join("run"),
        &["training.epochs=40", "stop.margin=-100", "stop.drop=100"],
    );
    let rule = StopRule {
        margin: 100.0,
        min_epochs: 1,
        patience: 1,
        ..StopRule::default()
    };
    while_paused_in_ta1(&link, vec![Command::SetStopRule(rule.clone())]);
    let seen = until(&link, |e| matches!(e, Event::StopDecision { .. }));
    let applied = seen
        .iter()
        .rposition(|e| *e == Event::StopRuleApplied { rule: rule.clone() })
        .expect("echoed before the decision");
    // The history already satisfies the new rule: the stop comes at the same epoch end.
    let epoch_ends_between = seen[applied..]
        .iter()
        .filter(|e| matches!(e, Event::EpochEnd(_)))
        .count();
    assert_eq!(epoch_ends_between, 0, "{:?}", &seen[applied..]);
    assert!(matches!(
        seen.last(),
        Some(Event::StopDecision {
            kind: StopKind::Margin,
            ..
        })
    ));
    link.commands.send(Command::Quit).unwrap();
    until(&link, Event::is_terminal);
    worker.join().unwrap();
}

#[test]
fn stop_for_a_model_not_in_training_is_refused_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let (link, worker) = start(&tmp.path().join("run"), &["training.epochs=40"]);
    while_paused_in_ta1(
        &link,
        vec![Command::StopKd {
            model: "student".into(),
        }],
    );
    let seen = until(
        &link,
        |e| matches!(e, Event::Log { message, .. } if message.contains("cannot stop")),
    );
    assert!(!seen.iter().any(|e| matches!(
        e,
        Event::StopDecision {
            kind: StopKind::Manual,
            ..
        }
    )));
    link.commands.send(Command::Quit).unwrap();
    until(&link, Event::is_terminal);
    worker.join().unwrap();
}

#[test]
fn with_the_logit_cache_each_teacher_runs_once_per_stage_and_a_stop_saves_no_forwards() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let mut o = ALWAYS[..3].to_vec();
    o.extend(["training.epochs=3", "stop.after_stop=labels"]);
    let events = run_to_end(&out, &o);
    let cached: Vec<(String, ArmKind, String, u64)> = events
        .iter()
        .filter_map(|e| match e {
            Event::TeacherLogitsCached {
                model,
                arm,
                teacher,
                examples,
                ..
            } => Some((model.clone(), *arm, teacher.clone(), *examples)),
            _ => None,
        })
        .collect();
    assert_eq!(
        cached,
        vec![
            ("ta1".into(), ArmKind::Kd, "teacher".into(), TRAIN),
            ("student".into(), ArmKind::Kd, "ta1".into(), TRAIN)
        ]
    );
    for model in ["ta1", "student"] {
        let kd = arm(&events, model, ArmKind::Kd);
        assert_eq!((kd.distilled_epochs, kd.teacher_forwards), (1, TRAIN));
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["teacher_forwards"], 2 * TRAIN);
    // The cache was filled whatever the stop: the stops saved no forward passes.
    assert_eq!(report["teacher_forwards_saved"], 0);
    assert_eq!(report["teacher_logit_caches"].as_array().unwrap().len(), 2);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("Teacher logits cached once per stage") && md.contains("student kd ← ta1"),
        "{md}"
    );
}
