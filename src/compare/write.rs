//! Everything a comparison writes into its folder, each file atomically (a reader, or a
//! continued comparison, sees the old table or the new, never half of one): `compare.json`,
//! `compare.md`, `compare-accuracy.csv`, `compare-cost.csv`, `compare.tex` and `plots/*.svg`.

use std::path::Path;

use super::table::CompareTable;
use crate::run_dir::atomic::write_atomic;

/// Write `table`'s files into `out`.
///
/// Errors: the first file that could not be written, named with what was being written.
pub fn write_all(out: &Path, table: &CompareTable) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(table).map_err(std::io::Error::other)?;
    write_atomic(&out.join("compare.json"), &json, "writing the comparison")?;
    let charts = super::charts::svgs(table)?;
    if !charts.is_empty() {
        std::fs::create_dir_all(out.join("plots"))?;
    }
    for (file, svg) in charts {
        write_atomic(
            &out.join(file),
            svg.as_bytes(),
            "writing a comparison chart",
        )?;
    }
    write_atomic(
        &out.join("compare-accuracy.csv"),
        table.accuracy_grid().csv().as_bytes(),
        "writing the comparison",
    )?;
    write_atomic(
        &out.join("compare-cost.csv"),
        table.cost_grid().csv().as_bytes(),
        "writing the comparison",
    )?;
    write_atomic(
        &out.join("compare.tex"),
        table.to_latex().as_bytes(),
        "writing the comparison",
    )?;
    write_atomic(
        &out.join("compare.md"),
        table.to_markdown().as_bytes(),
        "writing the comparison",
    )
}
