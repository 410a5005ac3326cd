//! The key bar on the bottom border: the keys that work right now.

use ratatui::text::{Line, Span};

use super::super::app::{App, Overlay};
use super::theme::Theme;

/// The key bar for the current state.
pub fn line(app: &App, theme: Theme) -> Line<'static> {
    let pause = if app.pause_requested().unwrap_or(app.is_paused()) {
        "resume"
    } else {
        "pause"
    };
    let keys: Vec<(&str, &str)> = match app.overlay() {
        Overlay::ConfirmQuit => vec![("y", "stop training"), ("n", "keep training")],
        Overlay::Help => vec![("esc", "close help"), ("q", "quit")],
        Overlay::None if app.outcome().is_some() => vec![
            ("q", "quit"),
            ("esc", "result box"),
            ("tab", "chart"),
            ("pgup pgdn", "log"),
            ("?", "help"),
        ],
        Overlay::None if app.is_stopping() => vec![("ctrl-c", "leave without waiting")],
        Overlay::None => vec![
            ("q", "quit"),
            ("p", pause),
            ("↑↓", "select"),
            ("←→", "adjust"),
            ("enter", "apply"),
            ("?", "help"),
            ("tab", "chart"),
        ],
    };
    let mut spans = vec![Span::raw(" ")];
    for (i, (key, what)) in keys.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(key.to_string(), theme.key()));
        spans.push(Span::raw(format!(" {what}")));
    }
    spans.push(Span::raw(" "));
    Line::from(spans)
}
