//! The stop-strategy panel: one row per threshold of the rule with the applied value and, when
//! edited, the pending one (`3 → 2*`), a `▸` on the selected row, and a status saying what happens
//! next — on a line of its own when there is room, else in the panel's title.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::app::App;
use super::super::stop_editor::StopRow;
use super::theme::Theme;

/// Lines of the thresholds, one per row of the rule.
pub const ROWS: u16 = StopRow::ALL.len() as u16;

/// Draws the panel into `area` (the inside of its block); the status line when `with_status`.
pub fn render(app: &App, theme: Theme, frame: &mut Frame, area: Rect, with_status: bool) {
    frame.render_widget(Paragraph::new(lines(app, theme, with_status)), area);
}

/// The panel's title: `stop strategy`, with the status when it has no line of its own (`planner`
/// while the planner works).
pub fn title(app: &App, theme: Theme, with_status: bool) -> Vec<Line<'static>> {
    if let Some(p) = app.planner_panel() {
        return super::planner_panel::title(p, theme);
    }
    let mut titles = vec![Line::styled(" stop strategy ", theme.title())];
    if !with_status {
        let (text, style) = status(app, theme, true);
        titles.push(Line::styled(format!(" {text} "), style).right_aligned());
    }
    titles
}

/// The panel's lines.
pub fn lines(app: &App, theme: Theme, with_status: bool) -> Vec<Line<'static>> {
    if let Some(p) = app.planner_panel() {
        return super::planner_panel::lines(p, theme, with_status);
    }
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
    if with_status {
        let (text, style) = status(app, theme, false);
        lines.push(Line::styled(format!("   {text}"), style));
    }
    lines
}

/// What happens next, in a few words (`short` for the title).
fn status(app: &App, theme: Theme, short: bool) -> (String, Style) {
    let stop = app.stop();
    let pick = |long: &str, brief: &str| if short { brief } else { long }.to_string();
    if app.outcome().is_some() {
        (pick("run over", "run over"), theme.dim())
    } else if app.is_stopping() {
        (pick("stopping…", "stopping…"), theme.dim())
    } else if stop.applied().is_none() {
        (
            pick("waiting for the run to start", "not started"),
            theme.dim(),
        )
    } else if stop.sent().is_some() {
        (
            pick("sent, waiting for epoch end", "sent, next epoch"),
            theme.warn(),
        )
    } else if stop.applied().is_some_and(|r| !r.enabled) && !stop.is_edited() {
        // `stop.enabled: false`: the thresholds below are not used.
        (
            pick("rule off · s stops KD by hand", "rule off"),
            theme.warn(),
        )
    } else if stop.is_edited() {
        (
            pick("* pending · enter applies", "* enter applies"),
            theme.warn(),
        )
    } else {
        (pick("←→ adjust · enter apply", "applied"), theme.dim())
    }
}
