//! `mkd-tui compare` as a process on the tiny digits preset: the table it writes parses.

use std::process::Command;

use mkd_tui::compare::CompareTable;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mkd-tui"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

const TINY: &str = "tests/fixtures/tiny-digits.yaml";
const PLANNER: &str =
    "planner={ladder: {kind: mlp, widths: [64, 32, 16]}, max_ratio: 2, probe_fraction: 0.5}";

#[test]
fn every_strategy_and_the_one_assistant_sweep_make_one_table() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let o = bin()
        .args(["compare", TINY, "--seeds", "2"])
        .args(["--strategies", "scratch,kd,takd,dgkd,dynamic,takd-each"])
        .arg("--out")
        .arg(&out)
        .args(["--set", PLANNER])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let table: CompareTable =
        serde_json::from_slice(&std::fs::read(out.join("compare.json")).unwrap()).unwrap();
    assert_eq!(table.seeds, vec![7, 8]);
    let labels: Vec<&str> = table.summary.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "scratch",
            "kd",
            "takd",
            "dgkd",
            "dynamic",
            "takd[mlp-64]",
            "takd[mlp-32]",
            "takd[mlp-16]"
        ]
    );
    assert_eq!(table.runs.len(), 16);
    assert!(table.summary.iter().all(|s| s.runs == 2));
    // The teacher is trained by the first run needing it (kd) and loaded by the rest of the seed.
    let seed7: Vec<_> = table.runs.iter().filter(|r| r.seed == 7).collect();
    assert!(!seed7[1].teacher_reused && seed7[2..].iter().all(|r| r.teacher_reused));
    // Scratch runs no teacher; kd one teacher over 2 epochs; dynamic probes.
    let s = |l: &str| table.summary.iter().find(|s| s.label == l).unwrap();
    assert_eq!(s("scratch").teacher_forwards_mean, 0.0);
    assert!(s("dynamic").probe_epochs_mean > 0.0);
    let ex = table.exhaustive.as_ref().expect("takd-each ran");
    assert_eq!(ex.chains, 3);
    assert!(ex.dynamic_ratio.is_some());
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    assert!(
        md.contains("| strategy | seeds | student test % | 95 % CI |"),
        "{md}"
    );
    assert!(
        md.contains("Exhaustive one-assistant search: 3 chains"),
        "{md}"
    );
    assert!(out.join("seed-8/takd-mlp-16/report.json").is_file());
    // Paired differences: the seven others against scratch, then the six others against kd,
    // each over both seeds.
    assert_eq!(table.paired.len(), 13);
    assert!(table.paired[..7].iter().all(|p| p.baseline == "scratch"));
    assert!(table.paired[7..].iter().all(|p| p.baseline == "kd"));
    assert!(table
        .paired
        .iter()
        .all(|p| p.seeds == [7, 8] && p.ci_low_pp.is_some() && p.too_few_seeds_for_claim));
    assert!(
        md.contains("## Paired differences (test %, pp, 95 % CI, Student t over seeds)"),
        "{md}"
    );
    assert!(md.contains("Fewer than 5 seeds (as few as 2 here)"), "{md}");
    charts_hold_one_series_per_strategy(&out, &table);
    tables_beside_compare_md(&out, &table, &md);
}

