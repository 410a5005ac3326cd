//! The planner's thresholds, shown in the stop panel's place while the planner works: `↑↓`
//! select, `←→` adjust (pending, `*`), Enter sends; they act on its next decision.

use ratatui::text::{Line, Span};

use super::super::app::{PlannerPanel, PLANNER_ROWS};
use super::theme::Theme;

/// ` planner ` and what it is doing.
pub fn title(p: &PlannerPanel, theme: Theme) -> Vec<Line<'static>> {
    let (status, style) = if p.sent {
        (" sent, next decision ", theme.warn())
    } else if p.pending != p.thresholds {
        (" * enter applies ", theme.warn())
    } else {
        (" probing ", theme.dim())
    };
    vec![
        Line::styled(" planner ", theme.title()),
        Line::styled(status, style).right_aligned(),
    ]
}

/// The editable thresholds, the fixed probe length and the budget spent, then the status line.
pub fn lines(p: &PlannerPanel, theme: Theme, with_status: bool) -> Vec<Line<'static>> {
    let mut lines: Vec<Line> = PLANNER_ROWS
        .iter()
        .enumerate()
        .map(|(row, name)| {
            let selected = row == p.selected;
            let marker = if selected { "▸" } else { " " };
            let style = if selected {
                theme.selected()
            } else {
                Default::default()
            };
            let mut spans = vec![
                Span::styled(format!(" {marker} {name:<11}"), style),
                Span::raw(p.value(row, &p.thresholds)),
            ];
            let pending = p.value(row, &p.pending);
            if pending != p.value(row, &p.thresholds) {
                spans.push(Span::styled(format!(" → {pending}*"), theme.warn()));
            }
            Line::from(spans)
        })
        .collect();
    let t = &p.thresholds;
    lines.push(Line::styled(
        format!(
            "   {:<11}{} ({} ep)",
            "probe", t.probe_fraction, p.probe_epochs
        ),
        theme.dim(),
    ));
    lines.push(Line::styled(
        format!("   {:<11}{} ep", "spent", p.spent),
        theme.dim(),
    ));
    lines.push(Line::styled(
        format!("   {:<11}{} so far", "accepted", p.accepted),
        theme.dim(),
    ));
    if with_status {
        lines.push(Line::styled("   choosing the assistants", theme.dim()));
    }
    lines
}
