//! The panel that says how the run ended — finished with the report paths, aborted, or FAILED with
//! the error — followed by every finished stage's results as far as there is room. It takes the
//! place of the chart and side panels (the diagram and the log stay visible) until the user quits;
//! Esc hides it to look at the chart.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::symbols::merge::MergeStrategy;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::super::app::{App, Outcome};
use super::super::nodes::kind_word;
use super::popup::wrap;
use super::theme::Theme;
use crate::describe::{clock, pct};
use crate::protocol::ArmKind;

/// Draws the result panel over `middle` (the chart and side panels, borders included) when the run
/// has ended.
pub fn render(app: &App, theme: Theme, frame: &mut Frame, middle: Rect) {
    let Some(outcome) = app.outcome() else {
        return;
    };
    let inner_width = middle.width.saturating_sub(3) as usize;
    let run_dir = app
        .run_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_else(|| "—".into());
    let (title, style, texts): (&str, Style, Vec<String>) = match outcome {
        Outcome::Finished {
            report_md,
            report_json,
            seconds,
        } => {
            let mut texts = vec![format!("✓ run finished in {}", clock(*seconds))];
            texts.extend(app.student_summary());
            texts.extend(app.stop_summary());
            texts.push(format!("report: {}", report_md.display()));
            texts.push(format!("        {}", report_json.display()));
            (" finished ", theme.ok(), texts)
        }
        Outcome::Aborted { reason } => (
            " aborted ",
            theme.warn(),
            vec![
                format!("■ run aborted: {reason}"),
                format!("the run directory keeps what is done: {run_dir}"),
            ],
        ),
        Outcome::Failed { error } => (
            " FAILED ",
            theme.error(),
            vec![
                format!("FAILED: {error}"),
                format!("run directory: {run_dir}"),
            ],
        ),
    };
    let mut lines: Vec<Line> = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let line_style = if i == 0 { style } else { Style::default() };
        lines.extend(
            wrap(text, inner_width)
                .into_iter()
                .map(|l| Line::styled(format!(" {l}"), line_style)),
        );
    }
    // The results table, with the latest stages kept whole when not all of them fit.
    let room = (middle.height as usize).saturating_sub(2 + lines.len() + 2);
    let stages = results_table(app);
    let mut kept = 0;
    let mut rows_used = 0;
    for stage in stages.iter().rev() {
        if rows_used + stage.len() > room {
            break;
        }
        rows_used += stage.len();
        kept += 1;
    }
    if kept > 0 {
        lines.push(Line::from(""));
        lines.push(Line::styled(
            table_row([
                "model", "arm", "best val", "@ep", "test", "epochs", "time", "note",
            ]),
            theme.title(),
        ));
        for stage in &stages[stages.len() - kept..] {
            lines.extend(stage.iter().map(|row| Line::from(row.clone())));
        }
    }

    frame.render_widget(Clear, middle);
    draw_edges(frame.buffer_mut(), middle);
    let block = Block::bordered()
        .border_style(style)
        .merge_borders(MergeStrategy::Exact)
        .title(Line::styled(title, style))
        .title(Line::styled(" esc: chart ", theme.dim()).right_aligned());
    frame.render_widget(Paragraph::new(lines).block(block), middle);
}

/// Per finished stage, one row per arm: `model arm best val @ep test epochs time note`, the note
/// saying where distillation stopped (kd arm) or that a control's curve came from the cache.
fn results_table(app: &App) -> Vec<Vec<String>> {
    app.nodes()
        .iter()
        .filter(|node| !node.results.is_empty())
        .map(|node| {
            node.results
                .iter()
                .map(|r| {
                    let note = match node.stops().last() {
                        _ if r.cached => "cached".to_string(),
                        Some(stop) if r.arm == ArmKind::Kd => {
                            format!("stop @{} {}", stop.epoch, kind_word(stop.kind))
                        }
                        _ => String::new(),
                    };
                    table_row([
                        &node.summary.name,
                        r.arm.as_str(),
                        &pct(r.best_val_acc),
                        &r.best_epoch.to_string(),
                        &pct(r.test_acc_at_best),
                        &r.epochs_run.to_string(),
                        &clock(r.seconds),
                        &note,
                    ])
                })
                .collect()
        })
        .collect()
}

fn table_row(cells: [&str; 8]) -> String {
    let [model, arm, val, epoch, test, epochs, time, note] = cells;
    let arm = match arm {
        "kd-from-teacher" => "kft",
        other => other,
    };
    format!(" {model:<10} {arm:<8} {val:>8} {epoch:>4} {test:>7} {epochs:>6} {time:>7}  {note}")
        .trim_end()
        .to_string()
}

/// Redraws the frame lines the cleared area shares with its neighbours, so the panel's own border
/// merges into `├ … ┤` joints instead of leaving loose corners.
fn draw_edges(buffer: &mut Buffer, area: Rect) {
    if area.width < 2 || area.height < 2 {
        return;
    }
    let (left, right) = (area.left(), area.right() - 1);
    let (top, bottom) = (area.top(), area.bottom() - 1);
    for y in top..=bottom {
        buffer[(left, y)].set_symbol("│");
        buffer[(right, y)].set_symbol("│");
    }
    for x in left + 1..right {
        buffer[(x, top)].set_symbol("─");
        buffer[(x, bottom)].set_symbol("─");
    }
}
