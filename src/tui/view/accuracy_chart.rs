//! The validation-accuracy chart of one stage: every arm per epoch, and the finished upstream models'
//! best accuracy as reference lines when the chart is tall enough to hold them.
//!
//! Arms differ by marker as well as colour (braille line for the primary arm, dots for controls,
//! dashes for references), and the legend in the title names each with its marker.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Paragraph};
use ratatui::Frame;

use super::super::app::App;
use super::super::nodes::NodeState;
use super::theme::Theme;

/// Inner height from which reference lines are drawn (below it they would squash the curves).
const REFERENCE_MIN_HEIGHT: u16 = 12;
/// A reference line may stretch the y range to at most this many pp per chart row.
const REFERENCE_PP_PER_ROW: f64 = 1.0;

/// One plotted series.
struct Series {
    legend: String,
    points: Vec<(f64, f64)>,
    marker: Marker,
    style: Style,
}

/// Draws the chart with `block` around it.
pub fn render(app: &App, theme: Theme, frame: &mut Frame, area: Rect, block: Block<'static>) {
    let Some(index) = app.chart_stage() else {
        let text = Paragraph::new(Line::styled(" no stage has started yet", theme.dim()));
        frame.render_widget(text.block(block.title(title_prefix(None))), area);
        return;
    };
    let node = &app.nodes()[index];

    let mut series: Vec<Series> = node
        .arms
        .iter()
        .enumerate()
        .map(|(i, &arm)| {
            let primary = i == 0;
            Series {
                legend: format!("{} {}", if primary { "⣀" } else { "•" }, arm.as_str()),
                points: node.val_curve(arm),
                marker: if primary {
                    Marker::Braille
                } else {
                    Marker::Dot
                },
                style: if primary {
                    theme.primary_arm()
                } else {
                    theme.control_arm()
                },
            }
        })
        .collect();
    let data: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .collect();
    if data.is_empty() {
        let message = match node.status() {
            super::super::nodes::NodeStatus::Waiting => " waiting for its stage".to_string(),
            _ if node.is_loaded() => match node.primary_arm().and_then(|a| node.best_val(a)) {
                Some(v) => format!(" weights loaded · val {v:.1}%"),
                None => " weights loaded".to_string(),
            },
            _ => " waiting for the first epoch".to_string(),
        };
        let text = Paragraph::new(Line::styled(message, theme.dim()));
        frame.render_widget(text.block(block.title(title_prefix(Some(node)))), area);
        return;
    }

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
    let rows = area.height.saturating_sub(4);
    if rows >= REFERENCE_MIN_HEIGHT {
        for upstream in &app.nodes()[..index] {
            let Some(best) = upstream.primary_arm().and_then(|a| upstream.best_val(a)) else {
                continue;
            };
            if hi.max(best) - lo.min(best) > f64::from(rows) * REFERENCE_PP_PER_ROW {
                continue;
            }
            lo = lo.min(best);
            hi = hi.max(best);
            series.push(Series {
                legend: format!("┄ {} {best:.1}%", upstream.summary.name),
                points: vec![(1.0, best), (x_max, best)],
                marker: Marker::Custom('┄'),
                style: theme.reference(),
            });
        }
    }

    let (y_lo, y_hi) = y_bounds(lo, hi);
    let title = title_line(
        app,
        node,
        &series,
        theme,
        area.width.saturating_sub(4) as usize,
    );
    let datasets = series
        .iter()
        .map(|s| {
            Dataset::default()
                .data(&s.points)
                .marker(s.marker)
                .graph_type(GraphType::Line)
                .style(s.style)
        })
        .collect();
    let decimals = if y_hi - y_lo < 4.0 { 1 } else { 0 };
    let y_labels: Vec<String> = [y_lo, (y_lo + y_hi) / 2.0, y_hi]
        .iter()
        .map(|v| format!("{v:.decimals$}%"))
        .collect();
    let x_labels: Vec<String> = if x_max >= 4.0 {
        vec![
            "1".into(),
            format!("{}", (x_max / 2.0).round()),
            format!("{x_max}"),
        ]
    } else {
        vec!["1".into(), format!("{x_max}")]
    };
    let chart = Chart::new(datasets)
        .block(block.title(title))
        .legend_position(None)
        .x_axis(
            Axis::default()
                .bounds([1.0, x_max])
                .labels(x_labels)
                .style(theme.dim()),
        )
        .y_axis(
            Axis::default()
                .bounds([y_lo, y_hi])
                .labels(y_labels)
                .style(theme.dim()),
        );
    frame.render_widget(chart, area);
}

/// `val accuracy · student  ⣀ kd  • scratch  ┄ ta 87.3%`: the model, then a legend naming each
/// series with its marker. Words go before legend entries when the row is short.
fn title_line(
    app: &App,
    node: &NodeState,
    series: &[Series],
    theme: Theme,
    room: usize,
) -> Line<'static> {
    let name = &node.summary.name;
    let pin = if app.chart_is_pinned() { " (tab)" } else { "" };
    let heads = [
        format!(" val accuracy · {name}{pin} "),
        format!(" val acc · {name}{pin} "),
        format!(" {name} "),
    ];
    let legend_w = |n: usize| -> usize {
        series[..n]
            .iter()
            .map(|s| s.legend.chars().count() + 2)
            .sum()
    };
    // Keep as many legend entries as possible (the arms first), then the longest head that fits.
    for n in (0..=series.len()).rev() {
        for head in &heads {
            if head.chars().count() + legend_w(n) < room {
                let mut spans = vec![Span::styled(head.clone(), theme.title())];
                for s in &series[..n] {
                    spans.push(Span::raw(" "));
                    spans.push(Span::styled(s.legend.clone(), s.style));
                    spans.push(Span::raw(" "));
                }
                return Line::from(spans);
            }
        }
    }
    Line::styled(heads[2].clone(), theme.title())
}

fn title_prefix(node: Option<&NodeState>) -> String {
    match node {
        Some(node) => format!(" val accuracy · {} ", node.summary.name),
        None => " val accuracy ".to_string(),
    }
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
