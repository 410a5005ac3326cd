//! The planner's thresholds, shown in the stop panel's place while the planner works: they act on
//! its next decision.

use ratatui::text::{Line, Span};

use super::super::app::PlannerPanel;
use super::theme::Theme;

/// ` planner ` and what it is doing.
pub fn title(theme: Theme) -> Vec<Line<'static>> {
    vec![
        Line::styled(" planner ", theme.title()),
        Line::styled(" probing ", theme.dim()).right_aligned(),
    ]
}

/// One row per threshold (as many rows as the stop rule has), and the status line.
pub fn lines(p: &PlannerPanel, theme: Theme, with_status: bool) -> Vec<Line<'static>> {
    let t = &p.thresholds;
    let rows = [
        ("max_ratio", format!("{}×", t.max_ratio)),
        (
            "probe",
            format!("{} ({} ep)", t.probe_fraction, p.probe_epochs),
        ),
        ("min_gain", format!("{:.2} pp", t.min_gain)),
        (
            "max_TAs",
            format!("{} ({} so far)", t.max_assistants, p.accepted),
        ),
        (
            "budget",
            match t.probe_budget {
                Some(b) => format!("{}/{b} ep", p.spent),
                None => format!("{} ep, no cap", p.spent),
            },
        ),
        ("", String::new()),
        ("", String::new()),
    ];
    let mut lines: Vec<Line> = rows
        .into_iter()
        .map(|(name, value)| {
            Line::from(vec![Span::raw(format!("   {name:<11}")), Span::raw(value)])
        })
        .collect();
    if with_status {
        lines.push(Line::styled("   choosing the assistants", theme.dim()));
    }
    lines
}
