//! The screen as a user sees it, drawn on a `TestBackend`: insta snapshots at several sizes and
//! states, plus assertions on the text that matters so a snapshot accepted by mistake still fails.

mod panels;
mod screens;
mod training;

#[path = "../tui_fixture/mod.rs"]
mod tui_fixture;

use mkd_tui::protocol::{ArmKind, Event, NodeSummary, Role};
use mkd_tui::tui::{App, Key};
use ratatui::style::Color;
use tui_fixture::{
    distilling, failed, finished, fresh, mid_training, options, render, rows, screen, Script,
};

/// The key bar at 80 columns: the arrows share one entry, `tab chart` gives way (help lists it).
const KEY_BAR_80: &str = "q quit  p pause  s stop KD  r resume KD  ↑↓←→ edit  enter apply  ? help";
/// The key bar when there is room.
const KEY_BAR_FULL: &str =
    "q quit  p pause  s stop KD  r resume KD  ↑↓ select  ←→ adjust  enter apply  ? help  tab chart";

fn assert_all_rows_fit(rows: &[String], width: usize) {
    for row in rows {
        assert_eq!(row.chars().count(), width, "row {row:?}");
    }
}

/// `insta::assert_snapshot!` expanded here, in the test crate's root, so every module's snapshots
/// keep the names and the folder they had before the tests were split (`tui_render__<name>.snap`).
#[track_caller]
fn snapshot(name: &str, text: impl std::fmt::Display) {
    insta::assert_snapshot!(name, text.to_string());
}

/// The row holding `needle`, or a panic showing the screen.
fn row_with<'a>(rows: &'a [String], needle: &str) -> &'a str {
    rows.iter()
        .find(|r| r.contains(needle))
        .unwrap_or_else(|| panic!("no row with {needle:?} in\n{}", rows.join("\n")))
}

fn colours(app: &App, width: u16, height: u16) -> Vec<(String, Color, Color, Color)> {
    let terminal = render(app, width, height);
    terminal
        .backend()
        .buffer()
        .content
        .iter()
        .map(|c| (c.symbol().to_string(), c.fg, c.bg, c.underline_color))
        .collect()
}

/// Teacher → two assistants → student: the diagram must still fit 80 columns. The second
/// assistant, below the first, has both controls; it is in epoch 3, still distilling.
fn four_model_app() -> App {
    let mut plan = tui_fixture::plan();
    let ta2 = NodeSummary {
        name: "ta2".into(),
        role: Role::Assistant,
        arch: "mlp-64".into(),
        params: 50_890,
        macs: 50_890,
        epochs: 8,
        taught_by: Some("ta".into()),
        arms: tui_fixture::student_arms(),
        weights: None,
    };
    plan.nodes.insert(2, ta2);
    plan.nodes[3].taught_by = Some("ta2".into());
    let mut script = Script::new(App::new(options(false)));
    tui_fixture::through_ta_of(&mut script, plan);
    script.send(Event::StageStarted {
        stage: 2,
        model: "ta2".into(),
        epochs: 8,
        batches_per_epoch: 422,
        arms: tui_fixture::student_arms(),
    });
    let (kd, scratch, kft) = ([84.1, 85.0], [83.9, 84.2], [84.0, 84.6]);
    for epoch in 1..=2 {
        for (arm, val) in [
            (ArmKind::Kd, kd[epoch - 1]),
            (ArmKind::Scratch, scratch[epoch - 1]),
            (ArmKind::KdFromTeacher, kft[epoch - 1]),
        ] {
            script.send(tui_fixture::record(2, "ta2", arm, epoch, val, 3.0));
        }
        tui_fixture::end_of_epoch(
            &mut script,
            2,
            "ta2",
            &tui_fixture::rule(),
            &kd[..epoch],
            &[&scratch[..epoch], &kft[..epoch]],
            false,
        );
    }
    script.app
}
