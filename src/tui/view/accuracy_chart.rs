//! The validation-accuracy chart of one stage — every arm per epoch, the finished upstream models'
//! best accuracy as reference lines when the chart is tall enough, a `┆ stop` line at each stop of
//! distillation — and, for a distilled model, the advantage row under it: `Δ(t)` (kd minus the best
//! control, smoothed as the rule in force smooths it) against the `margin` line.
//!
//! Arms differ by marker as well as colour (braille line for the primary arm, `•` for scratch, `×`
//! for kd-from-teacher, `┄` for references), and the legend in each title names each series with
//! its marker; cached control arms say `(cached)`.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::app::App;
use super::super::nodes::{kind_word, short_arm, NodeState, NodeStatus};
use super::chain_diagram::signed;
use super::panel;
use super::plot::{self, Plot, Series};
use super::popup::cells;
use super::theme::Theme;
use crate::protocol::ArmKind;

/// Plot rows from which reference lines are drawn (below it they would squash the curves).
const REFERENCE_MIN_ROWS: u16 = 12;
/// A reference line may stretch the y range to at most this many pp per chart row.
const REFERENCE_PP_PER_ROW: f64 = 1.0;
/// Inner rows of the Δ row at the smallest screen: three plot rows and the epoch numbers.
const DELTA_MIN_ROWS: u16 = 4;

/// A series with its legend entry, long and short.
struct Entry {
    legend: String,
    short: String,
    style: Style,
}

