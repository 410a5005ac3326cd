use super::*;

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
    snapshot("stop_rule_sent_80x24", &text);
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
            snapshot("stop_panel_80x24", panel.join("\n"));
        }
    }
}
