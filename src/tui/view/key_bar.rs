//! The key bar on the bottom border: the keys that work right now, shortened to fit the width.

use ratatui::text::{Line, Span};

use super::super::app::{App, Overlay};
use super::theme::Theme;

/// The key bar for the current state, at most `max_width` cells wide: the full list if it fits,
/// else a shorter wording, else without the editing keys (the stop panel's status line names
/// them), else the least needed keys dropped from the end — never `?`: help lists every key.
pub fn line(app: &App, theme: Theme, max_width: usize) -> Line<'static> {
    let pause = if app.pause_requested().unwrap_or(app.is_paused()) {
        "resume"
    } else {
        "pause"
    };
    let variants: Vec<Vec<(&str, &str)>> = match app.overlay() {
        Overlay::ConfirmQuit => vec![vec![("y", "stop training"), ("n", "keep training")]],
        Overlay::Help => vec![vec![("esc", "close help"), ("q", "quit")]],
        Overlay::None if app.outcome().is_some() => vec![vec![
            ("q", "quit"),
            ("esc", "result box"),
            ("tab", "chart"),
            ("pgup pgdn", "log"),
            ("?", "help"),
        ]],
        Overlay::None if app.is_stopping() => vec![vec![("ctrl-c", "leave without waiting")]],
        Overlay::None => vec![
            vec![
                ("q", "quit"),
                ("p", pause),
                ("s", "stop KD"),
                ("r", "resume KD"),
                ("↑↓", "select"),
                ("←→", "adjust"),
                ("enter", "apply"),
                ("?", "help"),
                ("tab", "chart"),
            ],
            vec![
                ("q", "quit"),
                ("p", pause),
                ("s", "stop KD"),
                ("r", "resume KD"),
                ("↑↓←→", "edit"),
                ("enter", "apply"),
                ("?", "help"),
                ("tab", "chart"),
            ],
            vec![
                ("q", "quit"),
                ("p", pause),
                ("s", "stop KD"),
                ("r", "resume KD"),
                ("↑↓←→", "edit"),
                ("enter", "apply"),
                ("?", "help"),
            ],
            vec![
                ("q", "quit"),
                ("p", pause),
                ("s", "stop KD"),
                ("r", "resume KD"),
                ("?", "help"),
                ("tab", "chart"),
            ],
        ],
    };
    // Display width, not chars: a key or word with a wide character takes two cells.
    let cells = |s: &str| Span::raw(s).width();
    let width = |keys: &[(&str, &str)]| -> usize {
        keys.iter()
            .map(|(k, w)| cells(k) + 1 + cells(w))
            .sum::<usize>()
            + 2 * keys.len().saturating_sub(1)
            + 2
    };
    // A viewer (`mkd-tui attach`) leaves with q; X stops the run itself, after a confirmation.
    let back = app.options().back_on_esc;
    let variants: Vec<Vec<(&str, &str)>> = if app.options().viewer {
        variants
            .into_iter()
            .map(|keys| {
                keys.into_iter()
                    .flat_map(|(k, w)| match (k, w) {
                        // Opened from the comparison's screen: q goes back to it.
                        ("q", "quit") if back && app.is_running() => {
                            vec![("q", "back"), ("X", "stop run")]
                        }
                        ("q", "quit") if back => vec![("q", "back")],
                        ("q", "quit") if app.is_running() => {
                            vec![("q", "leave"), ("X", "stop run")]
                        }
                        ("q", "quit") => vec![("q", "leave")],
                        other => vec![other],
                    })
                    .collect()
            })
            .collect()
    } else {
        variants
    };
    let mut keys = variants
        .iter()
        .find(|keys| width(keys) <= max_width)
        .unwrap_or_else(|| variants.last().expect("one variant at least"))
        .clone();
    while keys.len() > 1 && width(&keys) > max_width {
        // `?` stays while anything else can go: help is how the dropped keys are found.
        match keys.iter().rposition(|(k, _)| *k != "?") {
            Some(i) => {
                keys.remove(i);
            }
            None => break,
        }
    }
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
