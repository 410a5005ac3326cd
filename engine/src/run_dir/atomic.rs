//! Writing a file so that a reader sees the old contents or the new, never half of either: the
//! bytes go to a uniquely named temporary file beside the target (`tempfile`, so two writers never
//! share a temporary name), are flushed to the disk, and the file is renamed over the target; the
//! folder is then flushed so the rename itself survives a power cut. The file gets the mode a plain
//! `File::create` would give (0666 less the umask), not tempfile's private 0600: reports on a
//! shared cluster file system must stay readable by colleagues.

use std::io::Write as _;
use std::path::Path;

/// Write `bytes` to `path` atomically (see the module). `what` says what was being written, for the
/// error.
///
/// Errors: one `std::io::Error` whose message names the file and what was being written, e.g.
/// `runs/x/status.json: writing the run status: No space left on device (os error 28)`; the kind
/// is the underlying error's. Nothing is left at `path` but the old contents.
pub fn write_atomic(path: &Path, bytes: &[u8], what: &str) -> std::io::Result<()> {
    write_atomic_with(path, what, |file| file.write_all(bytes))
}

/// [`write_atomic`] for a writer that streams into the temporary file.
pub fn write_atomic_with(
    path: &Path,
    what: &str,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let named = |e: std::io::Error| {
        std::io::Error::new(e.kind(), format!("{}: {what}: {e}", path.display()))
    };
    let folder = folder_of(path);
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tmp-");
    // The mode goes to open(2), so the process umask narrows it exactly as for `File::create`.
    #[cfg(unix)]
    builder
        .permissions(<std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o666));
    let mut tmp = builder.tempfile_in(folder).map_err(named)?;
    write(tmp.as_file_mut())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(named)?;
    tmp.persist(path).map_err(|e| named(e.error))?;
    sync_folder(folder).map_err(named)
}

/// Flush a folder's entries (a rename into it, a new file) to the disk.
///
/// Errors: the folder cannot be opened or flushed.
pub fn sync_folder(folder: &Path) -> std::io::Result<()> {
    std::fs::File::open(folder)?.sync_all()
}

/// The folder holding `path` (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_contents_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("status.json");
        write_atomic(&path, b"old", "writing a test file").unwrap();
        write_atomic(&path, b"new", "writing a test file").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn a_failed_write_names_the_file_and_keeps_the_old_contents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        write_atomic(&path, b"old", "writing the report").unwrap();
        let err = write_atomic_with(&path, "writing the report", |_| {
            Err(std::io::Error::from_raw_os_error(libc::ENOSPC))
        })
        .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!("{}: writing the report: ", path.display())),
            "{msg}"
        );
        assert!(msg.contains("No space left on device"), "{msg}");
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    /// The umask is per process, so this reads it (without changing it) from /proc rather than
    /// setting one; the file's mode must be 0666 less whatever it is.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_file_gets_the_mode_file_create_would_give() {
        use std::os::unix::fs::PermissionsExt as _;
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let umask = status
            .lines()
            .find_map(|l| l.strip_prefix("Umask:"))
            .map(|v| u32::from_str_radix(v.trim(), 8).unwrap())
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.md");
        write_atomic(&path, b"# report", "writing a test file").unwrap();
        let plain = dir.path().join("plain.md");
        std::fs::File::create(&plain).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o666 & !umask, "umask {umask:o}");
        assert_eq!(mode(&path), mode(&plain));
    }

    #[test]
    fn two_threads_writing_one_file_never_leave_a_torn_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("status.json");
        let a = vec![b'a'; 100_000];
        let b = vec![b'b'; 100_000];
        std::thread::scope(|s| {
            for bytes in [&a, &b] {
                let path = &path;
                s.spawn(move || {
                    for _ in 0..20 {
                        write_atomic(path, bytes, "writing a test file").unwrap();
                    }
                });
            }
        });
        let got = std::fs::read(&path).unwrap();
        assert!(got == a || got == b);
    }
}
