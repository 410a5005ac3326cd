//! `mkd-tui`: see `mkd-tui --help`.

use clap::Parser;

/// candle allocates a fresh buffer for every op's output; mimalloc reuses them without the page
/// faults and `madvise` calls glibc's malloc makes for large blocks (README: Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = mkd_tui::cli::Cli::parse();
    std::process::exit(mkd_tui::cli::main(cli));
}
