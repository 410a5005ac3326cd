//! Each strategy end to end on the tiny digits preset: which models train, who teaches whom.

mod session_support;

use mkd_tui::protocol::{ArmKind, Event, Role};
use mkd_tui::run_dir::Report;

fn finished(events: &[Event]) -> Vec<(String, Vec<mkd_tui::protocol::ArmResult>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::StageFinished { model, arms, .. } => Some((model.clone(), arms.clone())),
            _ => None,
        })
        .collect()
}

fn report(out: &std::path::Path) -> Report {
    serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap()
}

#[test]
fn scratch_trains_the_student_alone_from_labels() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let events = session_support::run_to_end(&out, &["strategy=scratch"]);
    let stages = finished(&events);
    assert_eq!(stages.len(), 1);
    assert_eq!(stages[0].0, "student");
    assert_eq!(stages[0].1.len(), 1);
    assert_eq!(stages[0].1[0].arm, ArmKind::Scratch);
    assert_eq!(stages[0].1[0].teacher_forwards, 0);
    let r = report(&out);
    assert_eq!(r.models.len(), 1);
    assert_eq!(r.models[0].role, Role::Student);
}

#[test]
fn kd_skips_the_assistants() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let events = session_support::run_to_end(&out, &["strategy=kd"]);
    let names: Vec<String> = finished(&events).into_iter().map(|s| s.0).collect();
    assert_eq!(names, ["teacher", "student"]);
    let r = report(&out);
    assert_eq!(r.models[1].taught_by.as_deref(), Some("teacher"));
}

#[test]
fn dgkd_teaches_the_student_by_every_model_above() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    // drop_num 0: the student's kd arm runs both the teacher and the assistant on every image.
    let events = session_support::run_to_end(
        &out,
        &[
            "strategy=dgkd",
            "distill.drop_num=0",
            "stop.min_epochs=10",
            "distill.logit_cache=false",
        ],
    );
    let stages = finished(&events);
    let r = report(&out);
    let train = r.train_size as u64;
    let kd = |i: usize| {
        stages[i]
            .1
            .iter()
            .find(|a| a.arm == ArmKind::Kd)
            .unwrap()
            .clone()
    };
    assert_eq!(kd(1).teacher_forwards, train * 2); // ta1: the teacher alone, 2 epochs
    assert_eq!(kd(2).teacher_forwards, train * 2 * 2); // student: teacher + ta1, 2 epochs
                                                       // drop_num 1 of 2 teachers: one teacher per batch.
    let out = tmp.path().join("run-drop");
    let events = session_support::run_to_end(
        &out,
        &[
            "strategy=dgkd",
            "distill.drop_num=1",
            "stop.min_epochs=10",
            "distill.logit_cache=false",
        ],
    );
    let stages = finished(&events);
    let kd = stages[2].1.iter().find(|a| a.arm == ArmKind::Kd).unwrap();
    assert_eq!(kd.teacher_forwards, train * 2);
}

#[test]
fn dynamic_plans_then_trains_the_chosen_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let events = session_support::run_to_end(
        &out,
        &[
            "strategy=dynamic",
            "planner={ladder: {kind: mlp, widths: [64, 32, 16]}, max_ratio: 2, probe_fraction: 0.5, min_gain: -100, max_assistants: 1}",
        ],
    );
    let started = events
        .iter()
        .position(|e| matches!(e, Event::PlannerStarted { .. }))
        .expect("the planner starts");
    let teacher_done = events
        .iter()
        .position(|e| matches!(e, Event::StageFinished { model, .. } if model == "teacher"))
        .unwrap();
    assert!(teacher_done < started, "the planner runs after the teacher");
    let Some(Event::PlannerFinished {
        assistants,
        probe_epochs,
        ..
    }) = events
        .iter()
        .find(|e| matches!(e, Event::PlannerFinished { .. }))
    else {
        panic!("the planner finishes")
    };
    // At most one assistant (max_assistants 1); which one the probes decide.
    let lines: Vec<String> = events
        .iter()
        .filter_map(mkd_tui::describe::planner_line)
        .collect();
    assert!(assistants.len() <= 1, "{lines:#?}");
    // 1 base + 5 scratch (teacher, student, 3 candidates) + 2 chain probes, 1 epoch each.
    assert_eq!(*probe_epochs, 8);
    let mut want = vec!["teacher".to_string()];
    want.extend((1..=assistants.len()).map(|i| format!("ta{i}")));
    want.push("student".into());
    let names: Vec<String> = finished(&events).into_iter().map(|s| s.0).collect();
    assert_eq!(names, want);
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::PlanChanged { plan } if plan.nodes.len() == want.len())));
    let r = report(&out);
    assert_eq!(r.models.len(), want.len());
    for (m, a) in r.models[1..].iter().zip(assistants) {
        assert_eq!(&m.arch, a);
    }
    let planner = r.planner.expect("a planner section");
    assert_eq!(planner.probe_epochs, 8);
    assert_eq!(planner.decisions.len(), 1);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("## Planner"), "{md}");
}

/// The student starts from the same weights and sees the same batches whatever teaches it, so its
/// scratch arm ends the same under every strategy (the control group of `compare` is paired).
#[test]
fn the_students_scratch_arm_does_not_depend_on_the_chain() {
    let scratch_arm = |strategy: &str| {
        // A directory of its own each: no shared control cache, every scratch arm really trains.
        let tmp = tempfile::tempdir().unwrap();
        let events = session_support::run_to_end(&tmp.path().join("run"), &[strategy]);
        let (model, arms) = finished(&events).last().unwrap().clone();
        assert_eq!(model, "student");
        let a = arms
            .into_iter()
            .find(|a| a.arm == ArmKind::Scratch)
            .unwrap();
        assert!(!a.cached);
        (
            a.best_epoch,
            a.best_val_acc,
            a.test_acc_at_best,
            a.last_test_acc,
        )
    };
    let alone = scratch_arm("strategy=scratch");
    assert_eq!(scratch_arm("strategy=takd"), alone);
    assert_eq!(scratch_arm("strategy=kd"), alone);
}
