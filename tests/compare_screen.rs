//! The comparison's screen on a `TestBackend`: a table of strategies × seeds in every run state,
//! the mean and 95 % interval per strategy, what the keys do (owner and viewer), and the loop
//! driven by scripted keys. Snapshots at 80×24 and 160×48.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crossbeam_channel::unbounded;
use mkd_tui::compare::{Cell, CellState, ComparisonProgress, StrategyRow};
use mkd_tui::tui::compare_screen::{self, Action, CompareScreen, Exit, Hooks, Role};
use mkd_tui::tui::{Input, Key};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn cell(root: &Path, seed: u64, label: &str, state: CellState) -> Cell {
    Cell {
        seed,
        dir: root.join(format!("seed-{seed}")).join(label),
        state,
        slurm: None,
    }
}

/// Three strategies × three seeds: scratch done, kd two done and one training its student,
/// takd one failed, one stopped, one queued.
fn progress(root: &Path) -> ComparisonProgress {
    let running = CellState::Running {
        model: "student".into(),
        stage: 2,
        stages: 2,
        epoch: 4,
        epochs: 10,
    };
    ComparisonProgress {
        folder: root.to_path_buf(),
        preset: "mnist-cnn".into(),
        seeds: vec![1, 2, 3],
        rows: vec![
            StrategyRow::new(
                "scratch",
                vec![
                    cell(root, 1, "scratch", CellState::Done { test_acc: 89.5 }),
                    cell(root, 2, "scratch", CellState::Done { test_acc: 90.0 }),
                    cell(root, 3, "scratch", CellState::Done { test_acc: 90.5 }),
                ],
            ),
            StrategyRow::new(
                "kd",
                vec![
                    cell(root, 1, "kd", CellState::Done { test_acc: 91.0 }),
                    cell(root, 2, "kd", CellState::Done { test_acc: 90.0 }),
                    cell(root, 3, "kd", running),
                ],
            ),
            StrategyRow::new(
                "takd",
                vec![
                    cell(
                        root,
                        1,
                        "takd",
                        CellState::Failed {
                            detail: "out of memory".into(),
                        },
                    ),
                    cell(root, 2, "takd", CellState::Stopped),
                    cell(root, 3, "takd", CellState::Queued),
                ],
            ),
        ],
        live: true,
    }
}

fn draw(screen: &CompareScreen, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| compare_screen::view(screen, f)).unwrap();
    let buffer = terminal.backend().buffer();
    buffer
        .content
        .chunks(width as usize)
        .map(|cells| cells.iter().map(|c| c.symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

fn row_with<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|r| r.contains(needle))
        .unwrap_or_else(|| panic!("no row with {needle:?} in\n{screen}"))
}

#[test]
fn the_table_shows_every_state_and_the_mean_with_its_interval_at_80x24() {
    let root = PathBuf::from("/runs/compare-mnist-cnn");
    let mut screen = CompareScreen::new(Role::Owner, progress(&root));
    screen.elapsed_s = 83.0;
    let text = draw(&screen, 80, 24);
    insta::assert_snapshot!("compare_screen_80x24", text);
    // The running run is selected first: its line says what it trains.
    assert_eq!((screen.row, screen.col), (1, 2));
    assert!(text.contains("seed 3 kd: training student (stage 2/2), epoch 4/10 done"));
    assert!(row_with(&text, "compare mnist-cnn").contains("5/9 done · 01:23"));
    // scratch: 89.5, 90, 90.5 → mean 90.00, sd 0.5, t(0.975, 2) = 4.303 → ± 1.24.
    assert!(row_with(&text, "scratch").contains("90.00 ± 1.24 (n 3)"));
    // kd: 91, 90 → mean 90.50, sd 0.7071, t(0.975, 1) = 12.706 → ± 6.35.
    let kd = row_with(&text, "│kd");
    assert!(
        kd.contains("e4/10") && kd.contains("90.50 ± 6.35 (n 2)"),
        "{kd}"
    );
    let takd = row_with(&text, "takd");
    for word in ["FAILED", "stopped", "queued", "—"] {
        assert!(takd.contains(word), "{word} in {takd}");
    }
    assert!(text.contains("q stop  ↑↓←→ select  enter open run"));
}

#[test]
fn at_160x48_the_viewer_shows_a_failed_runs_reason_and_its_folder() {
    let root = PathBuf::from("/runs/compare-mnist-cnn");
    let mut screen = CompareScreen::new(Role::Viewer, progress(&root));
    screen.on_key(Key::Down);
    screen.on_key(Key::Left);
    screen.on_key(Key::Left);
    let text = draw(&screen, 160, 48);
    insta::assert_snapshot!("compare_screen_160x48_viewer_failed", text);
    assert!(text.contains("seed 1 takd: failed: out of memory"));
    assert!(text.contains("/runs/compare-mnist-cnn/seed-1/takd"));
    assert!(text.contains("q leave"));
}

#[test]
fn the_owner_asks_before_stopping_and_a_viewer_just_leaves() {
    let root = PathBuf::from("/runs/c");
    let mut owner = CompareScreen::new(Role::Owner, progress(&root));
    assert_eq!(owner.on_key(Key::Char('q')), Action::None);
    assert!(owner.confirm_stop);
    let dialog = draw(&owner, 80, 24);
    assert!(dialog.contains("Stop the comparison?"), "{dialog}");
    assert!(dialog.contains("y stop the comparison  n keep going"));
    assert_eq!(owner.on_key(Key::Char('n')), Action::None);
    assert!(!owner.confirm_stop && !owner.stopping);
    owner.on_key(Key::Char('q'));
    assert_eq!(owner.on_key(Key::Char('y')), Action::StopComparison);
    assert!(owner.stopping);
    assert!(draw(&owner, 80, 24).contains("· stopping ·"));
    // Once stopping, q leaves without waiting; once ended, q just quits.
    assert_eq!(owner.on_key(Key::Char('q')), Action::Quit);
    let mut ended = CompareScreen::new(Role::Owner, progress(&root));
    ended.ended = true;
    assert_eq!(ended.on_key(Key::Char('q')), Action::Quit);

    let mut viewer = CompareScreen::new(Role::Viewer, progress(&root));
    assert_eq!(viewer.on_key(Key::Char('q')), Action::Quit);
}

