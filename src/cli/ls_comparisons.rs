//! The comparisons `mkd-tui ls` lists after the runs: one line each, read from the comparison's
//! folder (see [`crate::compare::progress`]).

use std::path::Path;

use crate::compare::{is_comparison, ComparisonProgress};

/// A heading and one line per comparison folder under `runs`, oldest first by name; empty when
/// there are none.
pub fn lines(runs: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(runs) else {
        return Vec::new();
    };
    let mut folders: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_comparison(p))
        .collect();
    folders.sort();
    let progress: Vec<ComparisonProgress> = folders
        .iter()
        .filter_map(|f| ComparisonProgress::read(f).ok())
        .collect();
    if progress.is_empty() {
        return Vec::new();
    }
    let mut out = vec![format!(
        "{:<36} {:<14} {:<11} {:>8}  student test % (mean of finished seeds)",
        "comparison (mkd-tui attach DIR)", "preset", "status", "runs"
    )];
    for p in &progress {
        let (done, all) = p.done();
        let state = if done == all {
            "finished"
        } else if p.live {
            "running"
        } else {
            "stopped"
        };
        let means: Vec<String> = p
            .rows
            .iter()
            .filter_map(|r| r.test_acc.map(|m| format!("{} {:.2}", r.label, m.mean)))
            .collect();
        let name = p.folder.file_name().unwrap_or_default().to_string_lossy();
        out.push(format!(
            "{name:<36} {:<14} {state:<11} {:>8}  {}",
            p.preset,
            format!("{done}/{all}"),
            means.join(" · ")
        ));
    }
    out
}
