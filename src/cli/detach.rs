//! `mkd-tui run PRESET --detach` and `mkd-tui compare PRESET --detach`: the work in a background
//! process of its own.

use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::Stdio;

use super::args::{CompareArgs, RunArgs};
use super::ExitCode;
use crate::run_dir::RunDir;

/// Start this program again as `run PRESET --headless --out DIR` in a new session (`setsid`: a
/// closing terminal's SIGHUP does not reach it), stdin from /dev/null, stdout and stderr into
/// `DIR/run.log`; print where the run is and how to attach. The preset has been validated.
pub fn start(args: &RunArgs, run_dir: &RunDir) -> anyhow::Result<ExitCode> {
    let log_path = run_dir.log_path();
    let log = std::fs::File::create(&log_path)
        .map_err(|e| anyhow::anyhow!("{}: {e}", log_path.display()))?;
    let mut command = background(&log)?;
    command
        .arg("run")
        .arg(&args.preset)
        .arg("--headless")
        .arg("--out")
        .arg(run_dir.path())
        .arg("--prepared");
    if let Some(device) = args.device {
        command.arg("--device").arg(device.to_string());
    }
    for set in &args.set {
        command.arg("--set").arg(set);
    }
    let child = command.spawn()?;
    let dir = run_dir.path().display();
    println!("run directory {dir}");
    println!("pid {}, log {}", child.id(), log_path.display());
    println!("watch and steer: mkd-tui attach {dir}");
    println!("list runs:       {}", ls_command(run_dir.path()));
    Ok(ExitCode::Success)
}

/// Start this program again as `compare PRESET … --headless --out DIR` in a session of its own,
/// output in `DIR/compare.log`; print where the comparison is and how to watch it. `out` has been
/// claimed for this comparison (its `comparison.json` written).
pub fn start_comparison(args: &CompareArgs, out: &Path) -> anyhow::Result<ExitCode> {
    let log_path = out.join("compare.log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .map_err(|e| anyhow::anyhow!("{}: {e}", log_path.display()))?;
    let mut command = background(&log)?;
    command
        .arg("compare")
        .args(args.preset.iter())
        .arg("--seeds")
        .arg(args.seeds.to_string())
        .arg("--headless")
        .arg("--out")
        .arg(out)
        .arg("--prepared");
    if let Some(strategies) = &args.strategies {
        command.arg("--strategies").arg(strategies);
    }
    if args.no_shared_teacher {
        command.arg("--no-shared-teacher");
    }
    if let Some(device) = args.device {
        command.arg("--device").arg(device.to_string());
    }
    for set in &args.set {
        command.arg("--set").arg(set);
    }
    let mut child = command.spawn()?;
    // Return once the comparison holds its folder, so an `attach` right after sees it going on.
    let started = std::time::Instant::now();
    while !crate::compare::progress::live(out) {
        if let Some(status) = child.try_wait()? {
            eprintln!(
                "mkd-tui: the comparison's process ended at once ({status}); see {}",
                log_path.display()
            );
            return Ok(ExitCode::Failure);
        }
        if started.elapsed() > std::time::Duration::from_secs(30) {
            eprintln!(
                "mkd-tui: the comparison's process (pid {}) has not started within 30 s; see {}",
                child.id(),
                log_path.display()
            );
            return Ok(ExitCode::Failure);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let dir = out.display();
    println!("comparison folder {dir}");
    println!("pid {}, log {}", child.id(), log_path.display());
    println!("watch it:    mkd-tui attach {dir}");
    println!("continue it: the same command with --out {dir} (if it is stopped)");
    Ok(ExitCode::Success)
}

/// This program as a command in a new session (`setsid`: a closing terminal's SIGHUP does not
/// reach it), stdin from /dev/null, stdout and stderr into `log`.
fn background(log: &std::fs::File) -> anyhow::Result<std::process::Command> {
    let mut command = std::process::Command::new(std::env::current_exe()?);
    command
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log.try_clone()?);
    // SAFETY: setsid is async-signal-safe, the only call made between fork and exec.
    unsafe {
        command.pre_exec(|| {
            if libc::setsid() == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    Ok(command)
}

/// The `ls` that lists the run in `dir`: plain `mkd-tui ls` when `dir` is under `./runs` (its
/// default), else with `--runs` naming the folder that holds it.
fn ls_command(dir: &std::path::Path) -> String {
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let same = |a: &std::path::Path, b: &std::path::Path| {
        a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
    };
    if same(parent, std::path::Path::new("runs")) {
        "mkd-tui ls".to_string()
    } else {
        format!("mkd-tui ls --runs {}", parent.display())
    }
}

#[cfg(test)]
mod tests {
    use super::ls_command;
    use std::path::Path;

    #[test]
    fn the_ls_hint_names_a_runs_folder_other_than_the_default() {
        assert_eq!(ls_command(Path::new("runs/quick-1")), "mkd-tui ls");
        assert_eq!(
            ls_command(Path::new("/elsewhere/x")),
            "mkd-tui ls --runs /elsewhere"
        );
        assert_eq!(ls_command(Path::new("x")), "mkd-tui ls --runs .");
    }
}
