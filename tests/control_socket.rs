//! The control socket on a shared training machine: only its owner may steer the run, and no peer
//! can grow the run's memory with an endless line.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::net::UnixStream;
use std::time::Duration;

use mkd_tui::control_socket::{serve, serve_for, MAX_LINE_BYTES};
use mkd_tui::protocol::Command;

fn answer(stream: &UnixStream) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).unwrap();
    line
}

#[test]
fn the_socket_is_0600_whatever_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("control.sock");
    let (tx, _rx) = crossbeam_channel::unbounded();
    // SAFETY: umask only changes this process's file-creation mask; restored below.
    let old = unsafe { libc::umask(0) };
    let server = serve(&path, tx);
    unsafe { libc::umask(old) };
    let _server = server.unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o}");
    // No staging name is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("control.sock")]);
}

#[test]
fn a_peer_of_another_uid_is_refused_and_steers_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("control.sock");
    let (tx, rx) = crossbeam_channel::unbounded();
    // The run "belongs" to a uid that is not ours, so we are the stranger.
    let stranger_to = unsafe { libc::geteuid() } + 4242;
    let _server = serve_for(&path, tx, stranger_to).unwrap();
    let mut stream = UnixStream::connect(&path).unwrap();
    let _ = writeln!(
        stream,
        "{}",
        serde_json::to_string(&Command::Pause).unwrap()
    );
    let said = answer(&stream);
    assert!(
        said.contains(&format!("refused: this run belongs to uid {stranger_to}")),
        "{said}"
    );
    assert!(rx.recv_timeout(Duration::from_millis(300)).is_err());
}

#[test]
fn the_owner_steers_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("control.sock");
    let (tx, rx) = crossbeam_channel::unbounded();
    let _server = serve(&path, tx).unwrap();
    let mut stream = UnixStream::connect(&path).unwrap();
    writeln!(
        stream,
        "{}",
        serde_json::to_string(&Command::Pause).unwrap()
    )
    .unwrap();
    let got = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(got, Command::Pause);
}

#[test]
fn a_line_over_the_cap_is_answered_and_the_connection_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("control.sock");
    let (tx, rx) = crossbeam_channel::unbounded();
    let _server = serve(&path, tx).unwrap();
    let mut stream = UnixStream::connect(&path).unwrap();
    // 4 × the cap, no newline: the server must stop reading at the cap, not wait for the end.
    let long = vec![b'x'; 4 * MAX_LINE_BYTES];
    let writer = {
        let mut s = stream.try_clone().unwrap();
        std::thread::spawn(move || {
            let _ = s.write_all(&long);
        })
    };
    let said = answer(&stream);
    assert!(said.contains("line over 65536 bytes"), "{said}");
    // Then the connection is closed: the rest reads as end of file.
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    let _ = writer.join();
    assert!(rx.try_recv().is_err());
    // The socket still serves the next connection.
    let mut again = UnixStream::connect(&path).unwrap();
    writeln!(
        again,
        "{}",
        serde_json::to_string(&Command::Resume).unwrap()
    )
    .unwrap();
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(10)).unwrap(),
        Command::Resume
    );
}

#[test]
fn a_line_just_under_the_cap_is_read_as_a_command_attempt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("control.sock");
    let (tx, _rx) = crossbeam_channel::unbounded();
    let _server = serve(&path, tx).unwrap();
    let mut stream = UnixStream::connect(&path).unwrap();
    let mut line = vec![b' '; MAX_LINE_BYTES - 2];
    line[0] = b'{';
    line.push(b'\n');
    stream.write_all(&line).unwrap();
    let said = answer(&stream);
    assert!(said.contains("not a command"), "{said}");
}
