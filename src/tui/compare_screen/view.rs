//! Drawing the comparison: a table of strategies × seeds with the mean and 95 % interval per
//! strategy, a line about the selected run, and the key bar. Nothing here changes the state.
//!
//! ```text
//! ┌ compare <preset> · <folder> · 3/10 done · 01:23 ─────┐
//! │ strategy   seed 1   seed 2   seed 3   mean ± 95 % CI │
//! │ scratch     89.54    90.12   ep 4/10  89.83 ± 3.68   │
//! │ …                                                    │
//! ├──────────────────────────────────────────────────────┤
//! │ seed 3 kd: training student (stage 2/2), epoch 4/10   │
//! └ keys ────────────────────────────────────────────────┘
//! ```
//!
//! No colours: state is in words, the selection is reversed video (works with `NO_COLOR`).

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

use super::state::{CompareScreen, Role};
use crate::compare::CellState;
use crate::describe::clock;
use crate::tui::view::popup;

/// Width of one seed's column.
const SEED_WIDTH: u16 = 9;
/// Width of the mean column: `100.00 ± 16.29 (n 10)`.
const MEAN_WIDTH: u16 = 21;

/// Draws the whole comparison screen.
pub fn view(screen: &CompareScreen, frame: &mut Frame) {
    let area = frame.area();
    let [table_area, detail_area] =
        Layout::vertical([Constraint::Min(4), Constraint::Length(4)]).areas(area);
    let (done, all) = screen.progress.done();
    let folder = screen
        .progress
        .folder
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let state = if screen.role == Role::Owner && screen.ended && !screen.finished() {
        // Left while the Slurm tasks go on.
        format!("{done}/{all} done · tasks on Slurm")
    } else if screen.stopping && !screen.finished() {
        if screen.on_slurm() {
            "leaving".to_string()
        } else {
            "stopping".to_string()
        }
    } else if screen.finished() {
        if done == all {
            "finished".to_string()
        } else {
            // As `ls` says: the same compare command continues it.
            "stopped".to_string()
        }
    } else {
        format!("{done}/{all} done")
    };
    let title = format!(
        " compare {} · {} · {} · {} ",
        screen.progress.preset,
        folder,
        state,
        clock(screen.elapsed_s)
    );
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        title,
        Style::new().add_modifier(Modifier::BOLD),
    ));
    frame.render_widget(table(screen).block(block), table_area);

    let detail = Block::default()
        .borders(Borders::LEFT | Borders::RIGHT | Borders::BOTTOM)
        .title_bottom(keys(screen));
    frame.render_widget(
        Paragraph::new(detail_lines(screen))
            .wrap(Wrap { trim: true })
            .block(detail),
        detail_area,
    );
    if screen.confirm_stop {
        stop_dialog(frame, area, screen.on_slurm());
    }
}

/// The table: a header row, one row per strategy, the selected cell reversed.
fn table(screen: &CompareScreen) -> Table<'static> {
    let seeds = &screen.progress.seeds;
    let mut header = vec![Cell::from("strategy")];
    header.extend(
        seeds
            .iter()
            .map(|s| Cell::from(Line::from(format!("seed {s}")).right_aligned())),
    );
    header.push(Cell::from(Line::from("mean ± 95 % CI").right_aligned()));
    let rows = screen.progress.rows.iter().enumerate().map(|(r, row)| {
        let mut cells = vec![Cell::from(row.label.clone())];
        cells.extend(row.cells.iter().enumerate().map(|(c, cell)| {
            let text = cell_text(&cell.state);
            let style = if (r, c) == (screen.row, screen.col) {
                Style::new().add_modifier(Modifier::REVERSED)
            } else {
                Style::new()
            };
            Cell::from(Line::from(text).right_aligned()).style(style)
        }));
        let mean = match &row.test_acc {
            None => String::from("—"),
            Some(m) => match m.half_width {
                Some(h) => format!("{:.2} ± {:.2} (n {})", m.mean, h, m.n),
                None => format!("{:.2} (n 1)", m.mean),
            },
        };
        cells.push(Cell::from(Line::from(mean).right_aligned()));
        Row::new(cells)
    });
    let label_width = screen
        .progress
        .rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(8)
        .max(8) as u16;
    let mut widths = vec![Constraint::Length(label_width)];
    // Each seed's column as wide as its widest cell (`2/3 e104/150`), never cut.
    widths.extend(seeds.iter().enumerate().map(|(c, seed)| {
        let widest = screen
            .progress
            .rows
            .iter()
            .filter_map(|r| r.cells.get(c))
            .map(|cell| cell_text(&cell.state).chars().count())
            .chain([format!("seed {seed}").chars().count()])
            .max()
            .unwrap_or(0) as u16;
        Constraint::Length(widest.max(SEED_WIDTH))
    }));
    widths.push(Constraint::Length(MEAN_WIDTH));
    Table::new(rows, widths)
        .header(Row::new(header).style(Style::new().add_modifier(Modifier::BOLD)))
        .column_spacing(1)
}

