//! `compare` options that only mean something with Slurm: given without it they would be ignored
//! silently (a local comparison trained while `--slurm-args "--time=1"` was believed to apply), so
//! they are refused. Clap cannot say "needs --executor slurm" (a condition on another option's
//! value), hence this check; `--collect`'s conflicts are clap's (args.rs).

use super::args::{CompareArgs, Executor};
use super::ExitCode;

/// Seconds between two looks at a Slurm comparison when `--slurm-poll` is not given.
pub const DEFAULT_SLURM_POLL_S: f64 = 10.0;

/// The first Slurm option given without `--executor slurm` (nor `--collect`, for
/// `--slurm-poll`), as the line to print.
pub fn misplaced_slurm_option(args: &CompareArgs) -> Option<String> {
    if args.executor == Executor::Slurm {
        return None;
    }
    let needs = |option: &str| Some(format!("mkd-tui compare: {option} needs --executor slurm"));
    if args.slurm_args.is_some() {
        return needs("--slurm-args");
    }
    if args.slurm_exe.is_some() {
        return needs("--slurm-exe");
    }
    if args.slurm_poll.is_some() && args.collect.is_none() {
        return Some(
            "mkd-tui compare: --slurm-poll needs --executor slurm or --collect DIR".to_string(),
        );
    }
    None
}

/// Print the refusal and return exit code 2 when an option is misplaced (see the module).
pub fn refuse_misplaced(args: &CompareArgs) -> Option<ExitCode> {
    let line = misplaced_slurm_option(args)?;
    eprintln!("{line}");
    Some(ExitCode::BadInput)
}
