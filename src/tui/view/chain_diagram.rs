//! The chain diagram: every model as `[role arch]` with its size, status and best validation
//! accuracy, `──▶` from teacher to student, and a line naming the controls and the KD settings.
//!
//! Models sit side by side in columns. When the full text does not fit the width (4+ models at 80
//! columns), it is abbreviated in steps — units, then roles and status words — and only then cut.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::app::{App, Outcome};
use super::super::format::params;
use super::super::nodes::{NodeState, NodeStatus};
use super::theme::Theme;
use crate::protocol::{ArmKind, Role};

/// Lines the diagram needs.
pub const HEIGHT: u16 = 4;

/// Width of the arrow between two columns.
const ARROW: usize = 3;

/// How much a column is abbreviated.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    /// `101.8k · ■ stopped @6`, `kd 87.3% · scr 86.6%`
    Full,
    /// `101.8k ■ stopped @6`, `kd 87.3 · scr 86.6`
    NoUnits,
    /// `101.8k ■ @6`, `kd87.3 scr86.6`
    Compact,
    /// `[T mlp-512-256]`, `87.3/86.6`
    Terse,
}

/// The three lines of one model's column.
struct Column {
    label: String,
    status: String,
    status_style: Style,
    acc: String,
}

impl Column {
    fn width(&self) -> usize {
        [&self.label, &self.status, &self.acc]
            .iter()
            .map(|s| s.chars().count())
            .max()
            .unwrap_or(0)
    }
}

/// Draws the diagram into `area` (the inside of its block).
pub fn render(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    frame.render_widget(Paragraph::new(lines(app, theme, area.width as usize)), area);
}

/// The diagram's lines for a given width.
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
    let mut columns = Vec::new();
    let mut widths = Vec::new();
    for level in [Level::Full, Level::NoUnits, Level::Compact, Level::Terse] {
        columns = nodes
            .iter()
            .map(|n| column(n, app.outcome(), level, theme))
            .collect();
        widths = columns.iter().map(Column::width).collect();
        if widths.iter().sum::<usize>() + arrows <= width {
            break;
        }
    }
    if widths.iter().sum::<usize>() + arrows > width {
        // Still too wide: equal columns, text cut with an ellipsis.
        let each = (width.saturating_sub(arrows) / nodes.len()).max(1);
        widths = vec![each; nodes.len()];
    }

    let mut label = vec![Span::raw(" ")];
    let mut status = vec![Span::raw(" ")];
    let mut acc = vec![Span::raw(" ")];
    for (i, (col, &w)) in columns.iter().zip(&widths).enumerate() {
        let text = fit(&col.label, w);
        let fill = w - text.chars().count();
        label.push(Span::styled(text, theme.title()));
        status.push(Span::styled(pad(&fit(&col.status, w), w), col.status_style));
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
            status.push(Span::raw(" ".repeat(ARROW)));
            acc.push(Span::raw(" ".repeat(ARROW)));
        }
    }
    vec![
        Line::from(label),
        Line::from(status),
        Line::from(acc),
        Line::styled(fit(&notes(app), width + 1), theme.dim()),
    ]
}

fn column(node: &NodeState, ended: Option<&Outcome>, level: Level, theme: Theme) -> Column {
    let s = &node.summary;
    let role = match (level, s.role) {
        (Level::Terse, Role::Teacher) => "T",
        (Level::Terse, Role::Student) => "S",
        (_, role) => role.as_str(),
    };
    let (word, style) = status_text(node, ended, level, theme);
    let status = if level == Level::Full {
        format!("{} · {word}", params(s.params))
    } else {
        format!("{} {word}", params(s.params))
    };
    Column {
        label: format!("[{role} {}]", s.arch),
        status,
        status_style: style,
        acc: accuracy_text(node, level),
    }
}

fn status_text(
    node: &NodeState,
    ended: Option<&Outcome>,
    level: Level,
    theme: Theme,
) -> (String, Style) {
    let terse = level >= Level::Compact;
    match (node.status(), ended) {
        // The stage that was training when the run ended did not finish.
        (NodeStatus::Training { epoch, .. }, Some(Outcome::Failed { .. })) => {
            let text = if terse {
                format!("✗ ep {epoch}")
            } else {
                format!("✗ failed in ep {epoch}")
            };
            return (text, theme.error());
        }
        (NodeStatus::Training { epoch, .. }, Some(Outcome::Aborted { .. })) => {
            let text = if terse {
                format!("■ ep {epoch}")
            } else {
                format!("■ aborted in ep {epoch}")
            };
            return (text, theme.warn());
        }
        _ => {}
    }
    match node.status() {
        NodeStatus::Waiting if level == Level::Terse => ("wait".into(), theme.dim()),
        NodeStatus::Waiting => ("waiting".into(), theme.dim()),
        NodeStatus::Loaded => ("✓ loaded".into(), theme.ok()),
        NodeStatus::Training { epoch, epochs } if terse => {
            (format!("▶ {epoch}/{epochs}"), theme.active())
        }
        NodeStatus::Training { epoch, epochs } => {
            (format!("▶ ep {epoch}/{epochs}"), theme.active())
        }
        NodeStatus::Done => ("✓ done".into(), theme.ok()),
        NodeStatus::Stopped { epoch } if terse => (format!("■ @{epoch}"), theme.warn()),
        NodeStatus::Stopped { epoch } => (format!("■ stopped @{epoch}"), theme.warn()),
    }
}

/// Best validation accuracy of the primary arm, and of scratch beside a distilled primary arm.
fn accuracy_text(node: &NodeState, level: Level) -> String {
    let Some(primary) = node.primary_arm() else {
        return String::new();
    };
    let value = |arm: ArmKind| -> String {
        match (node.best_val(arm), level) {
            (None, _) => "—".into(),
            (Some(v), Level::Full) => format!("{v:.1}%"),
            (Some(v), _) => format!("{v:.1}"),
        }
    };
    if node.best_val(primary).is_none() && !node.started {
        return String::new();
    }
    if primary != ArmKind::Scratch && node.has_scratch_control() {
        let (kd, scr) = (value(primary), value(ArmKind::Scratch));
        match level {
            Level::Terse => format!("{kd}/{scr}"),
            Level::Compact => format!("{}{kd} scr{scr}", primary.as_str()),
            _ => format!("{} {kd} · scr {scr}", primary.as_str()),
        }
    } else {
        match level {
            Level::Terse => value(primary),
            _ => format!("val {}", value(primary)),
        }
    }
}

/// `controls: scratch · fashion-mnist · T 4 · α 0.9 · batch 128`
fn notes(app: &App) -> String {
    let mut parts = Vec::new();
    if app.nodes().iter().any(NodeState::has_scratch_control) {
        parts.push("controls: scratch".to_string());
    }
    if let Some(plan) = app.plan() {
        parts.push(format!(
            "{} {}/{}/{}",
            plan.dataset, plan.train_size, plan.val_size, plan.test_size
        ));
        parts.push(format!("T {} · α {}", plan.temperature, plan.alpha));
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

/// `text` cut to `width` characters, with `…` when cut.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(width - 1).collect();
    out.push('…');
    out
}

fn pad(text: &str, width: usize) -> String {
    format!("{text:<width$}")
}
