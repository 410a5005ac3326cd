//! Serving `control.sock`, and sending one command to it.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossbeam_channel::Sender;

use crate::protocol::{Command, Event};

/// How long a write to one viewer may block before that viewer is dropped.
const VIEWER_WRITE_TIMEOUT: Duration = Duration::from_millis(100);

/// The longest command line accepted, bytes. Commands are a few hundred bytes; a longer line is
/// answered with an error and its connection dropped, so a peer cannot grow the run's memory.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// The longest pause after failed `accept`s (too many open files, say): the pause doubles from
/// 10 ms up to this instead of spinning on the error.
const MAX_ACCEPT_BACKOFF: Duration = Duration::from_secs(1);

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
/// `{"error": …}` and skipped; a line over [`MAX_LINE_BYTES`] is answered and its connection
/// dropped. Each connection is served on its own thread, so several viewers can be connected at once.
///
/// Only the run's owner may connect: the socket file has mode 0600 whatever the umask (it is bound
/// under a temporary name, restricted, then renamed into place), and a peer whose uid
/// (`SO_PEERCRED`) is not this process's effective uid is answered with an error and dropped.
///
/// The caller holds the run lock, so a socket file already at `path` is a dead run's and is replaced.
/// Errors: the socket cannot be created (a path over ~107 bytes, an unwritable folder).
pub fn serve(path: &Path, commands: Sender<Command>) -> std::io::Result<SocketServer> {
    serve_for(path, commands, nix::unistd::geteuid().as_raw())
}

/// [`serve`] for the peers of uid `owner` (a test names another uid to see a peer refused).
pub fn serve_for(
    path: &Path,
    commands: Sender<Command>,
    owner: u32,
) -> std::io::Result<SocketServer> {
    let named =
        |e: std::io::Error| std::io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    let _ = std::fs::remove_file(path);
    let mut staging = path.as_os_str().to_owned();
    staging.push(format!(".{}", std::process::id()));
    let staging = PathBuf::from(staging);
    let _ = std::fs::remove_file(&staging);
    let listener = UnixListener::bind(&staging).map_err(named)?;
    let placed = std::fs::set_permissions(&staging, std::fs::Permissions::from_mode(0o600))
        .and_then(|()| std::fs::rename(&staging, path));
    if let Err(e) = placed {
        let _ = std::fs::remove_file(&staging);
        return Err(named(e));
    }
    let viewers = Viewers::default();
    let accepted = viewers.clone();
    std::thread::Builder::new()
        .name("mkd-control".into())
        .spawn(move || {
            let mut backoff = Duration::from_millis(10);
            for stream in listener.incoming() {
                let mut stream = match stream {
                    Ok(s) => s,
                    Err(_) => {
                        std::thread::sleep(backoff);
                        backoff = (backoff * 2).min(MAX_ACCEPT_BACKOFF);
                        continue;
                    }
                };
                backoff = Duration::from_millis(10);
                if let Err(why) = check_peer(&stream, owner) {
                    let answer = serde_json::json!({ "error": why });
                    let _ = writeln!(stream, "{answer}");
                    continue;
                }
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

/// Whether the peer is the run's owner, by the kernel's credentials of the connecting process.
fn check_peer(stream: &UnixStream, owner: u32) -> Result<(), String> {
    use nix::sys::socket::{getsockopt, sockopt::PeerCredentials};
    let creds = getsockopt(stream, PeerCredentials)
        .map_err(|e| format!("refused: the peer's credentials cannot be read ({e})"))?;
    if creds.uid() == owner {
        Ok(())
    } else {
        Err(format!(
            "refused: this run belongs to uid {owner}, the peer is uid {}",
            creds.uid()
        ))
    }
}

fn serve_viewer(stream: UnixStream, commands: &Sender<Command>) {
    let Ok(mut reply) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        // One byte over the cap tells a line at the cap from a longer one.
        let limit = MAX_LINE_BYTES as u64 + 1;
        match (&mut reader).take(limit).read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if buf.len() > MAX_LINE_BYTES {
            let answer = serde_json::json!({
                "error": format!("line over {MAX_LINE_BYTES} bytes: connection closed")
            });
            let _ = writeln!(reply, "{answer}");
            // The viewers' list holds a clone of this connection: shut it, not just drop ours.
            let _ = reply.shutdown(std::net::Shutdown::Both);
            return;
        }
        let Ok(line) = std::str::from_utf8(&buf) else {
            let answer = serde_json::json!({ "error": "not a command: not UTF-8" });
            let _ = writeln!(reply, "{answer}");
            continue;
        };
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Command>(line) {
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
