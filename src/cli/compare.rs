//! `mkd-tui compare PRESET`: train the preset's student by several strategies over several seeds,
//! headless, and write `compare.md` and `compare.json`.

use std::io::{IsTerminal as _, Write};
use std::path::{Path, PathBuf};

use super::args::{CompareArgs, Executor};
use super::compare_view::OwnerScreen;
use super::output::TerminalOrLog;
use super::ExitCode;
use crate::compare::{self, CompareTable, Entry, RunRow};
use crate::headless::{self, HeadlessExit};
use crate::planner::Strategy;
use crate::protocol::ArmKind;
use crate::run_dir::{Report, RunDir};
use crate::session::{self, Plan};

/// Run the comparison; every run's directory is `<out>/seed-<s>/<strategy>/` with its console
/// lines in `console.log`. The table is rewritten after every run, so an interrupted comparison
/// keeps what finished, and the same command with the same `--out` continues it. After a hangup
/// the progress lines go on in `<out>/compare.log`.
pub fn compare(args: &CompareArgs) -> anyhow::Result<ExitCode> {
    if let Some(code) = super::compare_args_check::refuse_misplaced(args) {
        return Ok(code);
    }
    if let Some(dir) = &args.collect {
        return super::compare_slurm::collect(dir, args);
    }
    let preset_path = args
        .preset
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("a preset is needed without --collect"))?;
    let overrides = match super::device::with_device(&args.set, args.device) {
        Ok(o) => o,
        Err(line) => {
            eprintln!("{line}");
            return Ok(ExitCode::BadInput);
        }
    };
    let loaded = match crate::preset::load(preset_path, &overrides) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::BadInput);
        }
    };
    let preset = loaded.preset;
    let strategies = args.strategies.clone().unwrap_or_else(|| {
        let fixed = "scratch,kd,takd,dgkd";
        match preset.planner {
            Some(_) => format!("{fixed},dynamic"),
            None => fixed.to_string(),
        }
    });
    let entries = match compare::parse_entries(&strategies) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("mkd-tui: {e}");
            return Ok(ExitCode::BadInput);
        }
    };
    let needs_ladder: Vec<&str> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Strategy(Strategy::Dynamic) => Some("dynamic"),
            Entry::TakdEach => Some("takd-each"),
            _ => None,
        })
        .collect();
    if preset.planner.is_none() && !needs_ladder.is_empty() {
        eprintln!(
            "mkd-tui: {}: strategy {} needs a `planner:` section with a `ladder` (see presets/fashion-dynamic.yaml)",
            preset_path.display(),
            needs_ladder.join(" and ")
        );
        return Ok(ExitCode::BadInput);
    }
    if args.seeds == 0 {
        eprintln!("mkd-tui: --seeds: expected at least 1");
        return Ok(ExitCode::BadInput);
    }
    let seeds: Vec<u64> = (0..args.seeds as u64).map(|i| preset.seed + i).collect();
    let mut all_arms = Vec::new();
    for &seed in &seeds {
        match compare::arms(&preset, &entries, seed) {
            Ok(a) => all_arms.push((seed, a)),
            Err(e) => {
                eprintln!("mkd-tui: {}: {e}", preset_path.display());
                return Ok(ExitCode::BadInput);
            }
        }
    }
    let order: Vec<String> = all_arms
        .first()
        .map(|(_, a)| a.iter().map(|x| x.label.clone()).collect())
        .unwrap_or_default();
    let teacher_shared = !args.no_shared_teacher;
    let identity = compare::folder::Identity::new(&preset, &order, &seeds, teacher_shared);
    let claim = match compare::folder::claim(args.out.as_deref(), &identity) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("mkd-tui: {e}");
            return Ok(ExitCode::BadInput);
        }
    };
    let out = claim.path.clone();
    // One process works on a comparison folder at a time; readers (its screen, `attach`) see
    // from this lock whether the comparison is still going on.
    let lock = match crate::run_dir::RunLock::acquire(&out) {
        Ok(lock) => lock,
        Err(crate::run_dir::LockError::Held { pid, .. }) => {
            eprintln!(
                "mkd-tui: {}: another mkd-tui process (pid {pid}) is running this comparison; watch it with `mkd-tui attach {}`",
                out.display(),
                out.display()
            );
            return Ok(ExitCode::BadInput);
        }
        Err(e) => {
            eprintln!("mkd-tui: {e}");
            return Ok(ExitCode::Failure);
        }
    };
    if args.detach && args.executor == Executor::Local {
        // Refused above if another process has the folder; the background process takes the lock.
        drop(lock);
        return super::detach::start_comparison(args, &out);
    }
    // SIGHUP (the SSH connection dropped) is no stop: the lines go on in compare.log. SIGINT,
    // SIGTERM stop the running run after its current batch (its loop selects on them); a second
    // one leaves at once. Nothing here writes to a terminal that may be gone.
    let signals = crate::signals::listen(|| {});
    // In a terminal the comparison's screen shows the progress (on a thread of its own) and the
    // lines go to compare.log only; closed on every way out of this function.
    let screen = (!args.headless
        && !args.detach
        && std::io::stdout().is_terminal()
        && std::io::stdin().is_terminal())
    .then(|| ScreenGuard(Some(OwnerScreen::open(out.clone()))));
    let mut say: Box<dyn Write> = match screen {
        Some(_) => Box::new(LogOnly(out.join("compare.log"))),
        None => Box::new(TerminalOrLog::new(out.join("compare.log"))),
    };
    if claim.continued && !args.prepared {
        let _ = writeln!(
            say,
            "mkd-tui: continuing the comparison in {}: finished runs are kept, the others redone",
            out.display()
        );
    }
    if let Some(refusal) = super::compare_slurm::still_on_slurm(&out, args.executor) {
        let _ = writeln!(say, "mkd-tui: {refusal}");
        return Ok(ExitCode::BadInput);
    }
    if args.executor == Executor::Slurm {
        let comparison = super::compare_slurm::Comparison {
            preset: &preset,
            all_arms: &all_arms,
            order: &order,
            seeds: &seeds,
            teacher_shared,
        };
        return super::compare_slurm::submit_and_wait(args, &out, &comparison, &mut say, &signals);
    }
    let mut rows: Vec<RunRow> = Vec::new();
    let write = |rows: &[RunRow]| -> anyhow::Result<CompareTable> {
        let mut table = CompareTable::new(
            &preset.name,
            preset.data.dataset.as_str(),
            seeds.clone(),
            teacher_shared,
            &order,
            rows.to_vec(),
        );
        table.teacher_file = preset.chain.teacher.weights.clone();
        let sizes = rows.iter().find_map(|r| r.sizes);
        table.settings = Some(compare::Settings::new(&preset, &seeds, sizes));
        compare::write::write_all(&out, &table)?;
        Ok(table)
    };
    let total: usize = all_arms.iter().map(|(_, a)| a.len()).sum();
    let mut done = 0;
    for (seed, arms) in &all_arms {
        let mut teacher: Option<PathBuf> = None;
        for arm in arms {
            done += 1;
            let mut p = arm.preset.clone();
            let reused = teacher_shared
                && arm.strategy != Strategy::Scratch
                && p.chain.teacher.weights.is_none()
                && teacher.is_some();
            if reused {
                p.chain.teacher.weights = teacher.clone();
            }
            let dir = out.join(format!("seed-{seed}")).join(&arm.dir);
            let teacher_name = p.nodes()[0].0.clone();
            let kept = if claim.continued {
                compare::folder::finished_report(&dir)
            } else {
                None
            };
            let (report, run_dir) = match kept {
                Some(report) => {
                    let _ = writeln!(
                        say,
                        "[compare {done}/{total}] seed {seed} {}: kept (finished in {})",
                        arm.label,
                        dir.display()
                    );
                    (report, RunDir::open(&dir)?)
                }
                None => {
                    if dir.exists() {
                        // Unfinished (killed, stopped, failed): redone from the start.
                        std::fs::remove_dir_all(&dir)
                            .map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
                    }
                    let run_dir =
                        RunDir::create(Some(&dir), Path::new("runs"), &p.name, chrono::Utc::now())?;
                    let _ = writeln!(
                        say,
                        "[compare {done}/{total}] seed {seed} {}: running in {}",
                        arm.label,
                        dir.display()
                    );
                    // Held while the run trains, as `run` holds it: readers (`ls`, `attach`, the
                    // comparison's screen) judge a `running` run alive by its lock.
                    let run_lock = crate::run_dir::RunLock::acquire(&dir)?;
                    let (link, worker) = session::spawn(Plan::new(&p), run_dir.clone())?;
                    // The run's control socket, as `run` serves it: a viewer opened from the
                    // comparison's screen (or `attach`) steers the run (pause, stop KD, X stops
                    // it — and with it the comparison, as Ctrl-C does).
                    let socket =
                        crate::control_socket::serve(&run_dir.socket_path(), link.commands.clone())
                            .ok();
                    let link = match &socket {
                        Some(server) => super::run::tap_progress(link, server.viewers()),
                        None => link,
                    };
                    let mut log = std::fs::File::create(dir.join("console.log"))?;
                    let exit = headless::run_with_signals(link, &mut log, &[], 0.0, &signals);
                    let _ = worker.join();
                    drop(socket);
                    drop(run_lock);
                    match exit {
                        HeadlessExit::Finished => {}
                        HeadlessExit::Aborted => {
                            write(&rows)?;
                            let _ = writeln!(
                                say,
                                "mkd-tui: comparison stopped; finished runs are in {}; the same \
                                 command with --out {} continues it",
                                out.display(),
                                out.display()
                            );
                            return Ok(ExitCode::Aborted);
                        }
                        HeadlessExit::Failed(e) => {
                            write(&rows)?;
                            let _ =
                                writeln!(say, "mkd-tui: {} (seed {seed}) failed: {e}", arm.label);
                            return Ok(ExitCode::Failure);
                        }
                    }
                    let report: Report =
                        serde_json::from_slice(&std::fs::read(dir.join("report.json"))?)?;
                    (report, run_dir)
                }
            };
            let teacher_ckpt = run_dir.checkpoint_path(&teacher_name, ArmKind::Scratch, true);
            let Some(row) = RunRow::from_report(&arm.label, *seed, &report, reused, dir.clone())
            else {
                anyhow::bail!("{}: the report has no student", dir.display());
            };
            let _ = writeln!(
                say,
                "[compare {done}/{total}] seed {seed} {}: test {:.2}% (best val {:.2}% at epoch {}), {:.1}s{}",
                arm.label,
                row.test_acc,
                row.best_val_acc,
                row.best_epoch,
                row.wall_seconds,
                if row.probe_epochs > 0 {
                    format!(", {} probe epochs", row.probe_epochs)
                } else {
                    String::new()
                }
            );
            rows.push(row);
            write(&rows)?;
            if teacher.is_none() && arm.strategy != Strategy::Scratch && teacher_ckpt.is_file() {
                teacher = Some(teacher_ckpt);
            }
        }
    }
    let table = write(&rows)?;
    drop(screen);
    if !crate::signals::hung_up() {
        let _ = writeln!(std::io::stdout(), "{}", table.to_markdown());
    }
    let _ = writeln!(say, "mkd-tui: comparison in {}", out.display());
    Ok(ExitCode::Success)
}

/// Closes the comparison's screen when `compare` returns, whichever way: it says the comparison
/// has ended and waits for the person to leave the screen, then says where things stand.
struct ScreenGuard(Option<OwnerScreen>);

impl Drop for ScreenGuard {
    fn drop(&mut self) {
        if let Some(screen) = self.0.take() {
            screen.close();
        }
    }
}

/// Lines appended to a log file only (the screen has the terminal).
struct LogOnly(PathBuf);

impl Write for LogOnly {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.0)?
            .write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
