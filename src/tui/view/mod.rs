//! Drawing: `view(&App, &mut Frame)` lays the screen out and hands each region to its widget.
//! Nothing here changes the app.
//!
//! ```text
//! ┌ header ─────────────────────────────────────────────┐
//! │ chain diagram (4 lines, 5 with the notes line)       │
//! ├ val accuracy ───────────────────┬ stop strategy ─────┤
//! │ chart (grows with the terminal) │ 7 thresholds       │
//! │                                 │ (+ status line)    │
//! ├ Δ pp (distilled models) ────────┼ progress ──────────┤
//! │ advantage row, epoch numbers    │ gauges             │
//! ├ log ────────────────────────────┴────────────────────┤
//! │ log lines                                            │
//! └ key bar ─────────────────────────────────────────────┘
//! ```
//!
//! At 80×24 every row counts: the notes line and the stop panel's status line give way first (the
//! status moves into the panel's title), and the log keeps five lines.

mod accuracy_chart;
mod chain_diagram;
mod header;
mod help;
mod key_bar;
mod log_pane;
mod planner_panel;
mod plot;
pub(crate) mod popup;
mod progress;
mod quit_dialog;
mod result_box;
mod stop_panel;
mod theme;

use theme::Theme;
mod too_small;

use ratatui::layout::{Constraint, Layout};
use ratatui::symbols::merge::MergeStrategy;
use ratatui::text::Line;
use ratatui::widgets::Block;
use ratatui::Frame;

use super::app::{App, Overlay};

/// Smallest terminal the full screen is drawn on.
pub const MIN_WIDTH: u16 = 80;
/// Smallest terminal the full screen is drawn on.
pub const MIN_HEIGHT: u16 = 24;

/// Draws the whole screen for `app`.
pub fn view(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let theme = Theme::new(app.options().no_color);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small::render(app, theme, frame, area);
        return;
    }

    // Neighbouring blocks overlap by one cell and merge their borders, which saves the rows and
    // columns separate borders would cost at 80×24.
    let notes = area.height >= NOTES_MIN_HEIGHT;
    let [top, middle, bottom] = Layout::vertical([
        Constraint::Length(chain_diagram::height(notes) + 2),
        Constraint::Fill(1),
        Constraint::Length(log_height(area.height)),
    ])
    .spacing(-1)
    .areas(area);
    let [chart_area, side] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(side_width(area.width)),
    ])
    .spacing(-1)
    .areas(middle);
    // The stop panel's status gets a line of its own when the progress gauges keep room for two
    // lines per arm.
    let with_status = middle.height.saturating_sub(2) >= stop_panel::ROWS + 1 + 1 + 6;
    let [stop_area, progress_area] = Layout::vertical([
        Constraint::Length(stop_panel::ROWS + u16::from(with_status) + 2),
        Constraint::Fill(1),
    ])
    .spacing(-1)
    .areas(side);

    let header = header::line(app, theme, area.width.saturating_sub(6) as usize);
    let block = panel(theme).title(header);
    chain_diagram::render(app, theme, frame, block.inner(top), notes);
    frame.render_widget(block, top);

    accuracy_chart::render(app, theme, frame, chart_area);

    let mut block = panel(theme);
    for title in stop_panel::title(app, theme, with_status) {
        block = block.title(title);
    }
    stop_panel::render(app, theme, frame, block.inner(stop_area), with_status);
    frame.render_widget(block, stop_area);

    let block = panel(theme).title(Line::styled(progress::title(app), theme.title()));
    progress::render(app, theme, frame, block.inner(progress_area));
    frame.render_widget(block, progress_area);

    // Drawn before the log so the log's title lands on the border they share.
    if !app.result_hidden() {
        result_box::render(app, theme, frame, middle);
    }

    let block = panel(theme)
        .title(Line::styled(log_pane::title(app), theme.title()))
        .title_bottom(key_bar::line(
            app,
            theme,
            area.width.saturating_sub(2) as usize,
        ));
    log_pane::render(app, theme, frame, block.inner(bottom));
    frame.render_widget(block, bottom);
    match app.overlay() {
        Overlay::Help => help::render(theme, frame, area),
        Overlay::ConfirmQuit => quit_dialog::render(theme, frame, area),
        Overlay::None => {}
    }
}

/// A bordered block that merges its borders with its neighbours'.
fn panel(theme: Theme) -> Block<'static> {
    Block::bordered()
        .border_style(theme.border())
        .merge_borders(MergeStrategy::Exact)
}

/// Height from which the diagram's notes line (controls, dataset, T, α, batch) is drawn.
const NOTES_MIN_HEIGHT: u16 = 26;

/// Log rows including borders: 5 lines at 24 rows, one more per 4 rows beyond.
fn log_height(height: u16) -> u16 {
    7 + height.saturating_sub(MIN_HEIGHT) / 4
}

/// Width of the stop/progress column: 36 at 80 columns, a little more on wide terminals (the chart
/// gets the rest).
fn side_width(width: u16) -> u16 {
    (36 + width.saturating_sub(MIN_WIDTH) / 10).min(44)
}
