//! The command line: `mkd-tui [PRESET]`, `run`, `check`, `compare`, `presets`, `bench`, `resume`, `ls`, `attach`,
//! `stop-replay`, `export`, `predict`.

mod args;
mod attach;
mod bench;
mod check;
mod check_planner;
mod closed_output;
mod compare;
mod compare_args_check;
mod compare_slurm;
mod compare_view;
mod detach;
mod device;
mod exit;
mod export;
mod list_presets;
mod loaded_model;
mod ls;
mod ls_comparisons;
mod output;
mod predict;
mod resume;
mod run;
mod run_model;
mod stop_replay;

pub use args::{Cli, CliCommand};
pub use exit::ExitCode;

/// Run the parsed command line; returns the process exit code.
pub fn main(cli: Cli) -> i32 {
    if only_prints(&cli) {
        closed_output::end_quietly_on_closed_output();
    }
    let result = match cli.command {
        Some(CliCommand::Run(args)) => run::run(&args),
        Some(CliCommand::Check(args)) => check::check(&args),
        Some(CliCommand::Compare(args)) => compare::compare(&args),
        Some(CliCommand::Presets { dir }) => list_presets::list(&dir),
        Some(CliCommand::Bench(args)) => bench::bench(&args),
        Some(CliCommand::Export(args)) => export::export(&args),
        Some(CliCommand::Predict(args)) => predict::predict(&args),
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

/// The commands that own no run and no socket, so a closed output may end them (see
/// `closed_output`); bench's children measure only and report to their parent.
fn only_prints(cli: &Cli) -> bool {
    matches!(
        cli.command,
        Some(
            CliCommand::Check(_)
                | CliCommand::Presets { .. }
                | CliCommand::Bench(_)
                | CliCommand::Export(_)
                | CliCommand::Predict(_)
                | CliCommand::Ls { .. }
                | CliCommand::StopReplay { .. }
        )
    )
}
