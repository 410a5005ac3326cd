//! The comparison's front ends: its screen while `compare` runs in a terminal, and `mkd-tui attach`
//! on a comparison folder (the screen in a terminal, progress lines without one).

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::ExitCode;
use crate::compare::{CellState, ComparisonProgress};
use crate::tui::compare_screen::{self, Hooks, Role};

/// How often the follower without a terminal reads the folder.
const FOLLOW_EVERY: Duration = Duration::from_secs(1);

/// `mkd-tui attach DIR` where `DIR` holds a comparison: its screen in a terminal (`q` leaves, the
/// comparison goes on), else one line per run as it starts and ends until the comparison is over,
/// then the table. Exit code without a terminal: 0 when every run finished, 1 when one failed, 130
/// when the comparison stopped before the end.
pub fn attach(dir: &Path) -> anyhow::Result<ExitCode> {
    if let Err(e) = ComparisonProgress::read(dir) {
        eprintln!("mkd-tui: {e}");
        return Ok(ExitCode::BadInput);
    }
    if std::io::stdout().is_terminal() {
        let folder = dir.to_path_buf();
        let age = folder_age(dir);
        let opened = Instant::now();
        let read = || ComparisonProgress::read(&folder);
        let clock = || age + opened.elapsed().as_secs_f64();
        let hooks = Hooks {
            read: &read,
            ended: &|| false,
            stop: &|| {},
            clock: &clock,
        };
        compare_screen::run(dir, Role::Viewer, &hooks, &mut |run| {
            super::attach::open_viewer(run).map(|_| ())
        })?;
        eprintln!(
            "mkd-tui: left the comparison's screen; {}",
            state_words(&ComparisonProgress::read(dir).map_err(anyhow::Error::msg)?)
        );
        return Ok(ExitCode::Success);
    }
    Ok(follow(dir, &mut std::io::stderr()))
}

/// Print each run's news until the comparison is settled, then each strategy's mean.
fn follow(dir: &Path, out: &mut dyn std::io::Write) -> ExitCode {
    let mut seen: Vec<Option<String>> = Vec::new();
    loop {
        let Ok(progress) = ComparisonProgress::read(dir) else {
            return ExitCode::Failure;
        };
        let cells: Vec<(String, &crate::compare::Cell)> = progress
            .rows
            .iter()
            .flat_map(|r| r.cells.iter().map(move |c| (r.label.clone(), c)))
            .collect();
        seen.resize(cells.len(), None);
        let (done, all) = progress.done();
        for (i, (label, cell)) in cells.iter().enumerate() {
            let line = news(label, cell);
            if line.is_some() && line != seen[i] {
                let _ = writeln!(
                    out,
                    "[{done}/{all} done] {}",
                    line.as_deref().unwrap_or_default()
                );
                seen[i] = line;
            }
        }
        if progress.settled() {
            for row in &progress.rows {
                let _ = writeln!(out, "{}", mean_line(row));
            }
            let _ = writeln!(out, "mkd-tui: {}", state_words(&progress));
            let failed = cells
                .iter()
                .any(|(_, c)| matches!(c.state, CellState::Failed { .. }));
            return if failed {
                ExitCode::Failure
            } else if done == all {
                ExitCode::Success
            } else {
                ExitCode::Aborted
            };
        }
        std::thread::sleep(FOLLOW_EVERY);
    }
}

/// One line for a run that has started (or `None` while it is queued); epochs are left out, so a
/// run prints when it starts a model and when it ends.
fn news(label: &str, cell: &crate::compare::Cell) -> Option<String> {
    let what = match &cell.state {
        CellState::Queued => return None,
        CellState::Running { model, .. } => format!("training {model}"),
        CellState::Done { test_acc } => format!("student test {test_acc:.2}%"),
        CellState::Stopped => "stopped".into(),
        CellState::Failed { detail } => format!("FAILED: {detail}"),
    };
    Some(format!(
        "seed {} {label}: {what} ({})",
        cell.seed,
        cell.dir.display()
    ))
}

/// `kd: 90.40 ± 0.68 % (95 % CI, 5 seeds)`.
fn mean_line(row: &crate::compare::StrategyRow) -> String {
    match &row.test_acc {
        None => format!("{}: no finished run", row.label),
        Some(m) => match m.half_width {
            Some(h) => format!(
                "{}: {:.2} ± {:.2} % (95 % CI, {} seeds)",
                row.label, m.mean, h, m.n
            ),
            None => format!("{}: {:.2} % (1 seed)", row.label, m.mean),
        },
    }
}

