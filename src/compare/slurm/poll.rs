//! Where each task stands: its run directory first (a finished report is the truth), then what
//! `scontrol show job` says about its Slurm job, then the exit file its batch script leaves.
//! (`sacct` is not used: it needs Slurm's accounting storage, which many clusters — and the test's
//! one-node cluster — run without; `scontrol` knows ended jobs for `MinJobAge`, 300 s by default.)

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;

use super::tasks::{JobRef, Task, TaskFile, FOLDER};
use crate::compare::folder::finished_report;
use crate::compare::UnfinishedTask;
use crate::run_dir::Report;

/// One task's standing.
#[derive(Debug, Clone)]
pub enum TaskStatus {
    /// The run finished: its report.
    Finished(Box<Report>),
    /// Not finished, and no submission is waiting or running: `pending`/`running` tasks have
    /// `active` true, the others ended (`cancelled`, `failed`, `gone`, `not submitted`, …).
    Unfinished(UnfinishedTask),
}

impl TaskStatus {
    /// Waiting for Slurm or running.
    pub fn active(&self) -> bool {
        matches!(self, TaskStatus::Unfinished(u) if u.active())
    }
}

/// What `scontrol` said about one array task.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    /// Slurm's job state, e.g. `PENDING`, `RUNNING`, `COMPLETED`, `CANCELLED`, `FAILED`.
    pub state: String,
    pub reason: Option<String>,
    /// `code:signal`.
    pub exit_code: Option<String>,
}

/// The records Slurm holds for the array jobs of `file`'s tasks, by (array job, task).
///
/// Errors: `scontrol` cannot be run or fails for another reason than an unknown (purged) job id;
/// the message names the command and carries its output.
pub fn query(file: &TaskFile) -> Result<HashMap<(u64, u32), JobRecord>, String> {
    let jobs: BTreeSet<u64> = file
        .tasks
        .iter()
        .filter_map(|t| t.job.as_ref().map(|j| j.array_job))
        .collect();
    let mut out = HashMap::new();
    for job in jobs {
        let o = Command::new("scontrol")
            .args(["-o", "show", "job", &job.to_string()])
            .output()
            .map_err(|e| format!("scontrol -o show job {job}: {e}"))?;
        let text = String::from_utf8_lossy(&o.stdout);
        let err = String::from_utf8_lossy(&o.stderr);
        if !o.status.success() {
            if err.contains("Invalid job id") {
                continue; // ended longer ago than MinJobAge: Slurm forgot it
            }
            return Err(format!(
                "scontrol -o show job {job}: {} {}",
                o.status,
                err.trim()
            ));
        }
        out.extend(parse_show_job(&text));
    }
    Ok(out)
}

/// Parse `scontrol -o show job` output (one `Key=Value …` line per record). A record of pending
/// tasks lists them together (`ArrayTaskId=2-5,7%2`); each gets its own entry. Lines of jobs that
/// are not arrays are skipped.
pub fn parse_show_job(text: &str) -> Vec<((u64, u32), JobRecord)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let field = |key: &str| {
            line.split_whitespace()
                .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
                .map(str::to_string)
        };
        let (Some(job), Some(tasks), Some(state)) = (
            field("ArrayJobId").and_then(|j| j.parse::<u64>().ok()),
            field("ArrayTaskId"),
            field("JobState"),
        ) else {
            continue;
        };
        let record = JobRecord {
            state,
            reason: field("Reason").filter(|r| r != "None"),
            exit_code: field("ExitCode"),
        };
        for task in expand_task_ids(&tasks) {
            out.push(((job, task), record.clone()));
        }
    }
    out
}

/// `0-3,7%2` → 0, 1, 2, 3, 7 (`%N` is a throttle; `a-b:s` a step).
fn expand_task_ids(spec: &str) -> Vec<u32> {
    let spec = spec.split('%').next().unwrap_or("");
    let mut out = Vec::new();
    for part in spec.split(',') {
        let (range, step) = match part.split_once(':') {
            Some((r, s)) => (r, s.parse::<u32>().unwrap_or(1).max(1)),
            None => (part, 1),
        };
        match range.split_once('-') {
            Some((a, b)) => {
                if let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) {
                    out.extend((a..=b).step_by(step as usize));
                }
            }
            None => out.extend(range.parse::<u32>().ok()),
        }
    }
    out
}

