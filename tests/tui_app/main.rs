//! The front end's state machine without a terminal: scripted worker events and key presses.

mod distillation;
mod events;
mod keys;
mod stop_panel;
mod viewer;

#[path = "../tui_fixture/mod.rs"]
mod tui_fixture;

use std::time::Duration;

use mkd_tui::protocol::{AdvantageDelta, ArmKind, Command, Event, LogLevel};
use mkd_tui::stop::{AfterStop, StopKind, StopRule};
use mkd_tui::tui::{Key, NodeStatus, Outcome, Overlay, StopRow, TuiExit, LOG_CAPACITY};
use tui_fixture::{distilling, finished, fresh, mid_training, rule, through_ta, Script};

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

// ---- stop / resume distillation by hand -----------------------------------------------------

fn last_log(app: &mkd_tui::tui::App) -> (LogLevel, String) {
    let line = app.log().lines().back().unwrap();
    (line.level, line.text.clone())
}