/// Where the comparison stands, in words, with where its table is.
fn state_words(progress: &ComparisonProgress) -> String {
    let (done, all) = progress.done();
    let table = progress.folder.join("compare.md");
    if done == all {
        format!(
            "the comparison has finished ({all} runs); table: {}",
            table.display()
        )
    } else if progress.live {
        format!(
            "the comparison goes on ({done}/{all} runs done) in {}",
            progress.folder.display()
        )
    } else {
        format!(
            "the comparison is not running ({done}/{all} runs done); the same compare command with --out {} continues it",
            progress.folder.display()
        )
    }
}

/// Seconds since the comparison's folder was named (`comparison.json` written); for a comparison
/// that is over, how long it took (until its table was last written).
fn folder_age(dir: &Path) -> f64 {
    let modified = |file: &str| {
        std::fs::metadata(dir.join(file))
            .and_then(|m| m.modified())
            .ok()
    };
    let Some(named) = modified(crate::compare::folder::FILE) else {
        return 0.0;
    };
    let over = ComparisonProgress::read(dir).is_ok_and(|p| p.settled());
    let end = match modified("compare.json") {
        Some(t) if over => t,
        _ => std::time::SystemTime::now(),
    };
    end.duration_since(named).map_or(0.0, |d| d.as_secs_f64())
}

/// The screen of a comparison that runs in this process, on a thread of its own (the comparison
/// keeps the main thread). `q` asks to stop the comparison, which the screen does by raising
/// SIGINT: the comparison stops exactly as on Ctrl-C without a screen.
pub struct OwnerScreen {
    folder: PathBuf,
    ended: Arc<AtomicBool>,
    thread: Option<JoinHandle<anyhow::Result<()>>>,
}

impl OwnerScreen {
    /// Open the screen over the comparison in `folder`.
    pub fn open(folder: PathBuf) -> OwnerScreen {
        let ended = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&ended);
        let screen_folder = folder.clone();
        let thread = std::thread::Builder::new()
            .name("compare-screen".into())
            .spawn(move || {
                let opened = Instant::now();
                let folder = screen_folder;
                let read = || ComparisonProgress::read(&folder);
                let ended = || flag.load(Ordering::SeqCst);
                let clock = || opened.elapsed().as_secs_f64();
                let stop = || {
                    // SAFETY: raise only sends a signal to this process; signal-hook's handler
                    // (installed by `compare`) turns it into the comparison's stop.
                    unsafe {
                        libc::raise(libc::SIGINT);
                    }
                };
                let hooks = Hooks {
                    read: &read,
                    ended: &ended,
                    stop: &stop,
                    clock: &clock,
                };
                let left = compare_screen::run(&folder, Role::Owner, &hooks, &mut |run| {
                    super::attach::open_viewer(run).map(|_| ())
                });
                if left.is_ok() && !ended() {
                    // The person left while the stop waits for the run's batch: a second SIGINT
                    // ends the process now, as a second Ctrl-C does (the terminal is back).
                    stop();
                }
                left
            })
            .ok();
        OwnerScreen {
            folder,
            ended,
            thread,
        }
    }

    /// Tell the screen the comparison has ended and wait until the person leaves it. A screen
    /// that failed (its terminal went away) has nothing to wait for.
    pub fn close(mut self) {
        self.ended.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            if let Ok(Err(e)) = t.join() {
                crate::signals::say(&format!("mkd-tui: the comparison's screen: {e}"));
            }
        }
        // The screen is gone: what it showed last, in words, for the terminal.
        if let Ok(progress) = ComparisonProgress::read(&self.folder) {
            let (done, all) = progress.done();
            for row in &progress.rows {
                for cell in &row.cells {
                    if let CellState::Failed { detail } = &cell.state {
                        crate::signals::say(&format!(
                            "mkd-tui: seed {} {} failed: {detail}",
                            cell.seed, row.label
                        ));
                    }
                }
            }
            let on_slurm = progress
                .rows
                .iter()
                .flat_map(|r| &r.cells)
                .any(|c| c.slurm.is_some());
            if done < all && on_slurm && progress.live {
                crate::signals::say(&format!(
                    "mkd-tui: left with {done}/{all} runs done; the Slurm tasks go on: `mkd-tui attach {dir}` shows the table, `mkd-tui compare --collect {dir}` writes it when they end (scancel cancels them)",
                    dir = self.folder.display()
                ));
            } else if done < all {
                crate::signals::say(&format!(
                    "mkd-tui: the comparison stopped with {done}/{all} runs done; the same compare command with --out {} continues it",
                    self.folder.display()
                ));
            }
        }
    }
}
