//! The scripted run: events as the worker sends them, through the teacher, the assistant and
//! the student, and the apps built from them (mid-training, distilling, finished, failed).

#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use mkd_tui::protocol::{AdvantageDelta, ArmKind, ArmResult, EpochRecord, Event, PlanSummary};
use mkd_tui::stop::{Curves, Manual};
use mkd_tui::tui::App;

use super::*;

/// Feeds events to an app, advancing its clock by `step` seconds before each.
pub struct Script {
    pub app: App,
    pub seconds: f64,
    pub step: f64,
}

impl Script {
    pub fn new(app: App) -> Self {
        Script {
            app,
            seconds: 0.0,
            step: 1.0,
        }
    }

    pub fn send(&mut self, event: Event) -> &mut Self {
        self.seconds += self.step;
        self.app.tick(Duration::from_secs_f64(self.seconds));
        self.app.on_event(&event);
        self
    }
}

pub fn record(
    stage: usize,
    model: &str,
    arm: ArmKind,
    epoch: usize,
    val: f64,
    seconds: f64,
) -> Event {
    Event::EpochEnd(EpochRecord {
        stage,
        model: model.into(),
        arm,
        epoch,
        train_loss: 0.9 / epoch as f64,
        val_acc: val,
        test_acc: val - 0.4,
        lr: 0.05,
        seconds,
        images_per_s: 54_000.0 / seconds,
        distilled: arm.is_distilled(),
    })
}

fn result(
    arm: ArmKind,
    vals: &[f64],
    epochs_run: usize,
    distilled: usize,
    cached: bool,
) -> ArmResult {
    let (best_i, best) =
        vals.iter().copied().enumerate().fold(
            (0, f64::MIN),
            |acc, (i, v)| if v > acc.1 { (i, v) } else { acc },
        );
    ArmResult {
        arm,
        best_epoch: best_i + 1,
        best_val_acc: best,
        test_acc_at_best: best - 0.4,
        last_test_acc: vals[vals.len() - 1] - 0.4,
        epochs_run,
        seconds: if cached { 0.0 } else { 6.0 * epochs_run as f64 },
        checkpoint: None,
        teacher_forwards: (distilled * 54_000) as u64,
        distilled_epochs: distilled,
        cached,
    }
}

/// What the worker does at the end of epoch `epoch` of a distilled stage: send the advantage
/// curve, and the rule's decision once it stops. Returns true when distillation stopped here.
pub fn end_of_epoch(
    script: &mut Script,
    stage: usize,
    model: &str,
    rule: &StopRule,
    kd: &[f64],
    controls: &[&[f64]],
    stopped: bool,
) -> bool {
    let curves = Curves { kd, controls };
    let delta = rule.advantage(&curves);
    script.send(Event::Advantage {
        stage,
        model: model.into(),
        epoch: delta.len(),
        delta: match delta.last() {
            Some(d) => AdvantageDelta::Value(Some(*d)),
            None => AdvantageDelta::Curve(Vec::new()),
        },
    });
    if stopped {
        return false;
    }
    let Some(decision) = rule.decide(&curves, &Manual::default()) else {
        return false;
    };
    script.send(Event::StopDecision {
        stage,
        model: model.into(),
        epoch: kd.len(),
        kind: decision.kind,
        reason: mkd_tui::describe::stop_reason(&decision, rule),
        delta: Some(decision.delta),
        best_delta: Some(decision.best_delta),
        after: rule.after_stop,
    });
    true
}

/// Run start, teacher stage, TA stage: its cached scratch control, distillation stopped at epoch 5
/// by the drop test, stage ended there (`finish`).
pub fn through_ta(script: &mut Script) {
    through_ta_of(script, plan());
}

/// [`through_ta`] for another plan whose first two models are the teacher and `ta`.
pub fn through_ta_of(script: &mut Script, plan: PlanSummary) {
    script.send(Event::RunStarted {
        preset: "fashion-quick".into(),
        run_dir: PathBuf::from("runs/fashion-quick-20261129-120000"),
        started_at: "2026-11-29T12:00:00Z".into(),
        plan,
        stop_rule: preset_rule(),
    });
    script.send(Event::StopRuleApplied {
        rule: preset_rule(),
    });
    script.send(Event::StageStarted {
        stage: 0,
        model: "teacher".into(),
        epochs: 4,
        batches_per_epoch: 422,
        arms: vec![ArmKind::Scratch],
    });
    for (i, &v) in TEACHER_VAL.iter().enumerate() {
        script.send(record(0, "teacher", ArmKind::Scratch, i + 1, v, 12.0));
    }
    script.send(Event::CheckpointSaved {
        model: "teacher".into(),
        arm: ArmKind::Scratch,
        epoch: 4,
        path: PathBuf::from(
            "runs/fashion-quick-20261129-120000/checkpoints/teacher-scratch.safetensors",
        ),
    });
    script.send(Event::StageFinished {
        stage: 0,
        model: "teacher".into(),
        arms: vec![result(ArmKind::Scratch, &TEACHER_VAL, 4, 0, false)],
    });
    // The worker looks the control up before it announces the stage.
    script.send(Event::ControlCached {
        stage: 1,
        model: "ta".into(),
        arm: ArmKind::Scratch,
        path: PathBuf::from(CACHE_FILE),
    });
    script.send(Event::StageStarted {
        stage: 1,
        model: "ta".into(),
        epochs: 8,
        batches_per_epoch: 422,
        arms: vec![ArmKind::Kd, ArmKind::Scratch],
    });
    let rule = preset_rule();
    for epoch in 1..=TA_KD_VAL.len() {
        script.send(record(
            1,
            "ta",
            ArmKind::Kd,
            epoch,
            TA_KD_VAL[epoch - 1],
            5.0,
        ));
        script.send(record(
            1,
            "ta",
            ArmKind::Scratch,
            epoch,
            TA_SCR_VAL[epoch - 1],
            3.0,
        ));
        let stopped = end_of_epoch(
            script,
            1,
            "ta",
            &rule,
            &TA_KD_VAL[..epoch],
            &[&TA_SCR_VAL[..epoch]],
            false,
        );
        assert_eq!(stopped, epoch == 5, "the TA stops at epoch 5, not {epoch}");
    }
    script.send(Event::StageFinished {
        stage: 1,
        model: "ta".into(),
        arms: vec![
            result(ArmKind::Kd, &TA_KD_VAL, 5, 5, false),
            result(ArmKind::Scratch, &TA_SCR_VAL, 5, 0, true),
        ],
    });
}