/// The exit file the batch script writes after `mkd-tui run` returns:
/// `slurm/exit/<array job>_<task>` holding the exit code.
pub fn exit_file(out: &Path, job: &JobRef) -> std::path::PathBuf {
    out.join(FOLDER).join("exit").join(job.id())
}

/// Where `task` stands, from its run directory, Slurm's `records` and its exit file.
pub fn status(out: &Path, task: &Task, records: &HashMap<(u64, u32), JobRecord>) -> TaskStatus {
    if let Some(report) = finished_report(&task.run_dir) {
        return TaskStatus::Finished(Box::new(report));
    }
    let unfinished = |state: &str, exit_code: Option<String>, reason: Option<String>| {
        // The log of a task that ended without starting does not exist: none is shown.
        let log = task
            .job
            .as_ref()
            .map(|j| j.log.clone())
            .filter(|l| matches!(state, "pending" | "running") || l.exists());
        TaskStatus::Unfinished(UnfinishedTask {
            label: task.label.clone(),
            seed: task.seed,
            state: state.to_string(),
            job: task.job.as_ref().map(JobRef::id),
            exit_code,
            reason,
            log,
            run_dir: task.run_dir.clone(),
        })
    };
    let Some(job) = &task.job else {
        return unfinished("not submitted", None, None);
    };
    let ended = |state: &str, exit_code: Option<String>, reason: Option<String>| {
        // It may have finished between the look at its folder and the look at Slurm.
        match finished_report(&task.run_dir) {
            Some(report) => TaskStatus::Finished(Box::new(report)),
            None => unfinished(state, exit_code, reason),
        }
    };
    match records.get(&(job.array_job, job.array_task)) {
        Some(r) => match r.state.as_str() {
            "PENDING" | "CONFIGURING" | "REQUEUED" | "REQUEUE_HOLD" | "REQUEUE_FED" | "RESV_DEL_HOLD"
            | "SUSPENDED" | "RESIZING" => unfinished("pending", None, r.reason.clone()),
            "RUNNING" | "COMPLETING" | "STAGE_OUT" | "SIGNALING" => {
                unfinished("running", None, None)
            }
            other => ended(
                &other.to_lowercase(),
                r.exit_code.clone(),
                r.reason.clone(),
            ),
        },
        None => match std::fs::read_to_string(exit_file(out, job)) {
            Ok(code) => ended("ended", Some(code.trim().to_string()), None),
            Err(_) => ended(
                "gone",
                None,
                Some(
                    "not in Slurm's records (cancelled before it started, or ended longer ago than MinJobAge) and the run did not finish"
                        .into(),
                ),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_tasks_listed_together_get_one_entry_each() {
        let text = "JobId=12 ArrayJobId=12 ArrayTaskId=2-3,5%2 JobName=x JobState=PENDING Reason=Dependency ExitCode=0:0\n\
                    JobId=14 ArrayJobId=12 ArrayTaskId=1 JobName=x JobState=CANCELLED Reason=None ExitCode=0:15\n\
                    JobId=20 JobName=plain JobState=RUNNING\n";
        let parsed = parse_show_job(text);
        let ids: Vec<(u64, u32)> = parsed.iter().map(|(k, _)| *k).collect();
        assert_eq!(ids, [(12, 2), (12, 3), (12, 5), (12, 1)]);
        assert_eq!(parsed[0].1.reason.as_deref(), Some("Dependency"));
        assert_eq!(
            parsed[3].1,
            JobRecord {
                state: "CANCELLED".into(),
                reason: None,
                exit_code: Some("0:15".into())
            }
        );
        assert_eq!(expand_task_ids("0-6:3"), [0, 3, 6]);
    }
}
