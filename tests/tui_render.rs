//! The screen as a user sees it, drawn on a `TestBackend`: insta snapshots at several sizes and
//! states, plus assertions on the text that matters so a snapshot accepted by mistake still fails.

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

/// The row holding `needle`, or a panic showing the screen.
fn row_with<'a>(rows: &'a [String], needle: &str) -> &'a str {
    rows.iter()
        .find(|r| r.contains(needle))
        .unwrap_or_else(|| panic!("no row with {needle:?} in\n{}", rows.join("\n")))
}

#[test]
fn mid_training_80x24() {
    let terminal = render(&mid_training(false), 80, 24);
    let text = screen(&terminal);
    insta::assert_snapshot!("mid_training_80x24", text);
    let rows = rows(&terminal);
    assert_all_rows_fit(&rows, 80);
    assert!(
        rows[0].contains("mkd-tui · fashion-quick · stage 3/3 student · 00:51 elapsed · ETA 00:17"),
        "{}",
        rows[0]
    );
    // The chain, each model's state in words.
    assert!(rows[1].contains("[teacher mlp-512-256]──▶[TA mlp-128]"));
    assert!(rows[1].contains("──▶[student mlp-32]"));
    assert!(rows[2].contains("✓ done"));
    assert!(rows[2].contains("■ stopped @5 (finish)"), "{}", rows[2]);
    assert!(rows[2].contains("■ KD stopped @4 (margin)"), "{}", rows[2]);
    assert!(rows[3].contains("by the drop rule"), "{}", rows[3]);
    assert!(rows[3].contains("· labels ep 6/8"), "{}", rows[3]);
    assert!(rows[4].contains("val 89.4"), "{}", rows[4]);
    assert!(rows[4].contains("kd 86.9 · scr 87.0"), "{}", rows[4]);
    assert!(
        rows[4].contains("kd 82.7 · scr 83.0 · kft 82.9"),
        "{}",
        rows[4]
    );
    // The chart: a legend naming every arm by marker, the stop line and its label.
    assert!(rows[5].contains("⣀ kd") && rows[5].contains("• scr") && rows[5].contains("× kft"));
    assert!(text.contains("┆stop"), "the stop line is labelled");
    let stop_column = |row: &str| row.chars().position(|c| c == '┆');
    let chart_rows: Vec<&String> = rows[6..12].iter().collect();
    let columns: Vec<Option<usize>> = chart_rows.iter().map(|r| stop_column(r)).collect();
    assert!(
        columns.iter().flatten().count() >= 3,
        "the stop line runs down the chart: {columns:?}"
    );
    // The Δ row: its title, the margin line, the stop at the same column, epochs under it.
    let delta_title = row_with(&rows, "Δ pp");
    assert!(delta_title.contains("┄ margin 0.00") && delta_title.contains("┆ stop @4"));
    assert!(text.contains("┄┄┄┄┄┄┄┄┄┄"), "margin line");
    let delta_rows: Vec<Option<usize>> = rows[13..16].iter().map(|r| stop_column(r)).collect();
    assert!(
        delta_rows.iter().flatten().all(|&c| Some(c) == columns[5]),
        "{delta_rows:?}"
    );
    assert!(
        rows[16].starts_with("│     1 ") && rows[16].contains(" 4 ") && rows[16].contains("8│")
    );
    // The stop panel: all seven thresholds, the status in its title.
    for name in [
        "▸ patience   2",
        "margin     0.00 pp",
        "drop       0.30 pp",
        "min_epochs 2",
        "ema        0.50",
        "max_epochs all",
        "after      labels",
    ] {
        assert!(text.contains(name), "{name}");
    }
    assert!(rows[5].contains("stop strategy") && rows[5].contains(" applied "));
    // Progress: one line per arm.
    assert!(text.contains("▶ kd      ep 6/8") && text.contains("0.412"));
    assert!(text.contains("▶ kft     ep 6/8"));
    // The log: the stop's reason, labels-only epochs.
    assert!(text.contains("student KD stopped @4 (margin), labels from ep 5: Δ −0.32 pp ≤ margin"));
    assert!(
        text.contains("student kd ep 5/8 loss 0.180 val 82.7% test 82.3% 27,000 img/s (labels)")
    );
    assert!(
        rows[23].contains(KEY_BAR_80),
        "key bar on the last line: {}",
        rows[23]
    );
}

