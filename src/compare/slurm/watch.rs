//! Waiting for a comparison's Slurm tasks: every poll reads the run directories and asks Slurm,
//! prints a line per task that finished or ended, and rewrites `compare.md`/`compare.json`.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use crossbeam_channel::Receiver;

use super::poll::{self, TaskStatus};
use super::tasks::TaskFile;
use crate::compare::{CompareTable, RunRow};
use crate::signals::Signal;

/// How the wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitEnd {
    /// Nothing is waiting or running: every task finished, or `unfinished` of them ended without.
    Done { unfinished: usize },
    /// SIGINT/SIGTERM: this process leaves, the tasks go on.
    Left,
}

/// The standing of every task of `file` (same indices).
///
/// Errors: Slurm cannot be asked ([`poll::query`]).
pub fn statuses(out: &Path, file: &TaskFile) -> Result<Vec<TaskStatus>, String> {
    let records = poll::query(file)?;
    Ok(file
        .tasks
        .iter()
        .map(|t| poll::status(out, t, &records))
        .collect())
}

/// The table of what stands now: a row per finished task (in the comparison's order), the others
/// in its "Tasks not finished" section.
pub fn table(file: &TaskFile, status: &[TaskStatus]) -> anyhow::Result<CompareTable> {
    let mut rows = Vec::new();
    let mut unfinished = Vec::new();
    for (task, s) in file.tasks.iter().zip(status) {
        match s {
            TaskStatus::Finished(report) => rows.push(
                RunRow::from_report(
                    &task.label,
                    task.seed,
                    report,
                    task.teacher_from.is_some(),
                    task.run_dir.clone(),
                )
                .ok_or_else(|| {
                    anyhow::anyhow!("{}: the report has no student", task.run_dir.display())
                })?,
            ),
            TaskStatus::Unfinished(u) => unfinished.push(u.clone()),
        }
    }
    let mut table = CompareTable::new(
        &file.preset,
        &file.dataset,
        file.seeds.clone(),
        file.teacher_shared,
        &file.order,
        rows,
    );
    table.teacher_file = file.teacher_file.clone();
    table.settings = file.settings.clone().map(|mut s| {
        // The split sizes come from a finished run's report, as in a local comparison.
        s.sizes = s.sizes.or(table.runs.iter().find_map(|r| r.sizes));
        s
    });
    table.unfinished = unfinished;
    Ok(table)
}

/// Write every file of the comparison's table (`compare.md`, `.json`, the CSVs, `compare.tex`,
/// `plots/`), each atomically (a reader never sees half a table).
pub fn write_table(out: &Path, table: &CompareTable) -> anyhow::Result<()> {
    // The same files as a local comparison: tables as Markdown, JSON, CSV and LaTeX, and charts.
    crate::compare::write::write_all(out, table)?;
    Ok(())
}

/// Poll every `every` until no task waits or runs (or a signal arrives), rewriting the table and
/// saying on `say` what changed. Returns the last table and how the wait ended.
///
/// Errors: Slurm cannot be asked, or the table cannot be written.
pub fn wait(
    out: &Path,
    file: &TaskFile,
    every: Duration,
    say: &mut dyn Write,
    signals: &Receiver<Signal>,
) -> anyhow::Result<(CompareTable, WaitEnd)> {
    let total = file.tasks.len();
    // What was last said of each task: its state and job, so a line comes once per change.
    let mut seen: Vec<Option<String>> = vec![None; total];
    loop {
        let status = statuses(out, file).map_err(anyhow::Error::msg)?;
        let table = table(file, &status)?;
        write_table(out, &table)?;
        let finished = status
            .iter()
            .filter(|s| matches!(s, TaskStatus::Finished(_)))
            .count();
        for (i, (task, s)) in file.tasks.iter().zip(&status).enumerate() {
            let key = match s {
                TaskStatus::Finished(_) => "finished".to_string(),
                TaskStatus::Unfinished(u) => format!("{} {:?}", u.state, u.job),
            };
            if seen[i].as_ref() == Some(&key) {
                continue;
            }
            seen[i] = Some(key);
            if let Some(line) = line(task, s, finished, total) {
                let _ = writeln!(say, "{line}");
            }
        }
        if !status.iter().any(TaskStatus::active) {
            let unfinished = total - finished;
            return Ok((table, WaitEnd::Done { unfinished }));
        }
        match signals.recv_timeout(every) {
            Ok(Signal::Terminate) => return Ok((table, WaitEnd::Left)),
            Ok(Signal::HangUp) | Err(_) => {}
        }
    }
}

/// The progress line of one task, `None` while it waits (a line per change of state otherwise).
fn line(
    task: &super::tasks::Task,
    status: &TaskStatus,
    finished: usize,
    total: usize,
) -> Option<String> {
    let job = task
        .job
        .as_ref()
        .map(|j| format!("Slurm job {}", j.id()))
        .unwrap_or_else(|| "not submitted".into());
    match status {
        TaskStatus::Finished(report) => {
            let row =
                RunRow::from_report(&task.label, task.seed, report, false, task.run_dir.clone())?;
            Some(format!(
                "[compare {finished}/{total}] seed {} {}: test {:.2}% (best val {:.2}% at epoch {}), {:.1}s ({job})",
                task.seed, task.label, row.test_acc, row.best_val_acc, row.best_epoch, row.wall_seconds
            ))
        }
        TaskStatus::Unfinished(u) if u.state == "pending" => None,
        TaskStatus::Unfinished(u) if u.state == "running" => Some(format!(
            "[compare] seed {} {}: running in {} ({job})",
            task.seed,
            task.label,
            task.run_dir.display()
        )),
        TaskStatus::Unfinished(u) => Some(format!(
            "[compare] seed {} {}: {}{}{} ({job}); log: {}",
            task.seed,
            task.label,
            u.state,
            u.exit_code
                .as_ref()
                .map(|c| format!(", exit code {c}"))
                .unwrap_or_default(),
            u.reason
                .as_ref()
                .map(|r| format!(", {r}"))
                .unwrap_or_default(),
            u.log
                .as_ref()
                .map(|l| l.display().to_string())
                .unwrap_or_else(|| "—".into())
        )),
    }
}