/// `(fill, opacity)` of every `<circle>` and the fill of every `<polygon>` of an SVG file that
/// must parse.
fn shapes(path: &std::path::Path) -> (Vec<(String, String)>, Vec<String>) {
    let text = std::fs::read_to_string(path).expect("the chart exists");
    let doc = roxmltree::Document::parse(&text).expect("the chart parses as XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let attr = |n: roxmltree::Node, a| n.attribute(a).unwrap_or("").to_string();
    let circles = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .map(|n| (attr(n, "fill"), attr(n, "opacity")))
        .collect();
    let polygons = doc
        .descendants()
        .filter(|n| n.has_tag_name("polygon"))
        .map(|n| attr(n, "fill"))
        .collect();
    (circles, polygons)
}

/// compare.md links both charts; in each, strategy i's colour marks one point per seed (faint
/// circles) and one mean (a solid marker; the compute chart's legend repeats it).
fn charts_hold_one_series_per_strategy(out: &std::path::Path, table: &CompareTable) {
    use mkd_tui::run_dir::report::plots::style;
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    for (file, means) in [
        ("plots/student-accuracy.svg", 1),
        ("plots/accuracy-vs-compute.svg", 2),
    ] {
        assert!(
            md.contains(&format!("]({file})")),
            "compare.md links {file}"
        );
        let (circles, polygons) = shapes(&out.join(file));
        for (i, s) in table.summary.iter().enumerate() {
            let c = style::colour(i);
            let hex = format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
            let seeds = circles
                .iter()
                .filter(|(f, o)| *f == hex && o == "0.55")
                .count();
            assert_eq!(seeds, s.runs, "{file}: {} has one point per seed", s.label);
            let marks = polygons.iter().filter(|f| **f == hex).count();
            assert_eq!(marks, means, "{file}: {} has one mean", s.label);
        }
    }
}

/// The accuracy and cost tables as CSV and LaTeX, with the same rows as compare.md.
fn tables_beside_compare_md(out: &std::path::Path, table: &CompareTable, md: &str) {
    let acc = std::fs::read_to_string(out.join("compare-accuracy.csv")).unwrap();
    let mut lines = acc.lines();
    assert_eq!(
        lines.next().unwrap(),
        "strategy,seeds,student_test_mean,student_test_sd,student_test_ci95_low,\
         student_test_ci95_high,student_best_val_mean,teacher_test_mean,assistants_test_mean"
    );
    let kd = table.summary.iter().find(|s| s.label == "kd").unwrap();
    let kd_line = lines.find(|l| l.starts_with("kd,")).unwrap();
    let fields: Vec<&str> = kd_line.split(',').collect();
    assert_eq!(fields[1], "2");
    assert!((fields[2].parse::<f64>().unwrap() - kd.test_mean).abs() < 1e-6);
    let h = kd.test_ci95.expect("two seeds have an interval");
    assert!((fields[4].parse::<f64>().unwrap() - (kd.test_mean - h)).abs() < 1e-6);
    assert!(
        fields[7].parse::<f64>().unwrap() > 0.0,
        "the teacher's accuracy: {kd_line}"
    );
    let cost = std::fs::read_to_string(out.join("compare-cost.csv")).unwrap();
    assert_eq!(cost.lines().count(), table.summary.len() + 1);
    let tex = std::fs::read_to_string(out.join("compare.tex")).unwrap();
    assert_eq!(tex.matches("\\begin{tabular}").count(), 2, "{tex}");
    assert!(tex.contains("strategy & seeds & student test \\%"), "{tex}");
    // Settings in the header; the accuracy table before the cost table; whole numbers plain.
    assert!(md.contains("T = 4, α = 0.7, KL batchmean"), "{md}");
    assert!(md.contains("2 epochs per stage, batch 64"), "{md}");
    let (a, c) = (md.find("## Accuracy").unwrap(), md.find("## Cost").unwrap());
    assert!(a < c);
    let scratch_cost = md[c..]
        .lines()
        .find(|l| l.starts_with("| scratch |"))
        .unwrap();
    assert!(
        scratch_cost.starts_with("| scratch | 2 | "),
        "{scratch_cost}"
    );
    assert!(!scratch_cost.contains(".0 |"), "{scratch_cost}");
}

#[test]
fn an_unknown_strategy_is_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let o = bin()
        .args(["compare", TINY, "--strategies", "kd,magic", "--out"])
        .arg(tmp.path().join("x"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("unknown strategy `magic`"), "{err}");
}

#[test]
fn dynamic_without_a_planner_is_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let o = bin()
        .args(["compare", TINY, "--strategies", "dynamic", "--out"])
        .arg(tmp.path().join("x"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("strategy dynamic needs a `planner:` section"),
        "names only what was asked for: {err}"
    );
}

/// Without `--strategies`, a preset with no planner compares the four fixed strategies (not
/// `dynamic`, which would need one), one seed: the spread is "—" and the scratch run has no teacher.
#[test]
fn the_default_strategies_fit_a_preset_without_a_planner() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let o = bin()
        .args(["compare", TINY, "--seeds", "1", "--out"])
        .arg(&out)
        .args(["--set", "training.epochs=1"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let table: CompareTable =
        serde_json::from_slice(&std::fs::read(out.join("compare.json")).unwrap()).unwrap();
    let labels: Vec<&str> = table.summary.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, ["scratch", "kd", "takd", "dgkd"]);
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    let scratch_summary = md
        .lines()
        .find(|l| l.starts_with("| scratch | 1 |"))
        .unwrap();
    assert!(scratch_summary.contains(" ± — |"), "{scratch_summary}");
    let scratch_run = md
        .lines()
        .find(|l| l.starts_with("| scratch | 7 |"))
        .unwrap();
    assert!(scratch_run.contains("| — | mlp-8 |"), "{scratch_run}");
    // One seed: paired differences but no interval.
    let kd_paired = md
        .lines()
        .find(|l| l.starts_with("| kd | scratch | 1 |"))
        .unwrap();
    assert!(
        kd_paired.contains("| — | ") && kd_paired.ends_with("| — (needs ≥ 2 seeds) |"),
        "{kd_paired}"
    );
}

/// Run `compare` with `args`; it must refuse with exit 2 and a line containing `expected`, and
/// train nothing.
fn refused(args: &[&str], expected: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let o = bin()
        .arg("compare")
        .args(args)
        .args(["--headless", "--out"])
        .arg(&out)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(expected), "{args:?}: {err}");
    assert!(!out.join("seed-0").exists() && !out.join("compare.md").exists());
}

#[test]
fn slurm_options_without_slurm_are_refused_naming_the_option() {
    let strategies = ["--strategies", "scratch", "--seeds", "1"];
    let with = |extra: &[&'static str]| {
        let mut v = vec![TINY];
        v.extend_from_slice(&strategies);
        v.extend_from_slice(extra);
        v
    };
    refused(
        &with(&["--slurm-args", "--time=1"]),
        "--slurm-args needs --executor slurm",
    );
    refused(
        &with(&["--slurm-exe", "mkd-tui"]),
        "--slurm-exe needs --executor slurm",
    );
    refused(
        &with(&["--executor", "local", "--slurm-poll", "1"]),
        "--slurm-poll needs --executor slurm or --collect",
    );
}

#[test]
fn collect_refuses_options_of_a_new_comparison() {
    let tmp = tempfile::tempdir().unwrap();
    for extra in [["--seeds", "4"], ["--slurm-args", "--time=1"]] {
        let o = bin()
            .args(["compare", "--collect"])
            .arg(tmp.path())
            .args(extra)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {err}");
        assert!(
            err.contains(extra[0]) && err.contains("--collect"),
            "{extra:?}: {err}"
        );
    }
}

#[test]
fn a_folder_as_preset_says_a_yaml_file_is_expected() {
    let tmp = tempfile::tempdir().unwrap();
    let o = bin()
        .arg("compare")
        .arg(tmp.path())
        .args(["--headless", "--seeds", "1", "--strategies", "scratch"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("is a folder; expected a preset YAML file"),
        "{err}"
    );
}