#[test]
fn mid_training_120x40_gives_the_chart_room_for_references() {
    let terminal = render(&mid_training(false), 120, 40);
    let text = screen(&terminal);
    insta::assert_snapshot!("mid_training_120x40", text);
    let rows = rows(&terminal);
    assert_all_rows_fit(&rows, 120);
    // Units, sizes, full arm names and the notes line have room here.
    assert!(
        rows[2].contains("101.8k · ■ stopped @5 (finish)"),
        "{}",
        rows[2]
    );
    assert!(
        rows[2].contains("25.4k · ■ KD stopped @4 (margin)"),
        "{}",
        rows[2]
    );
    assert!(
        rows[4].contains("kd 82.7% · scr 83.0% · kft 82.9%"),
        "{}",
        rows[4]
    );
    assert!(rows[5].contains("controls: scratch, kd-from-teacher · fashion-mnist"));
    assert!(text.contains("• scratch") && text.contains("× kd-from-teacher"));
    assert!(text.contains("┄ teacher 89.4%") && text.contains("┄ ta 86.9%"));
    assert!(
        text.contains("┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄"),
        "reference lines are drawn"
    );
    // The chart is taller than at 80×24: count its rows by the axis bar.
    let chart_rows = rows
        .iter()
        .filter(|r| r.starts_with("│    │") || r.contains("%│"))
        .count();
    assert!(chart_rows >= 13, "{chart_rows}");
    // The Δ row has room for its numbers, and the stop panel for its status line.
    let delta_title = row_with(&rows, "Δ pp");
    assert!(delta_title.contains("┆ stop @4 (margin)"), "{delta_title}");
    assert!(
        delta_title.contains("Δ@5 −0.31 · best +0.30"),
        "{delta_title}"
    );
    assert!(text.contains(" 0.0│┄┄┄"), "margin line at 0 with its label");
    assert!(text.contains("←→ adjust · enter apply"));
    assert!(text.contains("batch 211/422"), "two lines per arm");
    assert!(rows[39].contains(KEY_BAR_FULL), "{}", rows[39]);
}

#[test]
fn still_distilling_shows_the_advantage_and_no_stop() {
    for (width, height) in [(80, 24), (120, 40)] {
        let terminal = render(&distilling(), width, height);
        let text = screen(&terminal);
        let rows = rows(&terminal);
        assert_all_rows_fit(&rows, width as usize);
        assert!(text.contains("▶ distilling ep 3/8"), "{text}");
        assert!(text.contains("Δ +0.20 pp"), "{text}");
        assert!(!text.contains("┆"), "no stop yet");
        assert!(row_with(&rows, "Δ pp").contains("┄ margin 0.00"));
        if width == 80 {
            insta::assert_snapshot!("distilling_80x24", text);
        }
    }
}

#[test]
fn a_pending_s_and_a_resume_are_shown_in_the_diagram() {
    let mut app = distilling();
    app.on_key(Key::Char('s'));
    let rows_asked = rows(&render(&app, 80, 24));
    assert!(
        rows_asked[3].contains("stop KD asked…"),
        "{}",
        rows_asked[3]
    );
    assert!(
        rows_asked[2].contains("▶ distilling ep 3/8"),
        "not stopped before the echo"
    );

    let mut app = mid_training(false);
    app.on_key(Key::Char('r'));
    assert!(rows(&render(&app, 80, 24))[3].contains("resume KD asked…"));
    app.on_event(&Event::DistillationResumed {
        stage: 2,
        model: "student".into(),
        epoch: 6,
    });
    let terminal = render(&app, 80, 24);
    let rows = rows(&terminal);
    assert!(rows[2].contains("▶ distilling ep 6/8"), "{}", rows[2]);
    assert!(rows[3].contains("KD resumed @6"), "{}", rows[3]);
    assert!(
        screen(&terminal).contains("┆stop"),
        "the earlier stop stays marked"
    );
    assert!(screen(&terminal).contains("student KD resumed after epoch 6"));
}

