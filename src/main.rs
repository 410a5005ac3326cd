//! `mkd-tui`: see `mkd-tui --help`.

use clap::Parser;

fn main() {
    let cli = mkd_tui::cli::Cli::parse();
    std::process::exit(mkd_tui::cli::main(cli));
}
