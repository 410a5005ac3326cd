//! A small line plot over epochs with its own axes, so that two plots stacked in one column (the
//! accuracy chart and the Δ row under it) share their x positions exactly, and so that the stop
//! marker and its `stop` label land on the epoch's column.
//!
//! ```text
//!  83%│        ┆stop
//!     │   ⡠•   ┆
//!  77%│••      ┆
//!      1        4       8      ← only when `x_labels`
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::widgets::{Axis, Chart, Dataset, GraphType};
use ratatui::Frame;

/// One plotted series.
pub struct Series {
    /// Chart points `(epoch, value)`.
    pub points: Vec<(f64, f64)>,
    /// How the points and the lines between them are drawn.
    pub marker: Marker,
    /// Colour (dropped under `NO_COLOR`).
    pub style: Style,
}

/// What to draw.
pub struct Plot<'a> {
    /// Drawn in order, later ones on top; stop lines go under all of them.
    pub series: &'a [Series],
    /// Last epoch on the x axis (the first is 1).
    pub x_max: f64,
    /// Range of the y axis.
    pub y: (f64, f64),
    /// Labels of the y axis, bottom to top, spread evenly over the rows.
    pub y_labels: Vec<String>,
    /// Width of the y label column (shared by stacked plots so that their x axes line up).
    pub label_width: usize,
    /// Draw the epoch numbers on the last row.
    pub x_labels: bool,
    /// Epochs after which distillation stopped: a vertical `┆` each.
    pub stops: &'a [usize],
    /// Write `stop` beside the last stop line.
    pub label_stop: bool,
    /// Style of the axis and labels.
    pub axis_style: Style,
    /// Style of the stop lines and label.
    pub stop_style: Style,
}

/// The plot area inside `area`: where the series are drawn.
pub fn graph_area(area: Rect, label_width: usize, x_labels: bool) -> Rect {
    let left = (label_width as u16 + 1).min(area.width);
    let height = area.height.saturating_sub(u16::from(x_labels));
    Rect {
        x: area.x + left,
        y: area.y,
        width: area.width - left,
        height,
    }
}

/// The column of `epoch` in a graph area `width` cells wide, as the chart's canvas maps it.
pub fn column(epoch: f64, x_max: f64, width: u16) -> u16 {
    if width <= 1 || x_max <= 1.0 {
        return 0;
    }
    let x = (epoch - 1.0) * f64::from(width - 1) / (x_max - 1.0);
    (x.round().max(0.0) as u16).min(width - 1)
}

/// Draws `plot` into `area` (no block).
pub fn render(frame: &mut Frame, area: Rect, plot: &Plot) {
    let graph = graph_area(area, plot.label_width, plot.x_labels);
    if graph.width < 2 || graph.height < 1 {
        return;
    }
    let buf = frame.buffer_mut();
    // Y axis and its labels.
    let axis_x = graph.x - 1;
    for y in graph.top()..graph.bottom() {
        buf[(axis_x, y)].set_symbol("│").set_style(plot.axis_style);
    }
    let n = plot.y_labels.len();
    if n >= 2 {
        for (i, label) in plot.y_labels.iter().enumerate() {
            let dy = i as u16 * (graph.height - 1) / (n as u16 - 1);
            let y = graph.bottom() - 1 - dy;
            let text = format!("{label:>w$}", w = plot.label_width);
            buf.set_stringn(area.x, y, text, plot.label_width, plot.axis_style);
        }
    }

    // Stop lines first, so that the curves are drawn over them.
    let (lo, hi) = plot.y;
    let stop_lines: Vec<Vec<(f64, f64)>> = plot
        .stops
        .iter()
        .map(|&e| vec![(e as f64, lo), (e as f64, hi)])
        .collect();
    let mut datasets: Vec<Dataset> = stop_lines
        .iter()
        .map(|points| {
            Dataset::default()
                .data(points)
                .marker(Marker::Custom('┆'))
                .graph_type(GraphType::Line)
                .style(plot.stop_style)
        })
        .collect();
    datasets.extend(plot.series.iter().map(|s| {
        Dataset::default()
            .data(&s.points)
            .marker(s.marker)
            .graph_type(GraphType::Line)
            .style(s.style)
    }));
    let chart = Chart::new(datasets)
        .legend_position(None)
        .x_axis(Axis::default().bounds([1.0, plot.x_max]))
        .y_axis(Axis::default().bounds([lo, hi]));
    frame.render_widget(chart, graph);

    let buf = frame.buffer_mut();
    if let Some(&last) = plot.stops.last().filter(|_| plot.label_stop) {
        label_stop(
            buf,
            graph,
            column(last as f64, plot.x_max, graph.width),
            plot.stop_style,
        );
    }
    if plot.x_labels {
        epoch_labels(buf, graph, plot.x_max, plot.axis_style);
    }
}

/// `stop` beside the stop line, on the highest row where it hides nothing.
fn label_stop(buf: &mut Buffer, graph: Rect, col: u16, style: Style) {
    const TEXT: &str = "stop";
    let w = TEXT.len() as u16;
    let x_line = graph.x + col;
    let right = (x_line + 1 + w <= graph.right()).then_some(x_line + 1);
    let left = (x_line >= graph.x + w).then(|| x_line - w);
    for y in graph.top()..graph.bottom() {
        for x in [right, left].into_iter().flatten() {
            if (x..x + w).all(|x| buf[(x, y)].symbol() == " ") {
                buf.set_string(x, y, TEXT, style);
                return;
            }
        }
    }
}

/// Epoch numbers under the graph: the first, the middle and the last epoch, each under its column.
fn epoch_labels(buf: &mut Buffer, graph: Rect, x_max: f64, style: Style) {
    let y = graph.bottom();
    let last = x_max.round() as usize;
    let mut epochs = vec![1];
    if last >= 4 {
        epochs.push(last.div_ceil(2));
    }
    epochs.push(last);
    for (i, epoch) in epochs.iter().enumerate() {
        let text = epoch.to_string();
        let w = text.len() as u16;
        let col = graph.x + column(*epoch as f64, x_max, graph.width);
        let x = if i == 0 {
            col
        } else if i == epochs.len() - 1 {
            (col + 1).saturating_sub(w).max(graph.x)
        } else {
            col.saturating_sub(w / 2).max(graph.x)
        };
        buf.set_stringn(x, y, text, (graph.right() - x) as usize, style);
    }
}
