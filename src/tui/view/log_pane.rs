//! The log pane: the newest lines that fit, each with its `mm:ss` time and a level tag for
//! warnings and errors. Long lines wrap (an error message is worth reading whole); PgUp/PgDn
//! scroll back.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::app::App;
use super::super::log::LogLine;
use super::popup::wrap;
use super::theme::Theme;
use crate::describe::clock_of;
use crate::protocol::LogLevel;

/// Draws the lines that fit into `area` (the inside of its block).
pub fn render(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let height = area.height as usize;
    let all = app.log().lines();
    let end = all.len().saturating_sub(app.log_scroll());
    // Walk back from the newest line until the pane is full; rows are collected newest first.
    let mut rows: Vec<Line> = Vec::new();
    for line in all.range(..end).rev() {
        rows.extend(rows_of(line, area.width as usize, theme).into_iter().rev());
        if rows.len() >= height {
            break;
        }
    }
    rows.truncate(height);
    rows.reverse();
    frame.render_widget(Paragraph::new(rows), area);
}

/// One log line as screen rows: time, tag, and the text wrapped under its own start.
fn rows_of(line: &LogLine, width: usize, theme: Theme) -> Vec<Line<'static>> {
    let time = format!(" {} ", clock_of(line.at));
    let tag = match line.level {
        LogLevel::Info => Span::raw(""),
        LogLevel::Warn => Span::styled("WARN ", theme.warn()),
        LogLevel::Error => Span::styled("ERROR ", theme.error()),
    };
    let indent = super::popup::cells(&time) + tag.width();
    let style = if line.level == LogLevel::Error {
        theme.error()
    } else {
        Default::default()
    };
    wrap(&line.text, width.saturating_sub(indent))
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            if i == 0 {
                Line::from(vec![
                    Span::styled(time.clone(), theme.dim()),
                    tag.clone(),
                    Span::styled(chunk, style),
                ])
            } else {
                Line::from(vec![
                    Span::raw(" ".repeat(indent)),
                    Span::styled(chunk, style),
                ])
            }
        })
        .collect()
}

/// Title of the log block; says so when scrolled back.
pub fn title(app: &App) -> String {
    if app.log_scroll() > 0 {
        format!(
            " log · {} newer lines below · end follows ",
            app.log_scroll()
        )
    } else {
        " log ".to_string()
    }
}
