//! The chain diagram: every model as `[role arch]` with its size, its state in words, a detail line
//! (the stop of distillation, the labels-only epochs, the current advantage Δ) and the best
//! validation accuracy of each arm, `──▶` from teacher to student, and a line naming the controls
//! and the KD settings when there is room.
//!
//! Models sit side by side in columns. When the full text does not fit the width (4+ models at 80
//! columns), it is abbreviated in steps — sizes, units, then words — and only then cut.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

mod cell;

use super::super::app::App;
use super::popup::{cells, fit, pad};
use super::theme::Theme;
use crate::protocol::ArmKind;
use cell::column;
pub use cell::signed;

/// Lines of the model columns: label, state, detail, accuracy.
pub const COLUMN_LINES: u16 = 4;

/// Lines the diagram needs, with or without the notes line.
pub fn height(notes: bool) -> u16 {
    COLUMN_LINES + u16::from(notes)
}

/// Width of the arrow between two columns.
const ARROW: usize = 3;

/// How much a column is abbreviated.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    /// `25.4k · ■ KD stopped @4 (margin)`, `kd 81.2% · scr 80.6% · kft 80.9%`
    Full,
    /// `■ KD stopped @4 (margin)`, `kd 81.2% · scr 80.6% · kft 80.9%`
    NoParams,
    /// `■ KD stopped @4 (margin)`, `kd 81.2 · scr 80.6 · kft 80.9`
    NoUnits,
    /// `■ KD off @4 margin`, `kd81.2 scr80.6 kft80.9`
    Compact,
    /// `[T mlp-512-256]`, `■ KD@4`, `81.2/80.6/80.9`
    Terse,
}

/// The levels from the most to the least detailed.
const LEVELS: [Level; 5] = [
    Level::Full,
    Level::NoParams,
    Level::NoUnits,
    Level::Compact,
    Level::Terse,
];

/// The lines of one model's column.
struct Column {
    label: String,
    state: String,
    state_style: Style,
    detail: String,
    detail_style: Style,
    acc: String,
}

impl Column {
    fn width(&self) -> usize {
        [&self.label, &self.state, &self.detail, &self.acc]
            .iter()
            .map(|s| cells(s))
            .max()
            .unwrap_or(0)
    }
}

