//! The screen as a user sees it, drawn on a `TestBackend`: insta snapshots at several sizes and
//! states, plus assertions on the text that matters so a snapshot accepted by mistake still fails.

mod tui_fixture;

use mkd_tui::protocol::{ArmKind, Event, NodeSummary, Role};
use mkd_tui::tui::{App, Key};
use ratatui::style::Color;
use tui_fixture::{failed, finished, fresh, mid_training, options, render, rows, screen, Script};

const KEY_BAR: &str = "q quit  p pause  ↑↓ select  ←→ adjust  enter apply  ? help";

fn assert_all_rows_fit(rows: &[String], width: usize) {
    for row in rows {
        assert_eq!(row.chars().count(), width, "row {row:?}");
    }
}

#[test]
fn mid_training_80x24() {
    let terminal = render(&mid_training(false), 80, 24);
    let text = screen(&terminal);
    insta::assert_snapshot!("mid_training_80x24", text);
    let rows = rows(&terminal);
    assert!(
        rows[0].contains("mkd-tui · fashion-quick · stage 3/3 student · 00:30 elapsed · ETA 00:21")
    );
    assert!(rows[1].contains("[teacher mlp-512-256]──▶[TA mlp-128]"));
    assert!(rows[1].contains("──▶[student mlp-32]"));
    assert!(
        rows[2].contains("✓ done")
            && rows[2].contains("■ stopped @6")
            && rows[2].contains("▶ ep 3/8")
    );
    assert!(rows[3].contains("val 89.4%") && rows[3].contains("kd 81.2% · scr 80.6%"));
    assert!(rows[4].contains("controls: scratch"));
    assert!(
        text.contains("⣀ kd") && text.contains("• scratch"),
        "legend names both arms"
    );
    assert!(text.contains("▸ patience"));
    assert!(text.contains("batch 211/422") && text.contains("loss 0.412"));
    assert!(rows[23].contains(KEY_BAR), "key bar on the last line");
    assert!(text.contains("student scratch ep 2/8 loss 0.450 val 80.6% test 80.2% 36,000 img/s"));
}

#[test]
fn mid_training_120x40_gives_the_chart_room_for_references() {
    let terminal = render(&mid_training(false), 120, 40);
    let text = screen(&terminal);
    insta::assert_snapshot!("mid_training_120x40", text);
    assert!(text.contains("┄ teacher 89.4%") && text.contains("┄ ta 87.3%"));
    assert!(text.contains("┄┄┄┄"), "reference lines are drawn");
    // The chart is taller than at 80×24: count its rows by the axis bar.
    let chart_rows = rows(&terminal)
        .iter()
        .filter(|r| r.starts_with("│   │") || r.contains("%│"))
        .count();
    assert!(chart_rows >= 18, "{chart_rows}");
}

#[test]
fn pending_values_are_shown_beside_the_applied_ones() {
    let mut app = mid_training(false);
    app.on_key(Key::Left);
    let rows_before = rows(&render(&app, 80, 24));
    let patience = rows_before.iter().find(|r| r.contains("patience")).unwrap();
    assert!(patience.contains("▸ patience   3 → 2*"), "{patience}");
    assert!(screen(&render(&app, 80, 24)).contains("* pending · enter applies"));

    let sent = app.on_key(Key::Enter);
    assert!(sent.is_some());
    let text = screen(&render(&app, 80, 24));
    insta::assert_snapshot!("stop_rule_sent_80x24", text);
    assert!(text.contains("sent, waiting for epoch end"));
    assert!(text.contains("3 → 2*"));

    app.on_event(&Event::StopRuleApplied {
        rule: app.stop().pending().clone(),
    });
    let text = screen(&render(&app, 80, 24));
    assert!(text.contains("▸ patience   2 "));
    assert!(!text.contains("→ 2*"));
    assert!(!text.contains("sent, waiting"));
}

#[test]
fn too_small_screen_says_what_is_needed() {
    let terminal = render(&mid_training(false), 60, 20);
    let text = screen(&terminal);
    insta::assert_snapshot!("too_small_60x20", text);
    assert!(text.contains("terminal too small: need 80×24, have 60×20"));
    assert!(
        text.contains("3/3 student"),
        "the run's state is still visible"
    );
    // One short in either direction is too small too.
    assert!(screen(&render(&mid_training(false), 79, 24)).contains("have 79×24"));
    assert!(screen(&render(&mid_training(false), 80, 23)).contains("have 80×23"));
}

