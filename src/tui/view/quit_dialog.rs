//! The quit confirmation: quitting mid-run stops training, so it asks first.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};
use ratatui::Frame;

use super::popup::centered;
use super::theme::Theme;

/// Draws the dialog centred over `area`.
pub fn render(theme: Theme, frame: &mut Frame, area: Rect) {
    let lines = vec![
        Line::from(" Stop training? The run directory keeps what is done:"),
        Line::from(" `mkd-tui resume` continues it from its last finished epoch."),
        Line::from(""),
        Line::from(vec![
            Span::raw(" "),
            Span::styled("y", theme.key()),
            Span::raw(" stop (or ctrl-c)   "),
            Span::styled("n", theme.key()),
            Span::raw(" keep training (or esc)"),
        ]),
    ];
    let width = lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 3;
    let popup = centered(area, width, lines.len() as u16 + 2);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.warn())
        .title(Line::styled(" quit? y/n ", theme.warn()));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
