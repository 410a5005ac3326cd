//! `export` and `predict` given the wrong thing say what it is; a moved run whose preset names a
//! teacher file that is gone still exports its own models.

mod process_support;

use std::path::Path;

use process_support::{compare_tiny, mkd_tui, run_tiny, text};

/// `mkd-tui <args…>` must exit 2 with `expected` in its standard error.
fn refused(args: &[&std::ffi::OsStr], expected: &str) {
    let o = mkd_tui().args(args).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(expected), "{args:?}: {err}");
}

fn os(s: &str) -> &std::ffi::OsStr {
    s.as_ref()
}

#[test]
fn export_and_predict_name_a_comparison_folder_a_missing_one_and_an_existing_file() {
    let tmp = tempfile::tempdir().unwrap();
    let cmp = tmp.path().join("cmp");
    let o = compare_tiny(&cmp, None, &["--headless", "--set", "chain.assistants=[]"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let seed = std::fs::read_dir(&cmp)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("seed-"))
        .min()
        .unwrap();
    let example = cmp.join(&seed).join("kd");
    for command in ["export", "predict"] {
        refused(
            &[os(command), cmp.as_os_str()],
            &format!(
                "{}: a comparison's folder, not a run directory; name one of its runs, e.g. {}",
                cmp.display(),
                example.display()
            ),
        );
        let missing = tmp.path().join("nowhere");
        refused(
            &[os(command), missing.as_os_str()],
            &format!("{}: no such folder", missing.display()),
        );
    }
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    refused(
        &[
            os("export"),
            example.as_os_str(),
            os("--to"),
            file.as_os_str(),
        ],
        &format!("{}: exists and is not a folder", file.display()),
    );
}

#[test]
fn a_run_whose_teacher_file_is_gone_still_exports_and_predicts_its_student() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let first = tmp.path().join("first");
    let o = run_tiny(&first, &cache, &["chain.assistants=[]"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let teacher = tmp.path().join("teacher.safetensors");
    std::fs::copy(first.join("checkpoints/teacher.safetensors"), &teacher).unwrap();
    let run = tmp.path().join("run");
    let weights = format!("chain.teacher.weights={}", teacher.display());
    let o = run_tiny(&run, &cache, &["chain.assistants=[]", &weights], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // The comparison moved elsewhere, the teacher's file with it: the preset's path is stale.
    std::fs::remove_file(&teacher).unwrap();
    let to = tmp.path().join("export");
    let o = mkd_tui()
        .arg("export")
        .arg(&run)
        .arg("--to")
        .arg(&to)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(Path::new(&to.join("model.safetensors")).is_file());
    let o = mkd_tui().arg("predict").arg(&run).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("student on test: "), "{}", text(&o));
}

/// A run trained on a GPU (its recorded preset says `device: cuda:0`) is read by a CPU-only
/// build: export, predict and stop-replay train nothing, so the device need not be here.
#[test]
fn a_run_recorded_on_a_gpu_is_exported_predicted_and_replayed_on_the_cpu() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    let o = run_tiny(
        &run,
        &tmp.path().join("cache"),
        &["training.epochs=2"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let preset = run.join("preset.yaml");
    let yaml = std::fs::read_to_string(&preset).unwrap();
    std::fs::write(&preset, format!("device: cuda:0\n{yaml}")).unwrap();
    let to = tmp.path().join("x");
    for args in [
        vec![os("export"), run.as_os_str(), os("--to"), to.as_os_str()],
        vec![os("predict"), run.as_os_str()],
        vec![os("stop-replay"), run.as_os_str()],
    ] {
        let o = mkd_tui().args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o));
    }
}
