//! Running `mkd-tui` as a process from the tests: the binary in the project root, no fault hook
//! inherited, and the tiny preset headless with a control cache of the test's own.

#![allow(dead_code)] // each test file uses a different part

use std::path::Path;
use std::process::{Command, Output};

/// The tiny preset: 8×8 digits, teacher → assistant → student, seconds per run.
pub const TINY: &str = "tests/fixtures/tiny-digits.yaml";

/// `mkd-tui`, run from the project root, without `MKD_TUI_FAULT` from the environment.
pub fn mkd_tui() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mkd-tui"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("MKD_TUI_FAULT");
    c
}

/// `run TINY --headless --out <out>` with the control cache in `cache`, each of `sets` as a
/// `--set`, and the fault hook `fault` (`kill@S:E:B`, `term@…`, `hup@…`) if given.
pub fn run_tiny(out: &Path, cache: &Path, sets: &[&str], fault: Option<&str>) -> Output {
    let mut c = mkd_tui();
    c.args(["run", TINY, "--headless", "--out"])
        .arg(out)
        .arg("--set")
        .arg(format!("distill.control_cache={}", cache.display()));
    for set in sets {
        c.args(["--set", set]);
    }
    if let Some(f) = fault {
        c.env("MKD_TUI_FAULT", f);
    }
    c.output().unwrap()
}

/// Standard output then standard error, as text.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `compare TINY --strategies scratch,kd --seeds 2 --out <out> --set training.epochs=2`, with a
/// control cache of its own beside `out`, `extra` arguments, and the fault hook `fault` if given;
/// stdin from /dev/null (no terminal: progress lines).
pub fn compare_tiny(out: &Path, fault: Option<&str>, extra: &[&str]) -> Output {
    let mut c = mkd_tui();
    c.args([
        "compare",
        TINY,
        "--strategies",
        "scratch,kd",
        "--seeds",
        "2",
    ])
    .arg("--out")
    .arg(out)
    .args(["--set", "training.epochs=2", "--set"])
    .arg(format!(
        "distill.control_cache={}",
        out.with_extension("cache").display()
    ))
    .args(extra)
    .stdin(std::process::Stdio::null());
    if let Some(f) = fault {
        c.env("MKD_TUI_FAULT", f);
    }
    c.output().unwrap()
}
