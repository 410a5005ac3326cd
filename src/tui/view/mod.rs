//! Drawing: `view(&App, &mut Frame)` lays the screen out and hands each region to its widget.
//! Nothing here changes the app.
//!
//! ```text
//! ┌ header ─────────────────────────────────────────────┐
//! │ chain diagram (4 lines)                              │
//! ├ val accuracy ───────────────────┬ stop strategy ─────┤
//! │ chart (grows with the terminal) │ panel (4 lines)    │
//! │                                 ├ progress ──────────┤
//! │                                 │ gauges             │
//! ├ log ────────────────────────────┴────────────────────┤
//! │ log lines                                            │
//! └ key bar ─────────────────────────────────────────────┘
//! ```

mod accuracy_chart;
mod chain_diagram;
mod header;
mod help;
mod key_bar;
mod log_pane;
mod popup;
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
    let [top, middle, bottom] = Layout::vertical([
        Constraint::Length(chain_diagram::HEIGHT + 2),
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
    let [stop_area, progress_area] = Layout::vertical([
        Constraint::Length(stop_panel::HEIGHT + 2),
        Constraint::Fill(1),
    ])
    .spacing(-1)
    .areas(side);

    let header = header::line(app, theme, area.width.saturating_sub(6) as usize);
    let block = panel(theme).title(header);
    chain_diagram::render(app, theme, frame, block.inner(top));
    frame.render_widget(block, top);

    accuracy_chart::render(app, theme, frame, chart_area, panel(theme));

    let block = panel(theme).title(Line::styled(" stop strategy ", theme.title()));
    stop_panel::render(app, theme, frame, block.inner(stop_area));
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
        .title_bottom(key_bar::line(app, theme));
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

/// Log rows including borders: 7 lines at 24 rows, one more per 4 rows beyond.
fn log_height(height: u16) -> u16 {
    9 + height.saturating_sub(MIN_HEIGHT) / 4
}

/// Width of the stop/progress column: 36 at 80 columns, a little more on wide terminals (the chart
/// gets the rest).
fn side_width(width: u16) -> u16 {
    (36 + width.saturating_sub(MIN_WIDTH) / 10).min(44)
}
