//! A disk that fills up during a run (tried on a 300 KiB tmpfs): the run ends `failed` with one
//! message that names the file being written and what it was, and nothing claims success.

use std::path::{Path, PathBuf};
use std::process::Command;

mod process_support;

/// A 300 KiB tmpfs, unmounted on drop.
struct SmallDisk(PathBuf);

impl SmallDisk {
    /// Mounts one (needs root, as CI runs). Outside CI a machine that cannot mount skips the test
    /// with a line saying so; under `CI=true` that fails it, so CI cannot count a test that ran
    /// nothing.
    fn mount(at: &Path) -> Option<SmallDisk> {
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=300k", "tmpfs"])
            .arg(at)
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(SmallDisk(at.to_path_buf()));
        }
        assert!(
            std::env::var("CI").map_or(true, |v| v.is_empty() || v == "false"),
            "cannot mount a tmpfs under CI (needs root)"
        );
        eprintln!("cannot mount a tmpfs here (not root?): skipping the disk-full test");
        None
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_fails_the_run_with_one_message_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(disk) = SmallDisk::mount(&tmp.path().join("small")) else {
        return;
    };
    let out = disk.0.join("run");
    let o = process_support::run_tiny(
        &out,
        &tmp.path().join("cache"),
        &["training.epochs=30"],
        None,
    );
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(1), "{err}");
    let error_lines: Vec<&str> = err.lines().filter(|l| l.contains("error:")).collect();
    assert_eq!(error_lines.len(), 1, "{err}");
    let line = error_lines[0];
    assert_eq!(
        line.matches("No space left on device").count(),
        1,
        "said once: {line}"
    );
    assert!(
        line.contains(&out.display().to_string()),
        "names the file: {line}"
    );
    assert!(!out.join("report.json").exists());
    let status = std::fs::read_to_string(out.join("status.json")).unwrap_or_default();
    assert!(!status.contains("\"finished\""), "{status}");
}
