//! The charts beside `report.md`: one SVG per trained model, linked from the report, that parses
//! as SVG and holds one series per arm (and the Δ curve of each distilled model).

#[path = "process_support/mod.rs"]
mod process_support;

use mkd_tui::run_dir::report::plots::style;
use mkd_tui::run_dir::Report;
use process_support::{run_tiny, text};

/// `(stroke colour, number of points)` of every 2-px polyline: series lines are 2 px wide, grid
/// and axes 1 px; a legend's sample line has 2 points.
fn thick_lines(svg: &str) -> Vec<(String, usize)> {
    let doc = roxmltree::Document::parse(svg).expect("the chart parses as XML");
    let root = doc.root_element();
    assert_eq!(
        root.tag_name().name(),
        "svg",
        "the chart is an <svg> document"
    );
    root.descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke-width") == Some("2"))
        .map(|n| {
            let points = n
                .attribute("points")
                .unwrap_or("")
                .split_whitespace()
                .count();
            (n.attribute("stroke").unwrap_or("").to_string(), points)
        })
        .collect()
}

fn hex(c: plotters::style::RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

#[test]
fn every_trained_model_has_a_chart_with_one_series_per_arm() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let epochs = 5;
    let o = run_tiny(
        &out,
        &tmp.path().join("cache"),
        &[&format!("training.epochs={epochs}")],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let report: Report =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let (kd, scratch, delta) = (
        hex(style::colour(0)),
        hex(style::colour(1)),
        hex(style::colour(4)),
    );
    for model in &report.models {
        let path = format!("plots/{}.svg", model.name);
        assert!(
            md.contains(&format!("]({path})")),
            "report.md links {path}:\n{md}"
        );
        let svg = std::fs::read_to_string(out.join(&path)).expect(&path);
        let lines = thick_lines(&svg);
        let curves = |colour: &str| {
            lines
                .iter()
                .filter(|(c, n)| c == colour && *n == epochs)
                .count()
        };
        let arms: Vec<_> = model.arms.iter().map(|a| a.result.arm.as_str()).collect();
        for arm in &model.arms {
            assert_eq!(
                arm.val_curve.len(),
                epochs,
                "{} {:?}",
                model.name,
                arm.result.arm
            );
        }
        if model.name == "teacher" {
            assert_eq!(arms, ["scratch"]);
            assert_eq!(curves(&scratch), 1, "{path}: the teacher's curve");
            assert_eq!(curves(&kd), 0, "{path}");
        } else {
            assert_eq!(arms, ["kd", "scratch"], "{}", model.name);
            assert_eq!(curves(&kd), 1, "{path}: one kd series");
            assert_eq!(curves(&scratch), 1, "{path}: one scratch series");
            assert_eq!(curves(&delta), 1, "{path}: one Δ series");
            let doc = roxmltree::Document::parse(&svg).unwrap();
            let texts: Vec<&str> = doc
                .descendants()
                .filter(|n| n.has_tag_name("text"))
                .filter_map(|n| n.text())
                .map(str::trim)
                .collect();
            for name in ["kd", "scratch", "Δ"] {
                assert!(
                    texts.contains(&name),
                    "{path}: the legend names {name}: {texts:?}"
                );
            }
        }
    }
}