/// Draws the chart (and the Δ row for a distilled model) into `area`, borders included.
pub fn render(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let block = panel(theme);
    let Some(index) = app.chart_stage() else {
        let text = Paragraph::new(Line::styled(" no stage has started yet", theme.dim()));
        frame.render_widget(text.block(block.title(" val accuracy ")), area);
        return;
    };
    let node = &app.nodes()[index];

    let mut series = Vec::new();
    let mut entries = Vec::new();
    for (i, &arm) in node.arms.iter().enumerate() {
        let (marker, symbol, style) = if i == 0 {
            (Marker::Braille, "⣀", theme.primary_arm())
        } else if arm == ArmKind::KdFromTeacher {
            (Marker::Custom('×'), "×", theme.control_arm_2())
        } else {
            (Marker::Dot, "•", theme.control_arm())
        };
        let cached = if node.is_cached(arm) { " (cached)" } else { "" };
        entries.push(Entry {
            legend: format!("{symbol} {}{cached}", arm.as_str()),
            short: format!("{symbol} {}{cached}", short_arm(arm)),
            style,
        });
        series.push(Series {
            points: node.val_curve(arm),
            marker,
            style,
        });
    }
    // The primary arm is drawn last, on top of the controls.
    series.rotate_left(1);

    let data: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .collect();
    if data.is_empty() {
        let message = match node.status() {
            NodeStatus::Waiting => " waiting for its stage".to_string(),
            _ if node.is_loaded() => match node.primary_arm().and_then(|a| node.best_val(a)) {
                Some(v) => format!(" weights loaded · val {v:.1}%"),
                None => " weights loaded".to_string(),
            },
            _ => " waiting for the first epoch".to_string(),
        };
        let text = Paragraph::new(Line::styled(message, theme.dim()));
        let title = format!(" val accuracy · {} ", node.summary.name);
        frame.render_widget(text.block(block.title(title)), area);
        return;
    }

    let distilled = node.is_distilled() && !node.controls().is_empty();
    let (chart_area, delta_area) = if distilled {
        let inner = area.height.saturating_sub(2);
        let rows = DELTA_MIN_ROWS + inner.saturating_sub(11) / 4;
        let [chart, delta] = Layout::vertical([Constraint::Fill(1), Constraint::Length(rows + 2)])
            .spacing(-1)
            .areas(area);
        (chart, Some(delta))
    } else {
        (area, None)
    };

    let (mut lo, mut hi) = data
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let last_epoch = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .fold(1.0, f64::max);
    let x_max = (node.epochs as f64).max(last_epoch).max(2.0);

    // References: finished models above this one, if the chart is tall enough to hold them
    // without flattening the curves.
    let rows = chart_area
        .height
        .saturating_sub(2 + u16::from(delta_area.is_none()));
    if rows >= REFERENCE_MIN_ROWS {
        for upstream in &app.nodes()[..index] {
            let Some(best) = upstream.primary_arm().and_then(|a| upstream.best_val(a)) else {
                continue;
            };
            if hi.max(best) - lo.min(best) > f64::from(rows) * REFERENCE_PP_PER_ROW {
                continue;
            }
            lo = lo.min(best);
            hi = hi.max(best);
            entries.push(Entry {
                legend: format!("┄ {} {best:.1}%", upstream.summary.name),
                short: format!("┄ {}", upstream.summary.name),
                style: theme.reference(),
            });
            series.insert(
                0,
                Series {
                    points: vec![(1.0, best), (x_max, best)],
                    marker: Marker::Custom('┄'),
                    style: theme.reference(),
                },
            );
        }
    }

    let (y_lo, y_hi) = y_bounds(lo, hi);
    let decimals = if y_hi - y_lo < 4.0 { 1 } else { 0 };
    let y_labels: Vec<String> = [y_lo, (y_lo + y_hi) / 2.0, y_hi]
        .iter()
        .map(|v| format!("{v:.decimals$}%"))
        .collect();
    let stops: Vec<usize> = node.stops().map(|s| s.epoch).collect();

    let delta = delta_area.map(|a| delta_plot(app, node, a, x_max, theme));
    let label_width = y_labels
        .iter()
        .chain(delta.iter().flat_map(|d| d.labels.iter()))
        .map(|l| cells(l))
        .max()
        .unwrap_or(0);

    let pin = if app.chart_is_pinned() { " (tab)" } else { "" };
    let name = &node.summary.name;
    let heads = [
        format!(" val accuracy · {name}{pin} "),
        format!(" val acc · {name}{pin} "),
        format!(" {name}{pin} "),
    ];
    let title = legend_line(
        &heads,
        &entries,
        theme,
        chart_area.width.saturating_sub(4) as usize,
    );
    let block = panel(theme).title(title);
    let inner = block.inner(chart_area);
    frame.render_widget(block, chart_area);
    plot::render(
        frame,
        inner,
        &Plot {
            series: &series,
            x_max,
            y: (y_lo, y_hi),
            y_labels,
            label_width,
            x_labels: delta_area.is_none(),
            stops: &stops,
            label_stop: true,
            axis_style: theme.dim(),
            stop_style: theme.warn(),
        },
    );

    if let (Some(area), Some(delta)) = (delta_area, delta) {
        let block = panel(theme).title(delta.title);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        match delta.range {
            Some(range) => plot::render(
                frame,
                inner,
                &Plot {
                    series: &delta.series,
                    x_max,
                    y: range,
                    y_labels: delta.labels,
                    label_width,
                    x_labels: true,
                    stops: &stops,
                    label_stop: false,
                    axis_style: theme.dim(),
                    stop_style: theme.warn(),
                },
            ),
            None => frame.render_widget(
                Paragraph::new(Line::styled(
                    " Δ: waiting for the first epoch end",
                    theme.dim(),
                )),
                inner,
            ),
        }
    }
}

/// The Δ row, ready to draw.
struct DeltaPlot {
    title: Line<'static>,
    series: Vec<Series>,
    range: Option<(f64, f64)>,
    labels: Vec<String>,
}