/// A run's cell: test accuracy when done, else where it is.
fn cell_text(state: &CellState) -> String {
    match state {
        CellState::Queued => "queued".into(),
        CellState::Running {
            stages,
            stage,
            epoch,
            epochs,
            ..
        } if *epochs == 0 => {
            if *stages > 1 {
                format!("{stage}/{stages} start")
            } else {
                "started".into()
            }
        }
        CellState::Running {
            stages,
            stage,
            epoch,
            epochs,
            ..
        } if *stages > 1 => format!("{stage}/{stages} e{epoch}/{epochs}"),
        CellState::Running { epoch, epochs, .. } => format!("e{epoch}/{epochs}"),
        CellState::Done { test_acc } => format!("{test_acc:.2}"),
        CellState::Stopped => "stopped".into(),
        CellState::Failed { .. } => "FAILED".into(),
    }
}

/// What the selected run is doing, its folder, and the screen's last message.
fn detail_lines(screen: &CompareScreen) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if let (Some(row), Some(cell)) = (screen.progress.rows.get(screen.row), screen.selected()) {
        let what = match &cell.state {
            CellState::Queued => "queued".to_string(),
            CellState::Running {
                model,
                stage,
                stages,
                epoch,
                epochs,
            } if *epochs > 0 => {
                format!("training {model} (stage {stage}/{stages}), epoch {epoch}/{epochs} done")
            }
            CellState::Running {
                model,
                stage,
                stages,
                ..
            } => format!("started {model} (stage {stage}/{stages})"),
            CellState::Done { test_acc } => format!("student test {test_acc:.2}%"),
            CellState::Stopped => "stopped; the same compare command continues it".to_string(),
            CellState::Failed { detail } => format!("failed: {detail}"),
        };
        lines.push(Line::from(format!(
            "seed {} {}: {what}",
            cell.seed, row.label
        )));
        lines.push(Line::from(match &cell.slurm {
            Some((job, log)) => format!(
                "{} · Slurm job {job}, log {}",
                cell.dir.display(),
                log.display()
            ),
            None => cell.dir.display().to_string(),
        }));
    }
    if let Some(m) = &screen.message {
        lines.push(Line::from(m.clone()));
    }
    lines
}

/// The key bar for the screen's state.
fn keys(screen: &CompareScreen) -> Line<'static> {
    let quit = match screen.role {
        Role::Viewer => "leave",
        Role::Owner if screen.finished() || screen.ended => "quit",
        Role::Owner if screen.stopping => "leave now",
        Role::Owner if screen.on_slurm() => "leave",
        Role::Owner => "stop",
    };
    let items: Vec<(&str, &str)> = if screen.confirm_stop && screen.on_slurm() {
        vec![("y", "leave, the tasks go on"), ("n", "stay")]
    } else if screen.confirm_stop {
        vec![("y", "stop the comparison"), ("n", "keep going")]
    } else {
        vec![("q", quit), ("↑↓←→", "select"), ("enter", "open run")]
    };
    let mut spans = vec![Span::raw(" ")];
    for (i, (key, what)) in items.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(
            key.to_string(),
            Style::new().add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::raw(format!(" {what}")));
    }
    spans.push(Span::raw(" "));
    Line::from(spans)
}

/// "Stop the comparison?" over the table; for Slurm tasks, "Leave?" (they go on without us).
fn stop_dialog(frame: &mut Frame, area: Rect, on_slurm: bool) {
    let text: &[&str] = if on_slurm {
        &[
            "Leave the comparison?",
            "",
            "Its Slurm tasks go on (scancel cancels them). `mkd-tui attach <out>` shows",
            "this table again; `mkd-tui compare --collect <out>` writes it when they end.",
            "",
            "y leave · n stay",
        ]
    } else {
        &[
            "Stop the comparison?",
            "",
            "The running run stops after its current batch. Finished runs are kept;",
            "the same compare command (same --out) continues with the rest.",
            "",
            "y stop · n keep going",
        ]
    };
    let width = text.iter().map(|l| l.chars().count()).max().unwrap_or(0) as u16 + 4;
    let rect = popup::centered(area, width, text.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(text.iter().map(|l| Line::from(*l)).collect::<Vec<_>>())
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).title(" stop ")),
        rect,
    );
}
