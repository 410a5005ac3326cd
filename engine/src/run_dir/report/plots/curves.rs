//! One model's chart: validation accuracy per epoch of each of its arms (one series per arm), the
//! epochs where distillation stopped, and under it the advantage Δ the stop rule judged.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{self, Marker};
use crate::protocol::ArmKind;
use crate::run_dir::report::{DistillationChange, ModelReport};

/// `model`'s chart as SVG text. `margin` is the stop rule's margin (pp), drawn in the Δ panel.
pub fn model_svg(model: &ModelReport, margin: Option<f64>) -> std::io::Result<String> {
    let err = |e: DrawingAreaErrorKind<_>| style::io_error(&model.name, e);
    let has_delta = model.delta_curve.iter().any(Option::is_some);
    let size = if has_delta {
        style::SIZE_TALL
    } else {
        style::SIZE
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (top, bottom) = if has_delta {
            let (t, b) = root.split_vertically(size.1 * 3 / 5);
            (t, Some(b))
        } else {
            (root.clone(), None)
        };
        accuracy_panel(&top, model).map_err(err)?;
        if let Some(bottom) = bottom {
            delta_panel(&bottom, model, margin).map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Epochs shown: the longest curve (at least 2, so the axis has a span).
fn epochs(model: &ModelReport) -> usize {
    model
        .arms
        .iter()
        .map(|a| a.val_curve.len())
        .chain([model.delta_curve.len(), 2])
        .max()
        .unwrap_or(2)
}

/// Epochs after which distillation stopped (every stop, when it was resumed in between).
fn stop_epochs(model: &ModelReport) -> Vec<usize> {
    let mut stops: Vec<usize> = model
        .distillation_changes
        .iter()
        .filter_map(|c| match c {
            DistillationChange::Stopped { epoch, .. } => Some(*epoch),
            DistillationChange::Resumed { .. } => None,
        })
        .collect();
    if stops.is_empty() {
        stops.extend(model.stopped_early.as_ref().map(|e| e.epoch));
    }
    stops
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type DrawResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;

fn accuracy_panel(area: &Area<'_>, model: &ModelReport) -> DrawResult {
    let n = epochs(model) as i32;
    let (lo, hi) = style::accuracy_range(model.arms.iter().flat_map(|a| a.val_curve.clone()));
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!(
                "{} ({}, {}) · validation accuracy",
                model.name,
                model.role.as_str(),
                model.arch
            ),
            (style::FONT, style::CAPTION_PX),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(0..n + 1, lo..hi)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("validation accuracy, %")
        .y_label_formatter(&|v| style::tick(*v, hi - lo))
        .x_labels((n as usize + 1).min(12))
        .label_style((style::FONT, style::LABEL_PX))
        .light_line_style(WHITE)
        .draw()?;
    for arm in &model.arms {
        if arm.val_curve.is_empty() {
            continue;
        }
        // By arm kind, so an arm looks the same in every chart.
        let i = match arm.result.arm {
            ArmKind::Kd => 0,
            ArmKind::Scratch => 1,
            ArmKind::KdFromTeacher => 2,
        };
        let colour = style::colour(i);
        let points: Vec<(i32, f64)> = arm
            .val_curve
            .iter()
            .enumerate()
            .map(|(e, &v)| (e as i32 + 1, v))
            .collect();
        let name = arm.result.arm.as_str();
        chart
            .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))?
            .label(name)
            .legend(move |p| style::legend_entry(p, Marker::nth(i), colour));
        style::draw_markers(&mut chart, &points, Marker::nth(i), colour)?;
    }
    for e in stop_epochs(model) {
        chart.draw_series(DashedLineSeries::new(
            [(e as i32, lo), (e as i32, hi)],
            6,
            4,
            style::STOP.stroke_width(2),
        ))?;
        chart.draw_series(std::iter::once(
            EmptyElement::at((e as i32, hi))
                + Text::new(
                    format!("KD stopped after {e}"),
                    (5, 3),
                    (style::FONT, style::LABEL_PX)
                        .into_font()
                        .color(&style::STOP),
                ),
        ))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .label_font((style::FONT, style::LABEL_PX))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .draw()?;
    Ok(())
}

fn delta_panel(area: &Area<'_>, model: &ModelReport, margin: Option<f64>) -> DrawResult {
    let n = epochs(model) as i32;
    let values: Vec<f64> = model.delta_curve.iter().flatten().copied().collect();
    let (lo, hi) = style::signed_range(values.iter().copied().chain(margin));
    let mut chart = ChartBuilder::on(area)
        .caption(
            "Δ = kd − best control (smoothed as the stop rule sees it)",
            (style::FONT, style::LABEL_PX + 1),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(0..n + 1, lo..hi)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("Δ, pp")
        .y_label_formatter(&|v| style::tick(*v, hi - lo))
        .x_labels((n as usize + 1).min(12))
        .label_style((style::FONT, style::LABEL_PX))
        .light_line_style(WHITE)
        .draw()?;
    chart.draw_series(LineSeries::new([(0, 0.0), (n + 1, 0.0)], style::GUIDE))?;
    if let Some(m) = margin.filter(|m| *m != 0.0) {
        chart
            .draw_series(DashedLineSeries::new(
                [(0, m), (n + 1, m)],
                4,
                4,
                style::GUIDE.into(),
            ))?
            .label(format!("margin {m} pp"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style::GUIDE));
    }
    let colour = style::colour(4);
    // A gap (Δ undefined) splits the line.
    let mut run: Vec<(i32, f64)> = Vec::new();
    let mut runs = Vec::new();
    for (e, d) in model.delta_curve.iter().enumerate() {
        match d {
            Some(v) => run.push((e as i32 + 1, *v)),
            None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
            None => {}
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    for (i, run) in runs.iter().enumerate() {
        let series = chart.draw_series(LineSeries::new(run.clone(), colour.stroke_width(2)))?;
        if i == 0 {
            series
                .label("Δ")
                .legend(move |p| style::legend_entry(p, Marker::Circle, colour));
        }
        style::draw_markers(&mut chart, run, Marker::Circle, colour)?;
    }
    for e in stop_epochs(model) {
        chart.draw_series(DashedLineSeries::new(
            [(e as i32, lo), (e as i32, hi)],
            6,
            4,
            style::STOP.stroke_width(2),
        ))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font((style::FONT, style::LABEL_PX))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .draw()?;
    Ok(())
}
