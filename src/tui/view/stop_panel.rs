//! The stop-strategy panel: one row per threshold with the applied value and, when edited, the
//! pending one (`3 → 2*`), a `▸` on the selected row, and a status line saying what happens next.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::app::App;
use super::super::stop_editor::StopRow;
use super::theme::Theme;

/// Lines the panel needs: three rows and a status line.
pub const HEIGHT: u16 = 4;

/// Draws the panel into `area` (the inside of its block).
pub fn render(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    frame.render_widget(Paragraph::new(lines(app, theme)), area);
}

/// The panel's lines.
pub fn lines(app: &App, theme: Theme) -> Vec<Line<'static>> {
    let stop = app.stop();
    let mut lines: Vec<Line> = StopRow::ALL
        .iter()
        .map(|&row| {
            let selected = row == stop.selected_row();
            let marker = if selected { "▸" } else { " " };
            let name_style = if selected {
                theme.selected()
            } else {
                Default::default()
            };
            let mut spans = vec![Span::styled(
                format!(" {marker} {:<11}", row.name()),
                name_style,
            )];
            match stop.applied() {
                Some(applied) => {
                    spans.push(Span::raw(row.value(applied)));
                    if stop.row_differs(row) {
                        spans.push(Span::styled(
                            format!(" → {}*", row.value(stop.pending())),
                            theme.warn(),
                        ));
                    }
                }
                None => spans.push(Span::styled(row.value(stop.pending()), theme.dim())),
            }
            Line::from(spans)
        })
        .collect();

    let (text, style) = if app.outcome().is_some() {
        ("run over".to_string(), theme.dim())
    } else if app.is_stopping() {
        ("stopping…".to_string(), theme.dim())
    } else if stop.applied().is_none() {
        ("waiting for the run to start".to_string(), theme.dim())
    } else if stop.sent().is_some() {
        ("sent, waiting for epoch end".to_string(), theme.warn())
    } else if stop.is_edited() {
        ("* pending · enter applies".to_string(), theme.warn())
    } else {
        ("←→ adjust · enter apply".to_string(), theme.dim())
    };
    lines.push(Line::styled(format!("   {text}"), style));
    lines
}
