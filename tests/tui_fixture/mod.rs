//! A realistic scripted run for the front-end tests: teacher mlp-512-256 → TA mlp-128 → student
//! mlp-32 on Fashion-MNIST, distilled models with a scratch control, fed to an `App` with an
//! injected clock so that every render is deterministic.

#![allow(dead_code)] // each test file uses a different part

use std::path::PathBuf;
use std::time::Duration;

use mkd_tui::protocol::{ArmKind, ArmResult, EpochRecord, Event, NodeSummary, PlanSummary, Role};
use mkd_tui::stop::StopRule;
use mkd_tui::tui::{App, TuiOptions};

use ratatui::backend::TestBackend;
use ratatui::Terminal;

pub const TEACHER_VAL: [f64; 4] = [84.2, 87.1, 88.6, 89.4];
pub const TA_KD_VAL: [f64; 6] = [82.0, 84.5, 85.9, 86.8, 87.3, 87.31];
pub const TA_SCR_VAL: [f64; 6] = [81.5, 83.9, 85.2, 86.0, 86.5, 86.6];
pub const STUDENT_KD_VAL: [f64; 3] = [78.4, 81.2, 82.6];
pub const STUDENT_SCR_VAL: [f64; 3] = [77.9, 80.6, 81.7];

fn node(
    name: &str,
    role: Role,
    arch: &str,
    params: u64,
    epochs: usize,
    taught_by: Option<&str>,
) -> NodeSummary {
    NodeSummary {
        name: name.into(),
        role,
        arch: arch.into(),
        params,
        // An MLP's forward is about one MAC per weight.
        macs: params,
        epochs,
        taught_by: taught_by.map(Into::into),
        arms: if taught_by.is_some() {
            vec![ArmKind::Kd, ArmKind::Scratch]
        } else {
            vec![ArmKind::Scratch]
        },
        weights: None,
    }
}

/// The three-model plan.
pub fn plan() -> PlanSummary {
    PlanSummary {
        dataset: "fashion-mnist".into(),
        train_size: 54_000,
        val_size: 6_000,
        test_size: 10_000,
        batch_size: 128,
        temperature: 4.0,
        alpha: 0.9,
        nodes: vec![
            node("teacher", Role::Teacher, "mlp-512-256", 535_818, 4, None),
            node(
                "ta",
                Role::Assistant,
                "mlp-128",
                101_770,
                8,
                Some("teacher"),
            ),
            node("student", Role::Student, "mlp-32", 25_450, 8, Some("ta")),
        ],
    }
}

pub fn rule() -> StopRule {
    StopRule {
        patience: 3,
        ..StopRule::default()
    }
}

pub fn options(no_color: bool) -> TuiOptions {
    TuiOptions {
        no_color,
        title: "fashion-quick".into(),
    }
}

/// An app that has seen nothing.
pub fn fresh() -> App {
    App::new(options(false))
}

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

fn record(stage: usize, model: &str, arm: ArmKind, epoch: usize, val: f64, seconds: f64) -> Event {
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
    })
}

fn result(arm: ArmKind, vals: &[f64], epochs_run: usize) -> ArmResult {
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
        seconds: 6.0 * epochs_run as f64,
        checkpoint: None,
    }
}

/// Run start, teacher stage, TA stage stopped early at epoch 6.
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
        stop_rule: rule(),
    });
    script.send(Event::StopRuleApplied { rule: rule() });
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
        arms: vec![result(ArmKind::Scratch, &TEACHER_VAL, 4)],
    });
    script.send(Event::StageStarted {
        stage: 1,
        model: "ta".into(),
        epochs: 8,
        batches_per_epoch: 422,
        arms: vec![ArmKind::Kd, ArmKind::Scratch],
    });
    for i in 0..TA_KD_VAL.len() {
        script.send(record(1, "ta", ArmKind::Kd, i + 1, TA_KD_VAL[i], 5.0));
        script.send(record(1, "ta", ArmKind::Scratch, i + 1, TA_SCR_VAL[i], 3.0));
    }
    script.send(Event::StopDecision {
        stage: 1,
        model: "ta".into(),
        epoch: 6,
        reason: "no gain of 0.05 pp over best val 87.30% (epoch 5) for 1 epochs".into(),
    });
    script.send(Event::StageFinished {
        stage: 1,
        model: "ta".into(),
        arms: vec![
            result(ArmKind::Kd, &TA_KD_VAL, 6),
            result(ArmKind::Scratch, &TA_SCR_VAL, 6),
        ],
    });
}

/// Student stage started, `epochs` epochs of both arms done (up to 3).
pub fn student_epochs(script: &mut Script, epochs: usize) {
    script.send(Event::StageStarted {
        stage: 2,
        model: "student".into(),
        epochs: 8,
        batches_per_epoch: 422,
        arms: vec![ArmKind::Kd, ArmKind::Scratch],
    });
    for i in 0..epochs {
        script.send(record(
            2,
            "student",
            ArmKind::Kd,
            i + 1,
            STUDENT_KD_VAL[i],
            2.0,
        ));
        script.send(record(
            2,
            "student",
            ArmKind::Scratch,
            i + 1,
            STUDENT_SCR_VAL[i],
            1.5,
        ));
    }
}

/// Mid-training: the student is in epoch 3 of 8, both arms part-way through it.
pub fn mid_training(no_color: bool) -> App {
    let mut script = Script::new(App::new(options(no_color)));
    through_ta(&mut script);
    student_epochs(&mut script, 2);
    script.send(Event::BatchProgress {
        stage: 2,
        arm: ArmKind::Kd,
        epoch: 3,
        batch: 211,
        batches: 422,
        loss: 0.412,
    });
    script.send(Event::BatchProgress {
        stage: 2,
        arm: ArmKind::Scratch,
        epoch: 3,
        batch: 180,
        batches: 422,
        loss: 0.538,
    });
    script.app
}

/// The whole run finished.
pub fn finished() -> App {
    let mut script = Script::new(fresh());
    through_ta(&mut script);
    student_epochs(&mut script, 3);
    script.send(Event::StageFinished {
        stage: 2,
        model: "student".into(),
        arms: vec![
            result(ArmKind::Kd, &STUDENT_KD_VAL, 3),
            result(ArmKind::Scratch, &STUDENT_SCR_VAL, 3),
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

/// Draws `app` on a `width`×`height` test terminal.
pub fn render(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| mkd_tui::tui::view::view(app, frame))
        .unwrap();
    terminal
}

/// The screen as text, one string per row.
pub fn rows(terminal: &Terminal<TestBackend>) -> Vec<String> {
    let buffer = terminal.backend().buffer();
    let width = buffer.area.width as usize;
    buffer
        .content
        .chunks(width)
        .map(|cells| cells.iter().map(|c| c.symbol()).collect())
        .collect()
}

/// The screen as one string.
pub fn screen(terminal: &Terminal<TestBackend>) -> String {
    rows(terminal).join("\n")
}
