//! A realistic scripted run for the front-end tests: teacher mlp-512-256 → TA mlp-128 → student
//! mlp-32 on Fashion-MNIST. The TA has a scratch control read from the control cache; the student
//! has a scratch and a kd-from-teacher control. The stop rule's events (`Advantage`,
//! `StopDecision`) are computed by the real rule from the scripted curves, as the worker would:
//! the TA's distillation stops at epoch 5 by the drop test and its stage ends there (`finish`); the
//! user then switches `after` to `labels`, and the student's distillation stops at epoch 4 by the
//! margin test and it trains on from labels only. Everything is fed to an `App` with an injected
//! clock so that every render is deterministic.

#![allow(dead_code)] // each test file uses a different part

use mkd_tui::protocol::{ArmKind, NodeSummary, PlanSummary, Role};
use mkd_tui::stop::{AfterStop, StopRule};
use mkd_tui::tui::{App, TuiOptions};

use ratatui::backend::TestBackend;
use ratatui::Terminal;

mod script;
#[allow(unused_imports)] // tui_loop uses none of the script
pub use script::*;

pub const TEACHER_VAL: [f64; 4] = [84.2, 87.1, 88.6, 89.4];
/// Δ: 1.10 1.20 1.10 0.70 0.30 → drop (Δ < 1.20 − 0.30) at epochs 4 and 5: stop @5.
pub const TA_KD_VAL: [f64; 5] = [82.0, 84.6, 86.0, 86.7, 86.9];
pub const TA_SCR_VAL: [f64; 5] = [80.9, 83.3, 85.0, 86.4, 87.0];
/// Δ: 0.30 0.20 −0.15 −0.33 … → margin (Δ ≤ 0) at epochs 3 and 4: stop @4.
pub const STUDENT_KD_VAL: [f64; 8] = [78.6, 81.3, 81.4, 82.0, 82.7, 83.1, 83.3, 83.4];
pub const STUDENT_SCR_VAL: [f64; 8] = [77.9, 80.6, 82.0, 82.7, 83.0, 83.3, 83.5, 83.6];
pub const STUDENT_KFT_VAL: [f64; 8] = [78.3, 81.2, 81.9, 82.5, 82.9, 83.2, 83.4, 83.5];
/// Where the TA's scratch curve is cached.
pub const CACHE_FILE: &str = "runs/.control-cache/mlp-128-3f2a9c.json";

fn node(
    name: &str,
    role: Role,
    arch: &str,
    params: u64,
    epochs: usize,
    arms: Vec<ArmKind>,
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
        arms,
        weights: None,
    }
}

/// The student's arms: below the first assistant it also has the kd-from-teacher control.
pub fn student_arms() -> Vec<ArmKind> {
    vec![ArmKind::Kd, ArmKind::Scratch, ArmKind::KdFromTeacher]
}

/// The three-model plan.
pub fn plan() -> PlanSummary {
    PlanSummary {
        dataset: "fashion-mnist".into(),
        seed: 42,
        train_size: 54_000,
        val_size: 6_000,
        test_size: 10_000,
        batch_size: 128,
        temperature: 4.0,
        alpha: 0.9,
        augment: String::new(),
        kl_reduction: String::new(),
        device: String::new(),
        nodes: vec![
            node(
                "teacher",
                Role::Teacher,
                "mlp-512-256",
                535_818,
                4,
                vec![ArmKind::Scratch],
                None,
            ),
            node(
                "ta",
                Role::Assistant,
                "mlp-128",
                101_770,
                8,
                vec![ArmKind::Kd, ArmKind::Scratch],
                Some("teacher"),
            ),
            node(
                "student",
                Role::Student,
                "mlp-32",
                25_450,
                8,
                student_arms(),
                Some("ta"),
            ),
        ],
    }
}

/// The rule in force from the student's stage on (and the one tests edit): the defaults with
/// `after: labels`.
pub fn rule() -> StopRule {
    StopRule {
        enabled: true,
        ema: 0.5,
        min_epochs: 2,
        patience: 2,
        margin: 0.0,
        drop: 0.3,
        max_epochs: None,
        after_stop: AfterStop::Labels,
    }
}

/// The preset's rule, in force during the TA's stage: `after: finish`.
pub fn preset_rule() -> StopRule {
    StopRule {
        after_stop: AfterStop::Finish,
        ..rule()
    }
}

pub fn options(no_color: bool) -> TuiOptions {
    TuiOptions {
        no_color,
        title: "fashion-quick".into(),
        viewer: false,
        back_on_esc: false,
    }
}

/// An app that has seen nothing.
pub fn fresh() -> App {
    App::new(options(false))
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
