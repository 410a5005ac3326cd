use super::*;

#[test]
fn too_small_screen_says_what_is_needed() {
    let terminal = render(&mid_training(false), 60, 20);
    let text = screen(&terminal);
    snapshot("too_small_60x20", &text);
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
    snapshot("help_80x24", &text);
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
    snapshot("quit_dialog_80x24", &text);
    assert!(text.contains("Stop training? The run directory keeps what is done:"));
    assert!(text.contains("`mkd-tui resume` continues it from its last finished epoch."));
    assert!(text.contains("y stop") && text.contains("n keep training"));
}

#[test]
fn finished_run_shows_result_and_reports() {
    let text = screen(&render(&finished(), 80, 24));
    snapshot("finished_80x24", &text);
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
    snapshot("failed_80x24", &text);
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
    snapshot("starting_80x24", &text);
    assert!(text.contains("mkd-tui · fashion-quick · starting"));
    assert!(text.contains("ETA —"));
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

#[test]
fn four_model_chain_fits_80_columns() {
    let terminal = render(&four_model_app(), 80, 24);
    let rows = rows(&terminal);
    snapshot("chain4_80x24", rows[..6].join("\n"));
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

/// A viewer's key bar at 80×24 has `X stop run` too; it still keeps `? help` (the editing keys
/// give way: the stop panel says how to edit).
#[test]
fn a_viewers_key_bar_at_80x24_keeps_help() {
    let mut script = Script::new(App::new(mkd_tui::tui::TuiOptions {
        viewer: true,
        ..options(false)
    }));
    tui_fixture::through_ta(&mut script);
    tui_fixture::student_epochs(&mut script, 2);
    let terminal = render(&script.app, 80, 24);
    let rows = rows(&terminal);
    let bar = rows.last().unwrap();
    assert!(bar.contains("? help"), "{bar}");
    assert!(bar.contains("q leave  X stop run"), "{bar}");
    // The owner's bar at 80 columns is as before.
    let owner = rows_of(&distilling(), 80, 24);
    assert!(owner.last().unwrap().contains(KEY_BAR_80));
}

fn rows_of(app: &App, width: u16, height: u16) -> Vec<String> {
    rows(&render(app, width, height))
}

/// `stop.enabled: false` in force: the stop panel says the rule is off (in its title at 80×24,
/// on its status line when there is room).
#[test]
fn a_stop_rule_switched_off_is_shown_in_the_stop_panel() {
    let mut app = distilling();
    app.on_event(&Event::StopRuleApplied {
        rule: mkd_tui::stop::StopRule {
            enabled: false,
            ..tui_fixture::rule()
        },
    });
    let small = rows_of(&app, 80, 24);
    assert!(row_with(&small, "stop strategy").contains("rule off"));
    let large = rows_of(&app, 120, 40);
    row_with(&large, "rule off · s stops KD by hand");
}

/// A model name with wide characters (two cells each, 24 here) keeps the layout: the chart's
/// legend gives way before the panel border, and log lines wrap by cells instead of being cut at
/// the border (what counting characters did).
#[test]
fn a_wide_character_model_name_keeps_the_layout() {
    let name = "学生模型学生模型学生模型";
    let mut plan = tui_fixture::plan();
    plan.nodes[2].name = name.into();
    let mut script = Script::new(App::new(options(false)));
    tui_fixture::through_ta_of(&mut script, plan);
    script.send(Event::StageStarted {
        stage: 2,
        model: name.into(),
        epochs: 8,
        batches_per_epoch: 422,
        arms: tui_fixture::student_arms(),
    });
    for (epoch, v) in [(1, 80.5), (2, 82.0)] {
        for arm in tui_fixture::student_arms() {
            script.send(tui_fixture::record(2, name, arm, epoch, v, 2.0));
        }
    }
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let rows = rows_of(&script.app, w, h);
        // A wide character fills its cell and the next (a blank here): one char per cell.
        assert_all_rows_fit(&rows, w as usize);
        let at = |row: &str, needle: &str| {
            let byte = row
                .find(needle)
                .unwrap_or_else(|| panic!("{needle:?} in {row:?}"));
            row[..byte].chars().count()
        };
        let first = name.chars().next().unwrap().to_string();
        let named: Vec<&String> = rows.iter().filter(|r| r.contains(&first)).collect();
        assert!(!named.is_empty(), "the name is on the screen");
        for row in named {
            // Still closed by its border: nothing pushed past the right edge.
            assert!(row.ends_with(['│', '┐', '┤', '┘']), "{row}");
        }
        let _ = at;
        // The legend in the chart's title stops before the border it shares with the stop panel.
        assert!(
            row_with(&rows, "stop strategy").contains("─┬"),
            "{}",
            rows[5]
        );
        // Every log entry ends with its throughput, on its row or the wrapped one below.
        for (i, row) in rows.iter().enumerate() {
            if row.starts_with("│ 00:") && row.contains(&first) {
                let next = rows.get(i + 1).map_or("", String::as_str);
                assert!(
                    row.contains("img/s") || next.contains("img/s") || i + 2 == rows.len(),
                    "cut log line:\n{row}\n{next}"
                );
            }
        }
        if w == 80 {
            snapshot("wide_name_80x24", rows.join("\n"));
        }
    }
}

/// The header names the device the run trains on, short (`cuda:0`, not the GPU's name), at 80
/// columns too; a run that has not said (the fixture's plan, older runs) shows none.
#[test]
fn the_header_names_the_device() {
    let mut plan = tui_fixture::plan();
    plan.device = "cuda:0 (NVIDIA H100 80GB HBM3)".into();
    let mut script = Script::new(fresh());
    tui_fixture::through_ta_of(&mut script, plan);
    for width in [80, 160] {
        let terminal = render(&script.app, width, 40);
        let header = rows(&terminal)[0].clone();
        assert!(header.contains(" · cuda:0 · "), "{header}");
        assert!(!header.contains("H100"), "{header}");
    }
    let header = rows(&render(&mid_training(false), 160, 40))[0].clone();
    assert!(
        !header.contains("cpu") && !header.contains("cuda"),
        "{header}"
    );
}
