//! Serving `control.sock`, and sending one command to it.

use std::io::{BufRead as _, BufReader, Write as _};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossbeam_channel::Sender;

use crate::protocol::{Command, Event};

/// How long a write to one viewer may block before that viewer is dropped.
const VIEWER_WRITE_TIMEOUT: Duration = Duration::from_millis(100);

/// A served socket; the file is removed when this is dropped.
#[derive(Debug)]
pub struct SocketServer {
    path: PathBuf,
    viewers: Viewers,
}

/// The connected viewers, to which progress events are sent (batch progress is not in
/// `events.jsonl`, so a viewer gets it here).
#[derive(Debug, Clone, Default)]
pub struct Viewers(Arc<Mutex<Vec<UnixStream>>>);

impl Viewers {
    /// Send `event` as one JSON line to every viewer; one whose write fails or stalls is dropped.
    pub fn send(&self, event: &Event) {
        let Ok(mut viewers) = self.0.lock() else {
            return;
        };
        if viewers.is_empty() {
            return;
        }
        let mut line = serde_json::to_string(event).expect("events always serialise");
        line.push('\n');
        viewers.retain_mut(|v| v.write_all(line.as_bytes()).is_ok());
    }

    fn add(&self, stream: &UnixStream) {
        if let (Ok(clone), Ok(mut viewers)) = (stream.try_clone(), self.0.lock()) {
            let _ = clone.set_write_timeout(Some(VIEWER_WRITE_TIMEOUT));
            viewers.push(clone);
        }
    }
}

impl SocketServer {
    /// The viewers connected now and later.
    pub fn viewers(&self) -> Viewers {
        self.viewers.clone()
    }
}

impl Drop for SocketServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Listen on `path` and feed every command received into `commands` (the worker's command channel,
/// the same one the run's own front end uses); what is given to [`SocketServer::viewers`] is sent
/// to every connection. A line that is not a command is answered with
/// `{"error": …}` and skipped. Each connection is served on its own thread, so several viewers can
/// be connected at once.
///
/// The caller holds the run lock, so a socket file already at `path` is a dead run's and is replaced.
/// Errors: the socket cannot be created (a path over ~107 bytes, an unwritable folder).
pub fn serve(path: &Path, commands: Sender<Command>) -> std::io::Result<SocketServer> {
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path)
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    let viewers = Viewers::default();
    let accepted = viewers.clone();
    std::thread::Builder::new()
        .name("mkd-control".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                accepted.add(&stream);
                let commands = commands.clone();
                let _ = std::thread::Builder::new()
                    .name("mkd-viewer".into())
                    .spawn(move || serve_viewer(stream, &commands));
            }
        })?;
    Ok(SocketServer {
        path: path.to_path_buf(),
        viewers,
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