#[test]
fn enter_opens_a_started_run_and_says_why_not_for_a_queued_one() {
    let tmp = tempfile::tempdir().unwrap();
    let mut screen = CompareScreen::new(Role::Viewer, progress(tmp.path()));
    let running = tmp.path().join("seed-3").join("kd");
    std::fs::create_dir_all(&running).unwrap();
    std::fs::write(running.join("events.jsonl"), "").unwrap();
    assert_eq!(screen.on_key(Key::Enter), Action::Open(running));
    screen.on_key(Key::Down);
    assert_eq!(screen.on_key(Key::Enter), Action::None);
    assert_eq!(
        screen.message.as_deref(),
        Some("seed 3 takd: not started yet, nothing to open")
    );
    // The selection stays inside the table.
    for _ in 0..5 {
        screen.on_key(Key::Down);
        screen.on_key(Key::Right);
    }
    assert_eq!((screen.row, screen.col), (2, 2));
}

#[test]
fn the_loop_reads_the_folder_each_tick_and_returns_what_the_keys_ask() {
    let root = PathBuf::from("/runs/c");
    let (tx, rx) = unbounded();
    let mut screen = CompareScreen::new(Role::Viewer, progress(&root));
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let reads = std::cell::Cell::new(0);
    let read = || {
        reads.set(reads.get() + 1);
        let mut p = progress(&root);
        // The folder changed: kd's third seed has finished.
        p.rows[1].cells[2].state = CellState::Done { test_acc: 92.0 };
        Ok(p)
    };
    let hooks = Hooks {
        read: &read,
        ended: &|| false,
        stop: &|| panic!("a viewer never stops the comparison"),
        clock: &|| 5.0,
    };
    tx.send(Input::Key(Key::Enter)).unwrap();
    // The kd cell of seed 3 has no events.jsonl under /runs: Enter says so and the loop goes on.
    tx.send(Input::Key(Key::Char('q'))).unwrap();
    let exit = compare_screen::run_loop(
        &mut terminal,
        &rx,
        &mut screen,
        &hooks,
        Duration::from_secs(3600),
    )
    .unwrap();
    assert_eq!(exit, Exit::Quit);
    assert!(reads.get() >= 2);
    assert_eq!(
        screen.progress.rows[1].cells[2].state,
        CellState::Done { test_acc: 92.0 }
    );
    // A signal makes a viewer leave too.
    tx.send(Input::Terminate).unwrap();
    let exit = compare_screen::run_loop(
        &mut terminal,
        &rx,
        &mut screen,
        &hooks,
        Duration::from_secs(3600),
    )
    .unwrap();
    assert_eq!(exit, Exit::Quit);
}

#[test]
fn the_title_clock_stops_when_the_comparison_is_over() {
    let root = PathBuf::from("/runs/c");
    let mut owner = CompareScreen::new(Role::Owner, progress(&root));
    owner.tick(10.0);
    assert_eq!(owner.elapsed_s, 10.0);
    owner.ended = true;
    owner.tick(83.0);
    owner.tick(500.0);
    assert_eq!(owner.elapsed_s, 83.0);
    assert!(draw(&owner, 80, 24).contains("· 01:23 "));
}

#[test]
fn a_long_running_cell_is_never_cut() {
    let root = PathBuf::from("/runs/c");
    let mut p = progress(&root);
    p.rows[1].cells[2].state = CellState::Running {
        model: "ta1".into(),
        stage: 2,
        stages: 3,
        epoch: 104,
        epochs: 150,
    };
    let screen = CompareScreen::new(Role::Viewer, p);
    let text = draw(&screen, 80, 24);
    assert!(row_with(&text, "│kd").contains(" 2/3 e104/150 "), "{text}");
}

/// Runs that are Slurm tasks go on without this process: q asks to leave, not to stop, and after
/// leaving the title says the tasks are on Slurm.
#[test]
fn with_slurm_tasks_q_leaves_them_running() {
    let root = PathBuf::from("/runs/c");
    let mut p = progress(&root);
    p.rows[1].cells[2].slurm = Some(("4711_3".into(), root.join("slurm/logs/4711_3.log")));
    let mut screen = CompareScreen::new(Role::Owner, p);
    let text = draw(&screen, 100, 30);
    assert!(
        text.contains("/runs/c/seed-3/kd · Slurm job 4711_3, log /runs/c/slurm/logs/4711_3.log"),
        "{text}"
    );
    assert!(text.contains("q leave  ↑↓←→ select"), "{text}");
    assert_eq!(screen.on_key(Key::Char('q')), Action::None);
    let dialog = draw(&screen, 100, 30);
    assert!(dialog.contains("Leave the comparison?"), "{dialog}");
    assert!(dialog.contains("Its Slurm tasks go on"), "{dialog}");
    assert!(
        dialog.contains("y leave, the tasks go on  n stay"),
        "{dialog}"
    );
    assert_eq!(screen.on_key(Key::Char('y')), Action::StopComparison);
    // The waiting process has left; the tasks still run (the folder says live).
    screen.ended = true;
    let after = draw(&screen, 100, 30);
    assert!(after.contains("5/9 done · tasks on Slurm"), "{after}");
    assert_eq!(screen.on_key(Key::Char('q')), Action::Quit);
}