#[test]
fn the_delta_row_draws_the_curve_against_the_margin() {
    let terminal = render(&mid_training(false), 80, 24);
    let rows = rows(&terminal);
    let title = rows.iter().position(|r| r.contains("Δ pp")).unwrap();
    let plot: Vec<&String> = rows[title + 1..title + 4].iter().collect();
    let braille = |r: &str| {
        r.chars()
            .filter(|c| ('\u{2801}'..='\u{28ff}').contains(c))
            .count()
    };
    assert!(
        plot.iter().map(|r| braille(r)).sum::<usize>() >= 15,
        "Δ curve: {plot:#?}"
    );
    // Δ starts above the margin (+0.30) and ends below it (−0.31): the curve crosses the line.
    assert!(braille(plot[0]) > 0 && braille(plot[2]) > 0);
    assert!(plot[1].contains("┄┄┄"), "the margin line lies between");
    assert!(plot[0].contains("+0.4│") && plot[2].contains("−0.4│"));
    // A model that is not distilled has no Δ row: the teacher's chart keeps the whole height.
    let mut app = mid_training(false);
    app.on_key(Key::Tab);
    let text = screen(&render(&app, 80, 24));
    assert!(text.contains("val accuracy · teacher (tab)") || text.contains("teacher (tab)"));
    assert!(!text.contains("Δ pp"));
}

#[test]
fn a_cached_control_is_marked_in_the_legend() {
    let mut app = mid_training(false);
    app.on_key(Key::BackTab); // the TA, whose scratch curve came from the cache
    for (width, height) in [(80, 24), (120, 40)] {
        let rows = rows(&render(&app, width, height));
        let title = row_with(&rows, "ta (tab)");
        assert!(
            title.contains("⣀ kd") && title.contains("• scratch (cached)"),
            "{title}"
        );
        let delta = row_with(&rows, "Δ pp");
        assert!(delta.contains("┆ stop @5"), "{delta}");
    }
}

#[test]
fn pending_values_are_shown_beside_the_applied_ones() {
    let mut app = mid_training(false);
    app.on_key(Key::Left); // patience 2 -> 1
    app.on_key(Key::Down);
    app.on_key(Key::Right); // margin 0.00 -> 0.05
    for _ in 0..5 {
        app.on_key(Key::Down);
    }
    app.on_key(Key::Right); // after labels -> finish
    let rows_before = rows(&render(&app, 80, 24));
    assert!(row_with(&rows_before, "patience").contains("  patience   2 → 1*"));
    assert!(row_with(&rows_before, "margin   ").contains("margin     0.00 pp → 0.05 pp*"));
    assert!(row_with(&rows_before, "after").contains("▸ after      labels → finish*"));
    assert!(row_with(&rows_before, "drop    ").contains("drop       0.30 pp "));
    assert!(
        !row_with(&rows_before, "drop    ").contains('→'),
        "unedited rows show no arrow"
    );
    assert!(
        rows_before[5].contains("* enter applies"),
        "{}",
        rows_before[5]
    );

    let sent = app.on_key(Key::Enter);
    assert!(sent.is_some());
    let terminal = render(&app, 80, 24);
    let text = screen(&terminal);
    insta::assert_snapshot!("stop_rule_sent_80x24", text);
    assert!(rows(&terminal)[5].contains("stop strategy ─ sent, next epoch "));
    assert!(text.contains("2 → 1*"));
    // With room, the status has a line of its own.
    let tall = screen(&render(&app, 120, 40));
    assert!(tall.contains("sent, waiting for epoch end"));

    app.on_event(&Event::StopRuleApplied {
        rule: app.stop().pending().clone(),
    });
    let text = screen(&render(&app, 80, 24));
    assert!(text.contains("  patience   1 "));
    assert!(text.contains("▸ after      finish "));
    assert!(!text.contains("→ 1*"));
    assert!(!text.contains("sent, "));
}

