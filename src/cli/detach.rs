//! `mkd-tui run PRESET --detach`: the run in a background process of its own.

use std::os::unix::process::CommandExt as _;
use std::process::Stdio;

use super::args::RunArgs;
use super::ExitCode;
use crate::run_dir::RunDir;

/// Start this program again as `run PRESET --headless --out DIR` in a new session (`setsid`: a
/// closing terminal's SIGHUP does not reach it), stdin from /dev/null, stdout and stderr into
/// `DIR/run.log`; print where the run is and how to attach. The preset has been validated.
pub fn start(args: &RunArgs, run_dir: &RunDir) -> anyhow::Result<ExitCode> {
    let log_path = run_dir.log_path();
    let log = std::fs::File::create(&log_path)
        .map_err(|e| anyhow::anyhow!("{}: {e}", log_path.display()))?;
    let exe = std::env::current_exe()?;
    let mut command = std::process::Command::new(exe);
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
    command
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    // SAFETY: setsid is async-signal-safe, the only call made between fork and exec.
    unsafe {
        command.pre_exec(|| {
            if libc::setsid() == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = command.spawn()?;
    let dir = run_dir.path().display();
    println!("run directory {dir}");
    println!("pid {}, log {}", child.id(), log_path.display());
    println!("watch and steer: mkd-tui attach {dir}");
    println!("list runs:       mkd-tui ls");
    Ok(ExitCode::Success)
}
