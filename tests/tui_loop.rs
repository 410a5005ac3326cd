//! The UI loop end to end on a `TestBackend`: scripted worker channels, scripted keys, a fake
//! worker answering commands. Each test runs the loop on a thread with a deadline, so a loop that
//! fails to end fails the test instead of hanging it.

mod tui_fixture;

use std::path::PathBuf;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, unbounded, Receiver, Sender};
use mkd_tui::protocol::{Command, Event, FrontEndLink};
use mkd_tui::tui::{run_loop, App, Input, Key, TuiExit};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

struct Harness {
    lifecycle: Sender<Event>,
    progress: Sender<Event>,
    input: Sender<Input>,
    commands: Receiver<Command>,
    /// The loop's result, the app's exit and the last screen, once the loop ends.
    done: mpsc::Receiver<(anyhow::Result<()>, TuiExit, String)>,
}

fn start() -> Harness {
    let (lifecycle, lifecycle_rx) = unbounded();
    let (progress, progress_rx) = bounded(8);
    let (commands_tx, commands) = unbounded();
    let (input, input_rx) = unbounded();
    let (done_tx, done) = mpsc::channel();
    thread::spawn(move || {
        let link = FrontEndLink {
            lifecycle: lifecycle_rx,
            progress: progress_rx,
            commands: commands_tx,
        };
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let mut app = App::new(tui_fixture::options(true));
        let started = Instant::now();
        let result = run_loop(
            &mut terminal,
            &link,
            &input_rx,
            &mut app,
            &|| started.elapsed(),
            Duration::from_millis(20),
        );
        // The loop does not draw after its last update (the terminal is handed back); draw the
        // final state here to look at it.
        terminal
            .draw(|frame| mkd_tui::tui::view::view(&app, frame))
            .unwrap();
        let text = tui_fixture::screen(&terminal);
        let _ = done_tx.send((result, app.exit(), text));
    });
    Harness {
        lifecycle,
        progress,
        input,
        commands,
        done,
    }
}

fn started_event() -> Event {
    Event::RunStarted {
        preset: "fashion-quick".into(),
        run_dir: PathBuf::from("runs/x"),
        started_at: "2026-11-29T12:00:00Z".into(),
        plan: tui_fixture::plan(),
        stop_rule: tui_fixture::rule(),
    }
}

fn finish(
    done: &mpsc::Receiver<(anyhow::Result<()>, TuiExit, String)>,
) -> (anyhow::Result<()>, TuiExit, String) {
    done.recv_timeout(Duration::from_secs(10))
        .expect("the UI loop did not end")
}

#[test]
fn pause_then_confirmed_quit_ends_when_the_worker_aborts() {
    let h = start();
    h.lifecycle.send(started_event()).unwrap();
    // A fake worker: echoes Pause, and answers Quit with RunAborted, as the real one does.
    let lifecycle = h.lifecycle.clone();
    let commands = h.commands.clone();
    let worker = thread::spawn(move || {
        let mut seen = Vec::new();
        while let Ok(command) = commands.recv_timeout(Duration::from_secs(10)) {
            seen.push(command.clone());
            match command {
                Command::Pause => lifecycle.send(Event::Paused).unwrap(),
                Command::Quit => {
                    lifecycle
                        .send(Event::RunAborted {
                            reason: "quit by user".into(),
                        })
                        .unwrap();
                    break;
                }
                _ => {}
            }
        }
        seen
    });
    for key in [Key::Char('p'), Key::Char('q'), Key::Char('y')] {
        h.input.send(Input::Key(key)).unwrap();
    }
    let (result, exit, _) = finish(&h.done);
    result.unwrap();
    assert_eq!(exit, TuiExit::Aborted);
    assert_eq!(worker.join().unwrap(), vec![Command::Pause, Command::Quit]);
}

#[test]
fn a_vanished_worker_is_a_failure_shown_until_q() {
    let h = start();
    h.lifecycle.send(started_event()).unwrap();
    h.progress
        .send(Event::BatchProgress {
            stage: 0,
            arm: mkd_tui::protocol::ArmKind::Scratch,
            epoch: 1,
            batch: 10,
            batches: 422,
            loss: 1.2,
        })
        .unwrap();
    let Harness {
        lifecycle,
        progress,
        input,
        commands: _commands,
        done,
    } = h;
    drop(lifecycle);
    drop(progress);
    // The loop stays up on the failure screen: nothing ends it until a key.
    assert!(done.recv_timeout(Duration::from_millis(200)).is_err());
    // Worker news is folded in before keys, so q meets the failure and exits at once.
    input.send(Input::Key(Key::Char('q'))).unwrap();
    let (result, exit, text) = finish(&done);
    result.unwrap();
    assert_eq!(exit, TuiExit::Failed("worker stopped unexpectedly".into()));
    assert!(text.contains("FAILED"), "{text}");
}

#[test]
fn a_command_the_worker_cannot_receive_is_reported_not_fatal() {
    let h = start();
    h.lifecycle.send(started_event()).unwrap();
    drop(h.commands);
    h.input.send(Input::Key(Key::Char('p'))).unwrap();
    h.input.send(Input::Resize).unwrap();
    // The quit cannot be delivered either: with nobody to confirm it, the front end leaves.
    h.input.send(Input::Key(Key::Char('q'))).unwrap();
    h.input.send(Input::Key(Key::Char('y'))).unwrap();
    let (result, exit, text) = finish(&h.done);
    result.unwrap();
    assert_eq!(exit, TuiExit::QuitBeforeEnd);
    assert!(
        text.contains("could not send pause: the worker is gone"),
        "{text}"
    );
}

#[test]
fn a_flood_of_events_is_folded_in_before_drawing() {
    let h = start();
    h.lifecycle.send(started_event()).unwrap();
    for i in 0..2_000 {
        h.lifecycle
            .send(Event::Log {
                level: mkd_tui::protocol::LogLevel::Info,
                message: format!("message {i}"),
            })
            .unwrap();
    }
    h.lifecycle
        .send(Event::RunFinished {
            report_md: "runs/x/report.md".into(),
            report_json: "runs/x/report.json".into(),
            seconds: 3.0,
        })
        .unwrap();
    h.input.send(Input::Key(Key::Char('q'))).unwrap();
    let (result, exit, text) = finish(&h.done);
    result.unwrap();
    // Worker news is folded in before keys: q meets the finished run and exits at once (had it
    // come first it would only have opened the quit dialog and the loop would not end).
    assert_eq!(exit, TuiExit::Finished);
    assert!(text.contains("finished"), "{text}");
}

#[test]
fn a_broken_terminal_input_ends_the_loop_with_an_error() {
    let h = start();
    h.input.send(Input::Failed("stdin closed".into())).unwrap();
    let (result, _, _) = finish(&h.done);
    let err = result.unwrap_err().to_string();
    assert!(err.contains("stdin closed"), "{err}");
}
