//! The screen shown below the minimum size: what is needed, what there is, and the run's state in
//! one line so a small terminal still tells whether training goes on.

use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::super::app::{App, Overlay};
use super::header;
use super::theme::Theme;
use super::{MIN_HEIGHT, MIN_WIDTH};

/// Draws the too-small screen over the whole `area`.
pub fn render(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let mut lines = vec![
        Line::styled(
            format!(
                "terminal too small: need {MIN_WIDTH}×{MIN_HEIGHT}, have {}×{}",
                area.width, area.height
            ),
            theme.warn(),
        ),
        Line::from(""),
        Line::from(header::plain(app)),
        Line::from(""),
    ];
    lines.push(match app.overlay() {
        Overlay::ConfirmQuit => Line::styled("Stop training? y/n", theme.warn()),
        _ => Line::styled("q quit", theme.dim()),
    });
    let top = area.height.saturating_sub(lines.len() as u16) / 2;
    let body = Rect {
        y: area.y + top,
        height: area.height - top,
        ..area
    };
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        body,
    );
}
