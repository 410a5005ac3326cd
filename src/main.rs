//! `mkd-tui`: see `mkd-tui --help`.

use clap::Parser;

/// candle allocates a fresh buffer for every op's output; mimalloc reuses them without the page
/// faults and `madvise` calls glibc's malloc makes for large blocks (README: Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's settings for this workload, read from the environment when the allocator starts
/// (before `main`, so they are set here and the binary re-executes itself once): memory freed by
/// a batch stays with the process (`PURGE_DELAY=-1`) in arenas committed up front
/// (`ARENA_EAGER_COMMIT=1`). By default the large activation and gradient buffers of a CNN went
/// back to the OS and returned as fresh pages the kernel zeroes on first touch (`clear_page_erms`,
/// 9 % of a CNN training profile); with these the `cnn` bench case trained about 8 % faster
/// (README: Performance). A value the user set is kept (each variable on its own).
const MIMALLOC_SETTINGS: [(&str, &str); 2] = [
    ("MIMALLOC_PURGE_DELAY", "-1"),
    ("MIMALLOC_ARENA_EAGER_COMMIT", "1"),
];

/// Re-executes this binary with those of [`MIMALLOC_SETTINGS`] the user has not set, when there
/// are any; returns only when it cannot (the binary then runs with mimalloc's defaults).
fn with_allocator_settings() {
    let missing: Vec<(&str, &str)> = MIMALLOC_SETTINGS
        .iter()
        .copied()
        .filter(|(k, _)| std::env::var_os(k).is_none())
        .collect();
    if missing.is_empty() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(exe);
    cmd.args(std::env::args_os().skip(1));
    if let Some(arg0) = std::env::args_os().next() {
        cmd.arg0(arg0);
    }
    cmd.envs(missing);
    // `exec` returns only on failure.
    let _ = cmd.exec();
}

fn main() {
    with_allocator_settings();
    // One pool of worker threads (rayon, shared with gemm), not two: see `model/par.rs`. Set before
    // candle reads it, when its first element-wise kernel runs.
    if std::env::var_os("CANDLE_NUM_THREADS").is_none() {
        std::env::set_var("CANDLE_NUM_THREADS", "1");
    }
    let cli = mkd_tui::cli::Cli::parse();
    std::process::exit(mkd_tui::cli::main(cli));
}
