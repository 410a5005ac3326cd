//! `mkd-tui`: see `mkd-tui --help`.

use clap::Parser;

/// candle allocates a fresh buffer for every op's output; mimalloc reuses them without the page
/// faults and `madvise` calls glibc's malloc makes for large blocks (README: Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // One pool of worker threads (rayon, shared with gemm), not two: see `model/par.rs`. Set before
    // candle reads it, when its first element-wise kernel runs.
    if std::env::var_os("CANDLE_NUM_THREADS").is_none() {
        std::env::set_var("CANDLE_NUM_THREADS", "1");
    }
    let cli = mkd_tui::cli::Cli::parse();
    std::process::exit(mkd_tui::cli::main(cli));
}
