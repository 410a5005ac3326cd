//! The look shared by every chart mkd-tui writes (report and comparison): size, font, colours and
//! markers. Colours are the matplotlib "tab10" set a paper reader knows; every series also has
//! its own marker, so a chart printed in grey still tells the series apart.

use plotters::prelude::*;

/// Chart size in SVG pixels (width, height).
pub const SIZE: (u32, u32) = (720, 480);
/// A chart with the Δ panel under the accuracies.
pub const SIZE_TALL: (u32, u32) = (720, 640);

/// Generic family: the SVG names it and the viewer picks a font, so no font file is needed here.
pub const FONT: &str = "sans-serif";
pub const CAPTION_PX: u32 = 18;
pub const LABEL_PX: u32 = 13;

/// tab10, in its order.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Colour of series `i` (cycles after ten).
pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Where distillation stopped: red, dashed.
pub const STOP: RGBColor = RGBColor(214, 39, 40);
/// Reference lines (Δ = 0, the margin).
pub const GUIDE: RGBColor = RGBColor(127, 127, 127);

/// A series' point marker, by series index: circle, triangle, diamond, square, then again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Triangle,
    Diamond,
    Square,
}

impl Marker {
    pub fn nth(i: usize) -> Marker {
        [
            Marker::Circle,
            Marker::Triangle,
            Marker::Diamond,
            Marker::Square,
        ][i % 4]
    }
}

/// `[lo, hi]` of `values` widened by a tenth of the span (at least 0.5 either side) and clamped
/// to `[0, 100]`: an accuracy axis that shows the differences, not the distance from 0.
pub fn accuracy_range(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 100.0);
    }
    let pad = ((hi - lo) * 0.1).max(0.5);
    ((lo - pad).max(0.0), (hi + pad).min(100.0))
}

/// A range around `values` that holds 0, padded by a tenth of the span (at least 0.5).
pub fn signed_range(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let pad = ((hi - lo) * 0.1).max(0.5);
    (lo - pad, hi + pad)
}

/// Drawing errors as `std::io::Error` (what the writers of the run directory return).
pub fn io_error(what: &str, e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("drawing {what}: {e}"))
}

/// A tick label with no more decimals than the axis `span` needs: `90`, not `90.0`.
pub fn tick(v: f64, span: f64) -> String {
    let decimals = if span >= 5.0 {
        0
    } else if span >= 0.5 {
        1
    } else {
        2
    };
    let s = format!("{v:.decimals$}");
    // `-0` reads as a value below zero.
    if s.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        s.trim_start_matches('-').to_string()
    } else {
        s
    }
}

/// The outline of `marker` around (0, 0), in pixels: one polygon type for every marker, so a
/// legend entry has one type whatever its marker.
pub fn marker_shape(marker: Marker) -> Vec<(i32, i32)> {
    let r = 4.5f64;
    let ring = |n: usize, r: f64, turn: f64| -> Vec<(i32, i32)> {
        (0..n)
            .map(|k| {
                let a = turn + k as f64 * std::f64::consts::TAU / n as f64;
                ((r * a.cos()).round() as i32, (r * a.sin()).round() as i32)
            })
            .collect()
    };
    match marker {
        Marker::Circle => ring(12, r, 0.0),
        Marker::Triangle => ring(3, r + 1.5, -std::f64::consts::FRAC_PI_2),
        Marker::Diamond => ring(4, r + 1.0, 0.0),
        Marker::Square => ring(4, r + 0.5, std::f64::consts::FRAC_PI_4),
    }
}

/// What [`legend_entry`] draws: a line and a polygon at one point.
pub type LegendEntry<DB> = plotters::element::ComposedElement<
    (i32, i32),
    DB,
    PathElement<(i32, i32)>,
    Polygon<(i32, i32)>,
>;

/// A legend entry: a short line with the series' marker on it, at legend position `(x, y)`.
pub fn legend_entry<DB: DrawingBackend>(
    (x, y): (i32, i32),
    marker: Marker,
    colour: RGBColor,
) -> LegendEntry<DB> {
    let shape = marker_shape(marker)
        .into_iter()
        .map(|(a, b)| (a + 10, b))
        .collect::<Vec<_>>();
    EmptyElement::at((x, y))
        + PathElement::new(vec![(0, 0), (20, 0)], colour.stroke_width(2))
        + Polygon::new(shape, colour.filled())
}

/// `points` with `marker` in `colour`.
pub fn draw_markers<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    points: &[(X::ValueType, Y::ValueType)],
    marker: Marker,
    colour: RGBColor,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>>
where
    DB: DrawingBackend + 'a,
    X: Ranged,
    Y: Ranged,
    X::ValueType: Clone + 'static,
    Y::ValueType: Clone + 'static,
{
    let shape = marker_shape(marker);
    chart.draw_series(
        points
            .iter()
            .map(|p| EmptyElement::at(p.clone()) + Polygon::new(shape.clone(), colour.filled())),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_pad_and_clamp() {
        assert_eq!(accuracy_range([90.0, 95.0]), (89.5, 95.5));
        assert_eq!(accuracy_range([99.8, 100.0]), (99.3, 100.0));
        assert_eq!(accuracy_range([]), (0.0, 100.0));
        assert_eq!(signed_range([1.0, 3.0]), (-0.5, 3.5));
        assert_eq!(tick(90.0, 60.0), "90");
        assert_eq!(tick(-0.2, 60.0), "0");
        assert_eq!(tick(-0.25, 3.0), "-0.2");
    }
}