/// The user switched `after` to `labels` between the stages; then the student's stage started and
/// `epochs` epochs of its three arms were done (distillation stops at epoch 4).
pub fn student_epochs(script: &mut Script, epochs: usize) {
    script.send(Event::StopRuleApplied { rule: rule() });
    script.send(Event::StageStarted {
        stage: 2,
        model: "student".into(),
        epochs: 8,
        batches_per_epoch: 422,
        arms: student_arms(),
    });
    let mut stopped = false;
    for epoch in 1..=epochs {
        let i = epoch - 1;
        script.send(record(
            2,
            "student",
            ArmKind::Kd,
            epoch,
            STUDENT_KD_VAL[i],
            2.0,
        ));
        script.send(record(
            2,
            "student",
            ArmKind::Scratch,
            epoch,
            STUDENT_SCR_VAL[i],
            1.5,
        ));
        script.send(record(
            2,
            "student",
            ArmKind::KdFromTeacher,
            epoch,
            STUDENT_KFT_VAL[i],
            2.0,
        ));
        let now = end_of_epoch(
            script,
            2,
            "student",
            &rule(),
            &STUDENT_KD_VAL[..epoch],
            &[&STUDENT_SCR_VAL[..epoch], &STUDENT_KFT_VAL[..epoch]],
            stopped,
        );
        assert_eq!(now, epoch == 4, "the student stops at epoch 4, not {epoch}");
        stopped |= now;
    }
}

/// Mid-training: the student's distillation stopped at epoch 4; it is in epoch 6 of 8 from labels
/// only, the kd arm half-way through the epoch (the arms of an epoch train one after the other).
pub fn mid_training(no_color: bool) -> App {
    let mut script = Script::new(App::new(options(no_color)));
    through_ta(&mut script);
    student_epochs(&mut script, 5);
    script.send(Event::BatchProgress {
        stage: 2,
        arm: ArmKind::Kd,
        epoch: 6,
        batch: 211,
        batches: 422,
        loss: 0.412,
    });
    script.app
}

/// Still distilling: the student in epoch 3 of 8, its distillation still on (Δ 0.20 pp after two
/// epochs).
pub fn distilling() -> App {
    distilling_app(false)
}

/// [`distilling`] with or without colour.
pub fn distilling_app(no_color: bool) -> App {
    let mut script = Script::new(App::new(options(no_color)));
    through_ta(&mut script);
    student_epochs(&mut script, 2);
    script.send(Event::BatchProgress {
        stage: 2,
        arm: ArmKind::Kd,
        epoch: 3,
        batch: 100,
        batches: 422,
        loss: 0.61,
    });
    script.app
}

/// The whole run finished.
pub fn finished() -> App {
    finished_app(false)
}

/// [`finished`] with or without colour.
pub fn finished_app(no_color: bool) -> App {
    let mut script = Script::new(App::new(options(no_color)));
    through_ta(&mut script);
    student_epochs(&mut script, 8);
    script.send(Event::StageFinished {
        stage: 2,
        model: "student".into(),
        arms: vec![
            result(ArmKind::Kd, &STUDENT_KD_VAL, 8, 4, false),
            result(ArmKind::Scratch, &STUDENT_SCR_VAL, 8, 0, false),
            result(ArmKind::KdFromTeacher, &STUDENT_KFT_VAL, 8, 8, false),
        ],
    });
    script.send(Event::RunFinished {
        report_md: PathBuf::from("runs/fashion-quick-20261129-120000/report.md"),
        report_json: PathBuf::from("runs/fashion-quick-20261129-120000/report.json"),
        seconds: 754.0,
    });
    script.app
}

/// The worker failed during the student stage.
pub fn failed() -> App {
    let mut script = Script::new(fresh());
    through_ta(&mut script);
    student_epochs(&mut script, 1);
    script.send(Event::RunFailed {
        error: "writing checkpoint student-kd.safetensors: No space left on device (os error 28)"
            .into(),
    });
    script.app
}
