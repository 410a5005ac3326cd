use super::*;

#[test]
fn mid_training_80x24() {
    let terminal = render(&mid_training(false), 80, 24);
    let text = screen(&terminal);
    snapshot("mid_training_80x24", &text);
    let rows = rows(&terminal);
    assert_all_rows_fit(&rows, 80);
    assert!(
        rows[0].contains("mkd-tui · fashion-quick · stage 3/3 student · 00:51 elapsed · ETA 00:04"),
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
    snapshot("mid_training_120x40", &text);
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
            snapshot("distilling_80x24", &text);
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
