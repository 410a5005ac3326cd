//! `--device` of run, compare, resume and bench: the preset's `device` for this command.

use crate::device::DeviceChoice;

/// What `--device` says in `--help`.
pub const HELP: &str =
    "Train on this device: auto, cpu, cuda or cuda:N (overrides the preset's `device`)";

/// The preset overrides `set` with `device=<choice>` appended when `--device` was given (the flag
/// wins over the preset and over `--set`). `Err` holds the line to print when this binary cannot
/// honour the choice (CUDA asked of a build without it).
pub fn with_device(set: &[String], device: Option<DeviceChoice>) -> Result<Vec<String>, String> {
    let mut all = set.to_vec();
    if let Some(d) = device {
        d.validate().map_err(|e| format!("mkd-tui: --{e}"))?;
        all.push(format!("device={d}"));
    }
    Ok(all)
}
