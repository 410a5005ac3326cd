//! The header: `mkd-tui · <preset> · <device> · stage i/n <model> · <elapsed> elapsed · ETA <eta>`,
//! or how the run ended. The device (`cpu`, `cuda:0`) shows once the run has said it.

use ratatui::text::{Line, Span};

use super::super::app::{App, Outcome};
use super::theme::Theme;
use crate::describe::{clock, clock_of};

/// The header as one line no wider than `max_width`: words are dropped before facts.
pub fn line(app: &App, theme: Theme, max_width: usize) -> Line<'static> {
    let variants = [Detail::Full, Detail::Short, Detail::Bare];
    let mut line = Line::default();
    for detail in variants {
        line = build(app, theme, detail);
        if line.width() <= max_width {
            return line;
        }
    }
    line
}

/// The header as plain text without the preset name, for the too-small screen.
pub fn plain(app: &App) -> String {
    build(app, Theme::new(true), Detail::Bare)
        .spans
        .iter()
        .map(|s| s.content.as_ref())
        .collect::<String>()
        .trim()
        .to_string()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Detail {
    Full,
    Short,
    /// Without the preset name.
    Bare,
}

fn build(app: &App, theme: Theme, detail: Detail) -> Line<'static> {
    let full = detail == Detail::Full;
    let sep = || Span::raw(" · ");
    let mut spans = vec![Span::raw(" "), Span::styled("mkd-tui", theme.title())];
    if detail != Detail::Bare {
        spans.push(sep());
        spans.push(Span::raw(app.preset().to_string()));
        if let Some(device) = app.plan().map(|p| short_device(&p.device)) {
            if !device.is_empty() {
                spans.push(sep());
                spans.push(Span::raw(device.to_string()));
            }
        }
    }
    let elapsed = clock_of(app.run_elapsed());
    match app.outcome() {
        Some(Outcome::Finished { seconds, .. }) => {
            spans.push(sep());
            spans.push(Span::styled(
                format!("✓ finished in {}", clock(*seconds)),
                theme.ok(),
            ));
        }
        Some(Outcome::Aborted { .. }) => {
            spans.push(sep());
            spans.push(Span::styled("■ aborted", theme.warn()));
            spans.push(Span::raw(format!(" after {elapsed}")));
        }
        Some(Outcome::Failed { .. }) => {
            spans.push(sep());
            spans.push(Span::styled("FAILED", theme.error()));
            spans.push(Span::raw(format!(" after {elapsed}")));
        }
        None => {
            spans.push(sep());
            let planning = app.planner_panel().map(|_| {
                if full {
                    "planning the assistants"
                } else {
                    "planning"
                }
                .to_string()
            });
            let stage = planning.or_else(|| {
                app.current_stage().map(|i| {
                    let total = app.nodes().len();
                    let name = &app.nodes()[i].summary.name;
                    if full {
                        format!("stage {}/{total} {name}", i + 1)
                    } else {
                        format!("{}/{total} {name}", i + 1)
                    }
                })
            });
            spans.push(Span::raw(stage.unwrap_or_else(|| "starting".into())));
            spans.push(sep());
            spans.push(Span::raw(if full {
                format!("{elapsed} elapsed")
            } else {
                elapsed
            }));
            spans.push(sep());
            let eta = app.eta_seconds().map_or_else(|| "—".to_string(), clock);
            spans.push(Span::raw(format!("ETA {eta}")));
            if let Some(flag) = flag(app) {
                spans.push(sep());
                spans.push(Span::styled(flag, theme.warn()));
            }
        }
    }
    spans.push(Span::raw(" "));
    Line::from(spans)
}

/// `cuda:0` of `cuda:0 (NVIDIA H100 80GB HBM3)`: the GPU's name is in the report, not the header.
fn short_device(device: &str) -> &str {
    device.split(" (").next().unwrap_or(device)
}

/// A held or changing state worth shouting about.
fn flag(app: &App) -> Option<&'static str> {
    if app.is_stopping() {
        Some("stopping…")
    } else if app.pause_requested() == Some(true) {
        Some("pausing…")
    } else if app.pause_requested() == Some(false) {
        Some("resuming…")
    } else if app.is_paused() {
        Some("PAUSED")
    } else {
        None
    }
}
