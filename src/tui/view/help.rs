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
    (
        "s r",
        "stop / resume distillation of the model being distilled,",
    ),
    ("", "at the end of the epoch in progress"),
    (
        "↑↓ ←→",
        "select a threshold / change its pending value (3 → 2*)",
    ),
    (
        "enter",
        "send the pending rule; applied at the next epoch end",
    ),
    ("", "(while the planner works: its thresholds instead)"),
    ("tab", "chart: next model (shift-tab: previous)"),
    (
        "pgup pgdn",
        "scroll the log (home: oldest, end: follow again)",
    ),
    (
        "esc ?",
        "close this help; after the run: hide/show the result",
    ),
];

const RULE: &[(&str, &str)] = &[
    (
        "Δ(t)",
        "smoothed kd val acc − best smoothed control (scr, kft), pp",
    ),
    ("ema", "EMA weight of that smoothing, 0 = none (0…0.95)"),
    (
        "margin",
        "stop KD when Δ ≤ margin (KD no longer beats the controls)",
    ),
    (
        "drop",
        "… or when Δ < best Δ so far − drop (the gain is falling)",
    ),
    ("patience", "… at this many epochs in a row"),
    ("min_epochs", "… counting from this epoch on"),
    (
        "max_epochs",
        "bound on every stage: 1 … longest schedule, then all",
    ),
    (
        "after",
        "labels: train on without the teacher · finish: end the stage",
    ),
];

/// Draws the help box centred over `area`.
pub fn render(theme: Theme, frame: &mut Frame, area: Rect) {
    let key_w = KEYS
        .iter()
        .chain(RULE)
        .map(|(k, _)| super::popup::cells(k))
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
        " stop rule · per distilled model, against its control arms",
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