#[test]
fn the_stop_panel_has_seven_rows_at_every_size() {
    for (width, height) in [(80, 24), (100, 30), (120, 40), (200, 60)] {
        let mut app = mid_training(false);
        for _ in 0..4 {
            app.on_key(Key::Down);
        }
        let terminal = render(&app, width, height);
        let rows = rows(&terminal);
        let names = [
            "  patience ",
            "  margin ",
            "  drop ",
            "  min_epochs ",
            "▸ ema ",
            "  max_epochs ",
            "  after ",
        ];
        let at: Vec<usize> = names
            .iter()
            .map(|n| {
                rows.iter()
                    .position(|r| r.contains(n))
                    .unwrap_or_else(|| panic!("{n} at {width}×{height}"))
            })
            .collect();
        assert!(
            at.windows(2).all(|w| w[1] == w[0] + 1),
            "one row each, in order: {at:?}"
        );
        if (width, height) == (80, 24) {
            // The side column only: from the chart's right border on.
            let panel: Vec<&str> = rows[5..14]
                .iter()
                .map(|r| &r[r.char_indices().nth(44).unwrap().0..])
                .collect();
            insta::assert_snapshot!("stop_panel_80x24", panel.join("\n"));
        }
    }
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
        "s r ",
        "stop / resume distillation of the model being distilled",
        "enter",
        "Δ(t)",
        "smoothed kd val acc − best smoothed control",
        "stop KD when Δ ≤ margin",
        "Δ < best Δ so far − drop",
        "patience",
        "min_epochs",
        "ema",
        "max_epochs",
        "then all",
        "labels: train on without the teacher · finish: end the stage",
        "esc or ? closes",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
    assert_all_rows_fit(&rows(&terminal), 80);
    // The whole box is on screen: both corners of its frame.
    assert!(text.contains("╔") && text.contains("╝"));
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
    assert!(text.contains("student kd test 83.0% vs scratch 83.2% (-0.2 pp)"));
    assert!(text.contains("KD stopped: ta @5 drop (finish) · student @4 margin (labels)"));
    assert!(text.contains("runs/fashion-quick-20261129-120000/report.md"));
    assert!(text.contains("runs/fashion-quick-20261129-120000/report.json"));
    assert!(
        text.contains("student    kd          83.4%    8   83.0%      8   00:48  stop @4 margin"),
        "results table"
    );
    assert!(text.contains("student    kft "));
    assert!(text.contains("└ q quit"));
    // With room, the TA's rows are listed too, its cached control marked.
    let tall = screen(&render(&finished(), 120, 40));
    assert!(tall.contains("ta         kd          86.9%    5   86.5%      5   00:30  stop @5 drop"));
    assert!(tall.contains("ta         scratch     87.0%    5   86.6%      5   00:00  cached"));
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
    assert!(text.contains("FAILED after "), "header");
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
    // Still distilling (Δ row without a stop), a stop asked for, and the finished run.
    screens.push(tui_fixture::distilling_app(true));
    let mut asked = tui_fixture::distilling_app(true);
    asked.on_key(Key::Char('s'));
    screens.push(asked);
    screens.push(tui_fixture::finished_app(true));
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

#[test]
fn four_model_chain_fits_80_columns() {
    let terminal = render(&four_model_app(), 80, 24);
    let rows = rows(&terminal);
    insta::assert_snapshot!("chain4_80x24", rows[..6].join("\n"));
    assert_all_rows_fit(&rows, 80);
    assert_eq!(rows[1].matches("──▶").count(), 3);
    for label in [
        "[T mlp-512-256]",
        "[TA mlp-128]",
        "[TA mlp-64]",
        "[student mlp-32]",
    ] {
        assert!(rows[1].contains(label), "{label} in {}", rows[1]);
    }
    assert!(rows[2].contains("■ @5 finish"), "{}", rows[2]);
    assert!(rows[2].contains("▶ KD ep 3/8"), "{}", rows[2]);
    assert!(rows[2].contains("waiting"), "{}", rows[2]);
    // The others give way first: the teacher is down to its number, the stage being trained keeps
    // its words.
    assert!(
        rows[4].contains("89.4 ") && !rows[4].contains("val 89.4"),
        "{}",
        rows[4]
    );
    assert!(
        rows[3].contains("by drop") && rows[3].contains("Δ+0.25"),
        "{}",
        rows[3]
    );
    assert!(rows[4].contains("kd85.0 scr84.2 kft84.6"), "{}", rows[4]);
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

/// Augmentation and the TAKD-style KL reduction are named on the chain's notes line, so a screen
/// shows which recipe is training.
#[test]
fn the_notes_line_names_augmentation_and_a_mean_kl() {
    let mut plan = tui_fixture::plan();
    plan.augment = "random crop, pad 2 px".into();
    plan.kl_reduction = "mean".into();
    let mut script = Script::new(fresh());
    tui_fixture::through_ta_of(&mut script, plan);
    let terminal = render(&script.app, 160, 40);
    let shown = rows(&terminal);
    let line = row_with(&shown, "aug: random crop, pad 2 px");
    assert!(line.contains("KL mean"), "{line}");
    // Without them (the fixture's plan) neither appears.
    let terminal = render(&mid_training(false), 160, 40);
    let text = rows(&terminal).join("\n");
    assert!(
        !text.contains("aug:") && !text.contains("KL mean"),
        "{text}"
    );
}
