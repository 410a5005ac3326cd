//! The charts beside `compare.md` (`plots/*.svg`): the student's test accuracy per strategy
//! (every seed's point, the mean and its 95 % interval), and accuracy against compute per
//! strategy, where the cheap-and-good corner is the upper left. Same look as the report's charts
//! ([`crate::run_dir::report::plots::style`]).

use plotters::prelude::*;

use super::table::CompareTable;
use crate::run_dir::report::plots::style::{self, Marker};

pub const ACCURACY_FILE: &str = "plots/student-accuracy.svg";
pub const ACCURACY_CAPTION: &str =
    "student test accuracy per strategy: every seed (small), mean and 95 % interval (large, bar)";
pub const COMPUTE_FILE: &str = "plots/accuracy-vs-compute.svg";
pub const COMPUTE_CAPTION: &str =
    "student test accuracy against compute (arm-epochs + probe epochs): every run (small), the strategy's mean (large)";

type DrawResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;

/// `(file, SVG text)` of each chart; none without a finished run.
pub fn svgs(table: &CompareTable) -> std::io::Result<Vec<(&'static str, String)>> {
    if table.runs.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for (file, draw) in [
        (
            ACCURACY_FILE,
            accuracy as fn(&CompareTable, &mut String) -> DrawResult,
        ),
        (COMPUTE_FILE, compute),
    ] {
        let mut svg = String::new();
        draw(table, &mut svg).map_err(|e| style::io_error(file, e))?;
        out.push((file, svg));
    }
    Ok(out)
}

/// Strategy `i`'s colour and marker (the order of the summary).
fn look(i: usize) -> (RGBColor, Marker) {
    (style::colour(i), Marker::nth(i))
}

fn accuracy(table: &CompareTable, svg: &mut String) -> DrawResult {
    let labels: Vec<&str> = table.summary.iter().map(|m| m.label.as_str()).collect();
    let n = labels.len() as f64;
    let (lo, hi) = style::accuracy_range(table.runs.iter().map(|r| r.test_acc).chain(
        table.summary.iter().flat_map(|m| {
            m.test_ci95
                .map(|h| [m.test_mean - h, m.test_mean + h])
                .into_iter()
                .flatten()
        }),
    ));
    let root = SVGBackend::with_string(svg, style::SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("{} · student test accuracy by strategy", table.preset),
            (style::FONT, style::CAPTION_PX),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5..n - 0.5, lo..hi)?;
    let name = |x: &f64| -> String {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
            labels[i as usize].to_string()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(labels.len() + 1)
        .x_label_formatter(&name)
        .x_desc("strategy")
        .y_desc("student test accuracy, %")
        .y_label_formatter(&|v| style::tick(*v, hi - lo))
        .label_style((style::FONT, style::LABEL_PX))
        .light_line_style(WHITE)
        .draw()?;
    for (i, m) in table.summary.iter().enumerate() {
        let (colour, marker) = look(i);
        let x = i as f64;
        let seeds: Vec<(f64, f64)> = table
            .runs
            .iter()
            .filter(|r| r.label == m.label)
            .enumerate()
            // Spread the seeds sideways a little so equal accuracies stay visible.
            .map(|(k, r)| (x - 0.25 + 0.08 * (k % 4) as f64, r.test_acc))
            .collect();
        chart
            .draw_series(
                seeds.iter().map(|&p| {
                    EmptyElement::at(p) + Circle::new((0, 0), 3, colour.mix(0.55).filled())
                }),
            )?
            .label(m.label.clone())
            .legend(move |p| style::legend_entry(p, marker, colour));
        if let Some(h) = m.test_ci95 {
            let at = x + 0.12;
            chart.draw_series(LineSeries::new(
                [(at, m.test_mean - h), (at, m.test_mean + h)],
                colour.stroke_width(2),
            ))?;
            for y in [m.test_mean - h, m.test_mean + h] {
                chart.draw_series(LineSeries::new(
                    [(at - 0.06, y), (at + 0.06, y)],
                    colour.stroke_width(2),
                ))?;
            }
        }
        let shape: Vec<(i32, i32)> = style::marker_shape(marker)
            .into_iter()
            .map(|(a, b)| (a * 3 / 2, b * 3 / 2))
            .collect();
        chart.draw_series(std::iter::once(
            EmptyElement::at((x + 0.12, m.test_mean)) + Polygon::new(shape, colour.filled()),
        ))?;
    }
    root.present()?;
    Ok(())
}

fn compute(table: &CompareTable, svg: &mut String) -> DrawResult {
    let (lo, hi) = style::accuracy_range(table.runs.iter().map(|r| r.test_acc));
    let max_x = table
        .runs
        .iter()
        .map(|r| r.compute_epochs() as f64)
        .fold(1.0, f64::max);
    let root = SVGBackend::with_string(svg, style::SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("{} · accuracy against compute", table.preset),
            (style::FONT, style::CAPTION_PX),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..max_x * 1.35, lo..hi)?; // room on the right for the legend
    chart
        .configure_mesh()
        .x_desc("compute: arm-epochs below the teacher + probe epochs, per run")
        .y_desc("student test accuracy, %")
        .x_label_formatter(&|v| style::tick(*v, 100.0))
        .y_label_formatter(&|v| style::tick(*v, hi - lo))
        .label_style((style::FONT, style::LABEL_PX))
        .light_line_style(WHITE)
        .draw()?;
    chart.draw_series(std::iter::once(
        EmptyElement::at((0.0, hi))
            + Text::new(
                "↖ cheaper and better",
                (8, 6),
                (style::FONT, style::LABEL_PX)
                    .into_font()
                    .color(&style::GUIDE),
            ),
    ))?;
    for (i, m) in table.summary.iter().enumerate() {
        let (colour, marker) = look(i);
        let runs: Vec<(f64, f64)> = table
            .runs
            .iter()
            .filter(|r| r.label == m.label)
            .map(|r| (r.compute_epochs() as f64, r.test_acc))
            .collect();
        chart
            .draw_series(
                runs.iter().map(|&p| {
                    EmptyElement::at(p) + Circle::new((0, 0), 3, colour.mix(0.55).filled())
                }),
            )?
            .label(m.label.clone())
            .legend(move |p| style::legend_entry(p, marker, colour));
        let shape: Vec<(i32, i32)> = style::marker_shape(marker)
            .into_iter()
            .map(|(a, b)| (a * 3 / 2, b * 3 / 2))
            .collect();
        let mean = (m.arm_epochs_mean + m.probe_epochs_mean, m.test_mean);
        chart.draw_series(std::iter::once(
            EmptyElement::at(mean) + Polygon::new(shape, colour.filled()),
        ))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::MiddleRight)
        .label_font((style::FONT, style::LABEL_PX))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .draw()?;
    root.present()?;
    Ok(())
}
