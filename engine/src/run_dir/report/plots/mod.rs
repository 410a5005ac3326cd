//! The charts beside `report.md` (`plots/*.svg`): per model with a trained curve, validation
//! accuracy per epoch of every arm (kd and each control; the teacher's own curve), the epochs
//! where distillation stopped, and the advantage Δ the stop rule judged.
//!
//! Drawn with `plotters`' SVG backend only: no bitmap, no font file (the SVG names a generic
//! family and the viewer chooses the font). Written here, in the engine, because the report is
//! written here, by the worker, the moment the run ends; a front end need not be running.

mod curves;
pub mod style;

use std::path::Path;

use super::{ModelReport, Report};

/// The folder of the charts, beside `report.md`.
pub const DIR: &str = "plots";

/// One chart of a report: its path relative to the report's folder, and what it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// `plots/<model>.svg`.
    pub path: String,
    pub caption: String,
}

/// The charts `report` has, in chain order: one per model with at least one trained curve
/// (a loaded model has none). Their names come from the model names, made safe for a file name
/// and unique.
pub fn charts(report: &Report) -> Vec<(Chart, &ModelReport)> {
    let mut used = std::collections::BTreeSet::new();
    report
        .models
        .iter()
        .filter(|m| m.arms.iter().any(|a| !a.val_curve.is_empty()))
        .map(|m| {
            let stem = file_stem(&m.name);
            let mut name = stem.clone();
            let mut k = 2;
            while !used.insert(name.clone()) {
                name = format!("{stem}-{k}");
                k += 1;
            }
            let arms: Vec<&str> = m
                .arms
                .iter()
                .filter(|a| !a.val_curve.is_empty())
                .map(|a| a.result.arm.as_str())
                .collect();
            let caption = if m.delta_curve.iter().any(Option::is_some) {
                format!(
                    "{}: validation accuracy per epoch ({}), distillation stops, and Δ",
                    m.name,
                    arms.join(", ")
                )
            } else {
                format!(
                    "{}: validation accuracy per epoch ({})",
                    m.name,
                    arms.join(", ")
                )
            };
            (
                Chart {
                    path: format!("{DIR}/{name}.svg"),
                    caption,
                },
                m,
            )
        })
        .collect()
}

/// Write every chart of `report` under `dir` (the run directory), each file atomically.
///
/// Errors: the first chart that could not be drawn or written, naming its file.
pub fn write(report: &Report, dir: &Path) -> std::io::Result<Vec<Chart>> {
    let margin = report.stop_rule.as_ref().map(|r| r.margin);
    let list = charts(report);
    if !list.is_empty() {
        std::fs::create_dir_all(dir.join(DIR))?;
    }
    let mut out = Vec::new();
    for (chart, model) in list {
        let svg = curves::model_svg(model, margin)?;
        crate::run_dir::atomic::write_atomic(
            &dir.join(&chart.path),
            svg.as_bytes(),
            "writing a report chart",
        )?;
        out.push(chart);
    }
    Ok(out)
}

/// `name` with every character outside `[A-Za-z0-9_.-]` as `_` (never empty).
pub fn file_stem(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with('.') {
        format!("model{s}")
    } else {
        s
    }
}