#[test]
fn help_overlay_lists_keys_and_rule() {
    let mut app = mid_training(false);
    app.on_key(Key::Char('?'));
    let terminal = render(&app, 80, 24);
    let text = screen(&terminal);
    insta::assert_snapshot!("help_80x24", text);
    for needle in [
        "q ctrl-c",
        "pause / resume",
        "enter",
        "patience",
        "min_delta",
        "max_epochs",
        "then all",
        "esc or ? closes",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
    assert_all_rows_fit(&rows(&terminal), 80);
}

#[test]
fn quit_dialog_asks_before_stopping() {
    let mut app = mid_training(false);
    app.on_key(Key::Char('q'));
    let text = screen(&render(&app, 80, 24));
    insta::assert_snapshot!("quit_dialog_80x24", text);
    assert!(text.contains("Stop training? The run directory keeps what is done."));
    assert!(text.contains("y stop") && text.contains("n keep training"));
}

#[test]
fn finished_run_shows_result_and_reports() {
    let text = screen(&render(&finished(), 80, 24));
    insta::assert_snapshot!("finished_80x24", text);
    assert!(text.contains("✓ finished in 12:34"));
    assert!(text.contains("student kd 82.6% vs scratch 81.7% (+0.9 pp)"));
    assert!(text.contains("runs/fashion-quick-20261129-120000/report.md"));
    assert!(text.contains("runs/fashion-quick-20261129-120000/report.json"));
    assert!(
        text.contains("student    kd          82.6%"),
        "results table"
    );
    assert!(text.contains("└ q quit"));
}

#[test]
fn esc_hides_the_result_to_show_the_chart() {
    let mut app = finished();
    app.on_key(Key::Esc);
    let text = screen(&render(&app, 80, 24));
    assert!(!text.contains("report.json"));
    assert!(text.contains("⣀ kd"));
    assert!(
        text.contains("✓ finished in 12:34"),
        "the header still says it"
    );
}

#[test]
fn failed_run_is_shown_in_words_until_q() {
    let text = screen(&render(&failed(), 80, 24));
    insta::assert_snapshot!("failed_80x24", text);
    assert!(text.contains("FAILED after 00:27"), "header");
    assert!(
        text.contains("✗ failed in ep 2"),
        "the interrupted stage says so"
    );
    assert!(text.contains("FAILED: writing checkpoint student-kd.safetensors"));
    assert!(text.contains("(os error 28)"), "the error is not cut off");
    assert!(text.contains("ERROR run failed"));
}

#[test]
fn paused_is_shown_only_after_the_echo() {
    let mut app = mid_training(false);
    app.on_key(Key::Char('p'));
    let text = screen(&render(&app, 80, 24));
    assert!(text.contains("pausing…") && !text.contains("PAUSED"));
    app.on_event(&Event::Paused);
    let text = screen(&render(&app, 80, 24));
    assert!(text.contains("PAUSED"));
    assert!(text.contains("p resume"));
}

#[test]
fn before_the_plan_arrives() {
    let text = screen(&render(&fresh(), 80, 24));
    insta::assert_snapshot!("starting_80x24", text);
    assert!(text.contains("mkd-tui · fashion-quick · starting"));
    assert!(text.contains("ETA —"));
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

#[test]
fn no_color_draws_without_any_colour() {
    let mut screens = vec![mid_training(true)];
    let mut help = mid_training(true);
    help.on_key(Key::Char('?'));
    screens.push(help);
    let mut quit = mid_training(true);
    quit.on_key(Key::Char('q'));
    screens.push(quit);
    let mut ended = mid_training(true);
    ended.on_event(&Event::RunFailed {
        error: "boom".into(),
    });
    screens.push(ended);
    let mut edited = mid_training(true);
    edited.on_key(Key::Left);
    screens.push(edited);
    for app in &screens {
        for (width, height) in [(80, 24), (120, 40), (60, 20)] {
            for (symbol, fg, bg, ul) in colours(app, width, height) {
                assert_eq!(
                    (fg, bg, ul),
                    (Color::Reset, Color::Reset, Color::Reset),
                    "cell {symbol:?} at {width}×{height}"
                );
            }
        }
    }
    // The same screen with colours on does use them, so the check above is not vacuous.
    assert!(colours(&mid_training(false), 80, 24)
        .iter()
        .any(|(_, fg, _, _)| *fg != Color::Reset));
    // And without colour the text is the same: nothing is said by colour alone.
    assert_eq!(
        screen(&render(&mid_training(true), 80, 24)),
        screen(&render(&mid_training(false), 80, 24))
    );
}

/// Teacher → two assistants → student: the diagram must still fit 80 columns.
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
        arms: vec![ArmKind::Kd, ArmKind::Scratch],
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
        arms: vec![ArmKind::Kd, ArmKind::Scratch],
    });
    for (epoch, (kd, scratch)) in [(84.1, 83.9), (85.0, 84.2)].into_iter().enumerate() {
        for (arm, val) in [(ArmKind::Kd, kd), (ArmKind::Scratch, scratch)] {
            script.send(Event::EpochEnd(mkd_tui::protocol::EpochRecord {
                stage: 2,
                model: "ta2".into(),
                arm,
                epoch: epoch + 1,
                train_loss: 0.5,
                val_acc: val,
                test_acc: val - 0.3,
                lr: 0.05,
                seconds: 3.0,
                images_per_s: 18_000.0,
            }));
        }
    }
    script.app
}

#[test]
fn four_model_chain_fits_80_columns() {
    let terminal = render(&four_model_app(), 80, 24);
    let rows = rows(&terminal);
    insta::assert_snapshot!("chain4_80x24", rows[..6].join("\n"));
    assert_all_rows_fit(&rows, 80);
    assert_eq!(rows[1].matches("──▶").count(), 3);
    for label in [
        "[teacher mlp-512-256]",
        "[TA mlp-128]",
        "[TA mlp-64]",
        "[student mlp-32]",
    ] {
        assert!(rows[1].contains(label), "{label} in {}", rows[1]);
    }
    assert!(rows[2].contains("▶ 3/8"), "{}", rows[2]);
    assert!(rows[3].contains("kd85.0 scr84.2"), "{}", rows[3]);
}

#[test]
fn resizing_redraws_at_the_new_size() {
    let app = mid_training(false);
    let mut terminal = render(&app, 80, 24);
    for (width, height) in [(120, 40), (70, 20), (80, 24)] {
        terminal.backend_mut().resize(width, height);
        terminal
            .draw(|frame| mkd_tui::tui::view::view(&app, frame))
            .unwrap();
        let rows = rows(&terminal);
        assert_eq!(
            (rows[0].chars().count(), rows.len()),
            (width as usize, height as usize)
        );
        let text = rows.join("\n");
        assert_eq!(
            text.contains("terminal too small"),
            width < 80 || height < 24
        );
    }
    assert_eq!(screen(&terminal), screen(&render(&app, 80, 24)));
}