fn delta_plot(app: &App, node: &NodeState, area: Rect, x_max: f64, theme: Theme) -> DeltaPlot {
    let margin = app.stop().applied().map(|r| r.margin);
    let segments = node.advantage_segments();
    let values: Vec<f64> = segments
        .iter()
        .flatten()
        .map(|p| p.1)
        .chain(margin)
        .collect();

    let mut entries = Vec::new();
    if let Some(m) = margin {
        entries.push(Entry {
            legend: format!("┄ margin {}", signed(m)),
            short: format!("┄ margin {}", signed(m)),
            style: theme.reference(),
        });
    }
    if let Some(stop) = node.stops().last() {
        entries.push(Entry {
            legend: format!("┆ stop @{} ({})", stop.epoch, kind_word(stop.kind)),
            short: format!("┆ stop @{}", stop.epoch),
            style: theme.warn(),
        });
    }
    if let Some((epoch, now)) = node.latest_advantage() {
        let best = node
            .advantage
            .iter()
            .flatten()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        entries.push(Entry {
            legend: format!("Δ@{epoch} {} · best {}", signed(now), signed(best)),
            short: format!("Δ@{epoch} {}", signed(now)),
            style: theme.primary_arm(),
        });
    }
    let heads = [
        " Δ pp · kd − best control ".to_string(),
        " Δ pp ".to_string(),
    ];
    let title = legend_line(
        &heads,
        &entries,
        theme,
        area.width.saturating_sub(4) as usize,
    );

    if segments.is_empty() {
        return DeltaPlot {
            title,
            series: Vec::new(),
            range: None,
            labels: Vec::new(),
        };
    }
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if hi - lo < 0.4 {
        let mid = (lo + hi) / 2.0;
        (mid - 0.2, mid + 0.2)
    } else {
        let pad = (hi - lo) * 0.1;
        (lo - pad, hi + pad)
    };
    let (lo, hi) = ((lo * 10.0).floor() / 10.0, (hi * 10.0).ceil() / 10.0);
    let plot_rows = area.height.saturating_sub(3);
    let label = |v: f64| {
        let s = format!("{v:+.1}");
        match s.as_str() {
            "+0.0" | "-0.0" => "0.0".to_string(),
            _ => s.replacen('-', "−", 1),
        }
    };
    let labels = if plot_rows >= 5 {
        vec![label(lo), label((lo + hi) / 2.0), label(hi)]
    } else {
        vec![label(lo), label(hi)]
    };

    let mut series = Vec::new();
    if let Some(m) = margin {
        series.push(Series {
            points: vec![(1.0, m), (x_max, m)],
            marker: Marker::Custom('┄'),
            style: theme.reference(),
        });
    }
    for segment in segments {
        series.push(Series {
            points: segment,
            marker: Marker::Braille,
            style: theme.primary_arm(),
        });
    }
    DeltaPlot {
        title,
        series,
        range: Some((lo, hi)),
        labels,
    }
}

/// A title: the longest head that fits with as many legend entries as possible, full names first,
/// then short ones. Words go before legend entries when the row is short.
fn legend_line(heads: &[String], entries: &[Entry], theme: Theme, room: usize) -> Line<'static> {
    let width = |n: usize, short: bool| -> usize {
        entries[..n]
            .iter()
            .map(|e| cells(if short { &e.short } else { &e.legend }) + 2)
            .sum()
    };
    let mut candidates = vec![(entries.len(), false)];
    candidates.extend((0..=entries.len()).rev().map(|n| (n, true)));
    for (n, short) in candidates {
        for head in heads {
            if cells(head) + width(n, short) < room {
                let mut spans = vec![Span::styled(head.clone(), theme.title())];
                for e in &entries[..n] {
                    let text = if short { &e.short } else { &e.legend };
                    spans.push(Span::raw(" "));
                    spans.push(Span::styled(text.clone(), e.style));
                    spans.push(Span::raw(" "));
                }
                return Line::from(spans);
            }
        }
    }
    Line::styled(heads[heads.len() - 1].clone(), theme.title())
}

/// Whole percent around the data, at least 2 pp tall, so the curves use the height.
fn y_bounds(lo: f64, hi: f64) -> (f64, f64) {
    let mut lo = (lo - 0.5).floor().max(0.0);
    let mut hi = (hi + 0.5).ceil().min(100.0);
    if hi - lo < 2.0 {
        let mid = (lo + hi) / 2.0;
        lo = (mid - 1.0).floor().max(0.0);
        hi = lo + 2.0;
    }
    // An even span puts the middle label on a whole percent.
    if (hi - lo) as i64 % 2 == 1 {
        if hi < 100.0 {
            hi += 1.0;
        } else {
            lo -= 1.0;
        }
    }
    (lo, hi)
}
