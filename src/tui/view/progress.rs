//! Progress of the current stage: per arm an epoch gauge (`ep e/E`) and a batch gauge with the last
//! batch loss.
//!
//! Gauges are text bars (`█` done, `░` to do), so they read the same without colour.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::app::App;
use super::super::nodes::NodeState;
use super::popup::cells;
use super::theme::Theme;
use crate::protocol::ArmKind;

/// Draws the progress lines into `area` (the inside of its block).
pub fn render(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let width = area.width as usize;
    let lines = match app.current_stage().map(|i| &app.nodes()[i]) {
        None => vec![Line::styled(" waiting for the first stage", theme.dim())],
        Some(node) if node.is_loaded() => {
            vec![Line::styled(" weights loaded from file", theme.dim())]
        }
        Some(node) => {
            let two_lines = area.height as usize >= 2 * node.arms.len();
            node.arms
                .iter()
                .flat_map(|&arm| arm_lines(node, arm, width, two_lines, theme))
                .collect()
        }
    };
    frame.render_widget(Paragraph::new(lines), area);
}

/// Title of the progress block: `progress · student`.
pub fn title(app: &App) -> String {
    match app.current_stage() {
        Some(i) => format!(" progress · {} ", app.nodes()[i].summary.name),
        None => " progress ".to_string(),
    }
}

fn arm_lines(
    node: &NodeState,
    arm: ArmKind,
    width: usize,
    two_lines: bool,
    theme: Theme,
) -> Vec<Line<'static>> {
    let epochs = node.epochs.max(1);
    let done = node.epochs_done(arm).min(epochs);
    let finished = node.stage_ended() || done >= epochs;
    let cached = node.is_cached(arm);
    let batch = node.batch.get(&arm).copied();
    // The running epoch's share, when the last batch belongs to the epoch after the finished ones.
    let in_epoch = batch
        .filter(|b| !finished && b.epoch == done + 1 && b.batches > 0)
        .map_or(0.0, |b| b.batch as f64 / b.batches as f64);
    let epoch_ratio = if finished {
        1.0
    } else {
        (done as f64 + in_epoch) / epochs as f64
    };
    let shown_epoch = if finished || cached { done } else { done + 1 };
    let style = if finished {
        theme.ok()
    } else {
        theme.primary_arm()
    };
    let marker = match (finished, cached) {
        (true, _) => "✓",
        (false, true) => "≡",
        (false, false) => "▶",
    };
    let name = match arm {
        ArmKind::KdFromTeacher => "kft",
        other => other.as_str(),
    };
    let head = format!(" {marker} {name:<8}ep {shown_epoch}/{epochs} ");

    let batch_text = match batch {
        _ if cached => "cached curve".to_string(),
        Some(b) => format!("batch {}/{}", b.batch, b.batches),
        None => "batch —".to_string(),
    };
    let loss_text = batch
        .filter(|_| !cached)
        .map_or_else(String::new, |b| format!(" loss {:.3}", b.loss));
    let batch_ratio = batch
        .filter(|b| b.batches > 0)
        .map_or(0.0, |b| b.batch as f64 / b.batches as f64);

    let head_w = cells(&head);
    if two_lines {
        let mut first = vec![Span::styled(head, style)];
        first.push(Span::raw(bar(
            epoch_ratio,
            width.saturating_sub(head_w + 1),
        )));
        let second = match batch {
            _ if finished => vec![Span::styled(
                match node.best_val(arm) {
                    Some(v) => format!("   {done} epochs · best val {v:.1}%"),
                    None => format!("   {done} epochs"),
                },
                theme.dim(),
            )],
            _ if cached => vec![Span::styled("   cached curve, not trained", theme.dim())],
            None => vec![Span::styled("   batch —", theme.dim())],
            Some(_) => {
                let lead = format!("   {batch_text} ");
                let bar_w = width.saturating_sub(cells(&lead) + cells(&loss_text) + 1);
                vec![
                    Span::styled(lead, theme.dim()),
                    Span::raw(bar(batch_ratio, bar_w)),
                    Span::raw(loss_text),
                ]
            }
        };
        vec![Line::from(first), Line::from(second)]
    } else {
        // One line: the epoch gauge, then the batch and loss as far as they fit.
        let (full, brief) = match node.best_val(arm) {
            Some(v) if finished => (format!(" best val {v:.1}%"), format!(" {v:.1}%")),
            _ if cached => (format!(" {batch_text}"), " cached".to_string()),
            _ => (
                format!(" {batch_text}{loss_text}"),
                loss_text.replace(" loss", ""),
            ),
        };
        let tail = if width >= head_w + cells(&full) + 7 {
            full
        } else {
            brief
        };
        let bar_w = width.saturating_sub(head_w + cells(&tail) + 1);
        vec![Line::from(vec![
            Span::styled(head, style),
            Span::raw(bar(epoch_ratio, bar_w)),
            Span::styled(tail, theme.dim()),
        ])]
    }
}

/// A text gauge `width` cells wide.
pub fn bar(ratio: f64, width: usize) -> String {
    let filled = ((ratio.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}
