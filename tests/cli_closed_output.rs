//! The commands that only print end quietly when their output is closed (`mkd-tui ls | head -1`):
//! no panic (exit 101, "failed printing to stdout"), as `cat` would.

mod process_support;

use std::path::Path;
use std::process::{Command, Stdio};

use process_support::{mkd_tui, run_tiny, text};

/// Run `command` with its standard output a pipe whose reading end is closed before it starts,
/// so that its first write fails whenever it comes (`head` having read what it wanted), and check
/// it ended without a panic.
fn ends_quietly_on_a_closed_output(mut command: Command, what: &str) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let o = command
        .stdout(writer)
        .stderr(Stdio::piped())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_ne!(o.status.code(), Some(101), "{what}: {err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert!(!err.contains("Broken pipe"), "{what}: {err}");
}

fn cmd(args: &[&str], paths: &[&Path]) -> Command {
    let mut c = mkd_tui();
    c.args(args).args(paths);
    c
}

#[test]
fn printing_commands_end_quietly_when_the_reader_has_gone() {
    let tmp = tempfile::tempdir().unwrap();
    let runs = tmp.path().join("runs");
    let run = runs.join("tiny");
    let o = run_tiny(
        &run,
        &tmp.path().join("cache"),
        &["chain.assistants=[]"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    ends_quietly_on_a_closed_output(cmd(&["presets"], &[]), "presets");
    ends_quietly_on_a_closed_output(cmd(&["ls", "--runs"], &[&runs]), "ls");
    ends_quietly_on_a_closed_output(cmd(&["stop-replay"], &[&run]), "stop-replay");
    ends_quietly_on_a_closed_output(
        cmd(
            &["export"],
            &[&run, Path::new("--to"), &tmp.path().join("export")],
        ),
        "export",
    );
    ends_quietly_on_a_closed_output(cmd(&["bench", "--describe"], &[]), "bench --describe");
    ends_quietly_on_a_closed_output(cmd(&["check", process_support::TINY], &[]), "check");
}
