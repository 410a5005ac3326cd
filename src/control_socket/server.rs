//! Serving `control.sock`, and sending one command to it.

use std::io::{BufRead as _, BufReader, Write as _};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

use crossbeam_channel::Sender;

use crate::protocol::Command;

/// A served socket; the file is removed when this is dropped.
#[derive(Debug)]
pub struct SocketServer {
    path: PathBuf,
}

impl Drop for SocketServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Listen on `path` and feed every command received into `commands` (the worker's command channel,
/// the same one the run's own front end uses). A line that is not a command is answered with
/// `{"error": …}` and skipped. Each connection is served on its own thread, so several viewers can
/// be connected at once.
///
/// The caller holds the run lock, so a socket file already at `path` is a dead run's and is replaced.
/// Errors: the socket cannot be created (a path over ~107 bytes, an unwritable folder).
pub fn serve(path: &Path, commands: Sender<Command>) -> std::io::Result<SocketServer> {
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path)
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    std::thread::Builder::new()
        .name("mkd-control".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                let commands = commands.clone();
                let _ = std::thread::Builder::new()
                    .name("mkd-viewer".into())
                    .spawn(move || serve_viewer(stream, &commands));
            }
        })?;
    Ok(SocketServer {
        path: path.to_path_buf(),
    })
}

fn serve_viewer(stream: UnixStream, commands: &Sender<Command>) {
    let Ok(mut reply) = stream.try_clone() else {
        return;
    };
    for line in BufReader::new(stream).lines() {
        let Ok(line) = line else { return };
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Command>(&line) {
            Ok(command) => {
                if commands.send(command).is_err() {
                    return; // the run has ended
                }
            }
            Err(e) => {
                let answer = serde_json::json!({ "error": format!("not a command: {e}") });
                let _ = writeln!(reply, "{answer}");
            }
        }
    }
}

/// Connect to the run's socket at `path` and send `command`. Errors name the socket (a run that
/// has ended has none).
pub fn send_command(path: &Path, command: &Command) -> std::io::Result<()> {
    let mut stream = UnixStream::connect(path)
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    let line = serde_json::to_string(command).expect("commands always serialise");
    writeln!(stream, "{line}")?;
    stream.flush()
}
