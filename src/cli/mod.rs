//! The command line: `mkd-tui [PRESET]`, `run`, `check`, `compare`, `presets`, `bench`, `resume`, `ls`, `attach`,
//! `stop-replay`.

mod args;
mod attach;
mod bench;
mod check;
mod check_planner;
mod compare;
mod detach;
mod device;
mod exit;
mod list_presets;
mod ls;
mod output;
mod resume;
mod run;
mod stop_replay;

pub use args::{Cli, CliCommand};
pub use exit::ExitCode;

/// Run the parsed command line; returns the process exit code.
pub fn main(cli: Cli) -> i32 {
    let result = match cli.command {
        Some(CliCommand::Run(args)) => run::run(&args),
        Some(CliCommand::Check(args)) => check::check(&args),
        Some(CliCommand::Compare(args)) => compare::compare(&args),
        Some(CliCommand::Presets { dir }) => list_presets::list(&dir),
        Some(CliCommand::Bench(args)) => bench::bench(&args),
        Some(CliCommand::Resume(args)) => resume::resume(&args),
        Some(CliCommand::Ls { runs }) => ls::list(&runs),
        Some(CliCommand::StopReplay { paths, set }) => stop_replay::stop_replay(&paths, &set),
        Some(CliCommand::Attach { run_dir, runs }) => attach::attach(run_dir.as_deref(), &runs),
        None => run::run(&args::RunArgs {
            preset: cli.preset.unwrap_or_else(args::default_preset),
            headless: false,
            out: None,
            set: cli.set,
            device: None,
            detach: false,
            prepared: false,
        }),
    };
    match result {
        Ok(code) => code.into(),
        Err(e) => {
            eprintln!("mkd-tui: {e:#}");
            ExitCode::Failure.into()
        }
    }
}