/// Draws the diagram into `area` (the inside of its block); the notes line when `notes`.
pub fn render(app: &App, theme: Theme, frame: &mut Frame, area: Rect, notes: bool) {
    let mut lines = lines(app, theme, area.width as usize);
    if !notes && lines.len() > COLUMN_LINES as usize {
        lines.truncate(COLUMN_LINES as usize);
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// The diagram's lines for a given width: the four column lines and the notes line.
pub fn lines(app: &App, theme: Theme, width: usize) -> Vec<Line<'static>> {
    let nodes = app.nodes();
    if nodes.is_empty() {
        return vec![Line::styled(
            " waiting for the worker to send the plan…",
            theme.dim(),
        )];
    }
    let width = width.saturating_sub(1); // a space of margin on the left
    let arrows = ARROW * (nodes.len() - 1);
    // Every column at every level, then abbreviate the widest column step by step until the row
    // fits; the stage being trained counts a little narrower, so it keeps its words longest.
    let all: Vec<Vec<Column>> = nodes
        .iter()
        .map(|n| {
            LEVELS
                .iter()
                .map(|&l| column(n, app.outcome(), l, theme))
                .collect()
        })
        .collect();
    let width_of = |i: usize, level: usize| all[i][level].width();
    let fits = |levels: &[usize]| {
        levels
            .iter()
            .enumerate()
            .map(|(i, &l)| width_of(i, l))
            .sum::<usize>()
            + arrows
            <= width
    };
    // Sizes and units go for every column at once, so that the columns read alike; words are
    // then shortened column by column.
    let uniform = (0..=2).find(|&l| fits(&vec![l; nodes.len()])).unwrap_or(2);
    let mut levels = vec![uniform; nodes.len()];
    loop {
        let total: usize = (0..nodes.len()).map(|i| width_of(i, levels[i])).sum();
        if total + arrows <= width {
            break;
        }
        let next = (0..nodes.len())
            .filter_map(|i| {
                let now = width_of(i, levels[i]);
                let narrower = (levels[i] + 1..LEVELS.len()).find(|&l| width_of(i, l) < now)?;
                let bias = if app.current_stage() == Some(i) { 4 } else { 0 };
                Some((now.saturating_sub(bias), std::cmp::Reverse(i), i, narrower))
            })
            .max();
        match next {
            Some((_, _, i, narrower)) => levels[i] = narrower,
            None => break,
        }
    }
    let columns: Vec<&Column> = levels
        .iter()
        .enumerate()
        .map(|(i, &l)| &all[i][l])
        .collect();
    let mut widths: Vec<usize> = columns.iter().map(|c| c.width()).collect();
    if widths.iter().sum::<usize>() + arrows > width {
        // Still too wide: equal columns, text cut with an ellipsis.
        let each = (width.saturating_sub(arrows) / nodes.len()).max(1);
        widths = vec![each; nodes.len()];
    }

    let mut label = vec![Span::raw(" ")];
    let mut state = vec![Span::raw(" ")];
    let mut detail = vec![Span::raw(" ")];
    let mut acc = vec![Span::raw(" ")];
    for (i, (col, &w)) in columns.iter().zip(&widths).enumerate() {
        let text = fit(&col.label, w);
        let fill = w.saturating_sub(cells(&text));
        label.push(Span::styled(text, theme.title()));
        state.push(Span::styled(pad(&fit(&col.state, w), w), col.state_style));
        detail.push(Span::styled(pad(&fit(&col.detail, w), w), col.detail_style));
        acc.push(Span::raw(pad(&fit(&col.acc, w), w)));
        if let Some(next) = nodes.get(i + 1) {
            // The arrow runs from this label to the next model when it is the one it teaches.
            if next.summary.taught_by.as_deref() == Some(nodes[i].summary.name.as_str()) {
                label.push(Span::styled(
                    format!("{}──▶", "─".repeat(fill)),
                    theme.dim(),
                ));
            } else {
                label.push(Span::raw(" ".repeat(fill + ARROW)));
            }
            for line in [&mut state, &mut detail, &mut acc] {
                line.push(Span::raw(" ".repeat(ARROW)));
            }
        }
    }
    vec![
        Line::from(label),
        Line::from(state),
        Line::from(detail),
        Line::from(acc),
        Line::styled(fit(&notes(app), width + 1), theme.dim()),
    ]
}

/// `controls: scratch, kd-from-teacher · fashion-mnist 54000/6000/10000 · T 4 · α 0.9 · batch 128`
fn notes(app: &App) -> String {
    let mut parts = Vec::new();
    let mut controls: Vec<ArmKind> = app
        .nodes()
        .iter()
        .flat_map(|n| n.controls().iter().copied())
        .collect();
    controls.sort();
    controls.dedup();
    if !controls.is_empty() {
        let names: Vec<&str> = controls.iter().map(|a| a.as_str()).collect();
        parts.push(format!("controls: {}", names.join(", ")));
    }
    if let Some(plan) = app.plan() {
        parts.push(format!(
            "{} {}/{}/{}",
            plan.dataset, plan.train_size, plan.val_size, plan.test_size
        ));
        parts.push(format!("T {} · α {}", plan.temperature, plan.alpha));
        if plan.kl_reduction == "mean" {
            parts.push("KL mean".into());
        }
        if !plan.augment.is_empty() {
            parts.push(format!("aug: {}", plan.augment));
        }
        parts.push(format!("batch {}", plan.batch_size));
    }
    // Teaching links the arrows cannot show (a model taught by one that is not its neighbour).
    let nodes = app.nodes();
    for (i, node) in nodes.iter().enumerate() {
        if let Some(teacher) = &node.summary.taught_by {
            let neighbour = i > 0 && nodes[i - 1].summary.name == *teacher;
            if !neighbour {
                parts.push(format!("{teacher} ──▶ {}", node.summary.name));
            }
        }
    }
    format!(" {}", parts.join(" · "))
}
