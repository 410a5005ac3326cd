//! Submitting tasks: each task's preset file, one batch script per job array (`sbatch --array`),
//! the tasks that load a seed's shared teacher in their own array with
//! `--dependency=afterok:<teacher task>`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::poll::TaskStatus;
use super::tasks::{JobRef, TaskFile, FOLDER};
use crate::preset::Preset;

/// How the tasks are started.
#[derive(Debug, Clone)]
pub struct SubmitOptions {
    /// The `mkd-tui` each task runs: an absolute path, or a bare name looked up on the node's
    /// `PATH`.
    pub exe: PathBuf,
    /// More `sbatch` options for every array (`--partition=gpu --time=4:00:00`), after ours.
    pub sbatch_args: Vec<String>,
}

/// Submit every task of `file` that is neither finished nor waiting/running (`status`, index by
/// index): its unfinished run directory is removed, its preset (`presets`, same indices) written,
/// and it joins a job array. Tasks loading a teacher that has not finished wait for that task.
/// Records the submissions in `file` (the caller saves it) and returns the tasks submitted.
///
/// Errors, as a message: a file cannot be written or removed, `sbatch` fails (its output quoted).
pub fn submit(
    out: &Path,
    file: &mut TaskFile,
    presets: &[Preset],
    status: &[TaskStatus],
    options: &SubmitOptions,
) -> Result<Vec<usize>, String> {
    let redo: Vec<usize> = (0..file.tasks.len())
        .filter(|&i| matches!(&status[i], TaskStatus::Unfinished(u) if !u.active()))
        .collect();
    for &i in &redo {
        let task = &file.tasks[i];
        if task.run_dir.exists() {
            // Unfinished (failed, cancelled): redone from the start, as a local rerun does.
            std::fs::remove_dir_all(&task.run_dir)
                .map_err(|e| format!("{}: {e}", task.run_dir.display()))?;
        }
        if let Some(parent) = task.preset_file.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        let yaml = crate::run_dir::portable_preset_yaml(&presets[i]);
        crate::run_dir::atomic::write_atomic(
            &task.preset_file,
            yaml.as_bytes(),
            "writing a task's preset",
        )
        .map_err(|e| e.to_string())?;
    }
    let waits_for = |i: usize| {
        file.tasks[i]
            .teacher_from
            .filter(|&t| !matches!(status[t], TaskStatus::Finished(_)))
    };
    let free: Vec<usize> = redo
        .iter()
        .copied()
        .filter(|&i| waits_for(i).is_none())
        .collect();
    let mut dependent: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for &i in &redo {
        if let Some(t) = waits_for(i) {
            dependent.entry(t).or_default().push(i);
        }
    }
    if !free.is_empty() {
        submit_array(out, file, &free, None, options)?;
    }
    for (teacher, group) in dependent {
        let after = file.tasks[teacher]
            .job
            .as_ref()
            .map(JobRef::id)
            .ok_or_else(|| {
                format!(
                    "{}: teacher task was never submitted",
                    file.tasks[teacher].run_dir.display()
                )
            })?;
        submit_array(out, file, &group, Some(&after), options)?;
    }
    Ok(redo)
}

/// Write a batch script for `indices` and submit it as one array (task k runs `indices[k]`),
/// waiting for the task `after` if given.
fn submit_array(
    out: &Path,
    file: &mut TaskFile,
    indices: &[usize],
    after: Option<&str>,
    options: &SubmitOptions,
) -> Result<u64, String> {
    let slurm = out.join(FOLDER);
    for sub in ["scripts", "logs", "exit"] {
        let d = slurm.join(sub);
        std::fs::create_dir_all(&d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    let script_path = next_script(&slurm.join("scripts"));
    let script = batch_script(out, file, indices, options);
    std::fs::write(&script_path, script).map_err(|e| format!("{}: {e}", script_path.display()))?;
    let mut cmd = Command::new("sbatch");
    cmd.arg("--parsable")
        .arg(format!("--array=0-{}", indices.len() - 1))
        .arg(format!("--job-name=mkd-{}", file.preset))
        .arg(format!(
            "--output={}",
            slurm.join("logs").join("%A_%a.log").display()
        ));
    if let Some(after) = after {
        // A failed teacher cancels the tasks waiting for it instead of leaving them pending.
        cmd.arg(format!("--dependency=afterok:{after}"))
            .arg("--kill-on-invalid-dep=yes");
    }
    cmd.args(&options.sbatch_args).arg(&script_path);
    let o = cmd
        .output()
        .map_err(|e| format!("sbatch: {e} (is Slurm's client installed?)"))?;
    let stdout = String::from_utf8_lossy(&o.stdout);
    if !o.status.success() {
        return Err(format!(
            "sbatch {}: {} {}",
            script_path.display(),
            o.status,
            String::from_utf8_lossy(&o.stderr).trim()
        ));
    }
    // `--parsable`: `<job id>` or `<job id>;<cluster>`.
    let job: u64 = stdout
        .trim()
        .split(';')
        .next()
        .and_then(|j| j.parse().ok())
        .ok_or_else(|| {
            format!(
                "sbatch {}: expected a job id, got `{}`",
                script_path.display(),
                stdout.trim()
            )
        })?;
    for (k, &i) in indices.iter().enumerate() {
        file.tasks[i].job = Some(JobRef {
            array_job: job,
            array_task: k as u32,
            log: slurm.join("logs").join(format!("{job}_{k}.log")),
        });
    }
    Ok(job)
}

/// `scripts/array-<n>.sh`, the first `n` not taken.
fn next_script(dir: &Path) -> PathBuf {
    (1..)
        .map(|n| dir.join(format!("array-{n}.sh")))
        .find(|p| !p.exists())
        .expect("some number is free")
}

/// The batch script: task k of the array runs `mkd-tui run <preset> --headless --out <run dir>`
/// of `indices[k]`, then leaves its exit code in `slurm/exit/<array job>_<k>` (what collects it
/// once Slurm has forgotten the job).
fn batch_script(out: &Path, file: &TaskFile, indices: &[usize], options: &SubmitOptions) -> String {
    let q = |p: &Path| shell_quote(&p.display().to_string());
    let mut s = String::from("#!/bin/bash\n");
    let _ = writeln!(
        s,
        "# mkd-tui compare: {} tasks of the comparison in {}",
        indices.len(),
        out.display()
    );
    let _ = writeln!(s, "case \"$SLURM_ARRAY_TASK_ID\" in");
    for (k, &i) in indices.iter().enumerate() {
        let t = &file.tasks[i];
        let _ = writeln!(
            s,
            "  {k}) preset={} out={} ;; # seed {} {}",
            q(&t.preset_file),
            q(&t.run_dir),
            t.seed,
            t.label
        );
    }
    let _ = writeln!(
        s,
        "  *) echo \"no task $SLURM_ARRAY_TASK_ID\" >&2; exit 2 ;;\nesac"
    );
    let _ = writeln!(
        s,
        "{} run \"$preset\" --headless --out \"$out\"\ncode=$?",
        q(&options.exe)
    );
    let _ = writeln!(
        s,
        "echo \"$code\" > {}/\"${{SLURM_ARRAY_JOB_ID}}_${{SLURM_ARRAY_TASK_ID}}\"\nexit \"$code\"",
        q(&out.join(FOLDER).join("exit"))
    );
    s
}

/// `'…'` with embedded `'` escaped, for a POSIX shell.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}
