//! The help overlay (`?`): every key, and what the stop-rule thresholds mean.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};
use ratatui::Frame;

use super::popup::centered;
use super::theme::Theme;

const KEYS: &[(&str, &str)] = &[
    (
        "q ctrl-c",
        "quit; while training asks first: y stops, n keeps going",
    ),
    ("p", "pause / resume (takes effect after the current batch)"),
    ("↑ ↓", "select a stop-rule row"),
    ("← →", "change the selected row's pending value"),
    (
        "enter",
        "send the pending rule; applied at the next epoch end",
    ),
    ("tab", "chart: next model (shift-tab: previous)"),
    (
        "pgup pgdn",
        "scroll the log (home: oldest, end: follow again)",
    ),
    (
        "esc",
        "close this help; after the run: hide/show the result",
    ),
    ("?", "this help"),
];

const RULE: &[(&str, &str)] = &[
    (
        "patience",
        "stop a stage after this many epochs without a gain of",
    ),
    ("", "min_delta over its best val accuracy; 0 = off (0…99)"),
    (
        "min_delta",
        "smallest gain that counts, pp (0…10, step 0.05)",
    ),
    (
        "max_epochs",
        "bound on every stage: 1 … longest schedule, then all;",
    ),
    (
        "",
        "← from all starts at the longest schedule, ← stops at 1",
    ),
    (
        "3 → 2*",
        "applied → pending; * marks an edit not applied yet",
    ),
];

/// Draws the help box centred over `area`.
pub fn render(theme: Theme, frame: &mut Frame, area: Rect) {
    let key_w = KEYS
        .iter()
        .chain(RULE)
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let row = |(key, what): &(&str, &str)| {
        Line::from(vec![
            Span::styled(format!(" {key:<key_w$}  "), theme.key()),
            Span::raw(what.to_string()),
        ])
    };
    let mut lines: Vec<Line> = vec![Line::styled(" keys", theme.title())];
    lines.extend(KEYS.iter().map(row));
    lines.push(Line::from(""));
    lines.push(Line::styled(
        " stop rule · early stopping on validation accuracy, per stage",
        theme.title(),
    ));
    lines.extend(RULE.iter().map(row));
    let width = lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 3;
    let height = lines.len() as u16 + 2;
    let popup = centered(area, width, height);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .title(Line::styled(" help · esc or ? closes ", theme.title()));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
