//! The device choice end to end: `--device` and the preset's `device` field, what a CPU-only
//! build says when CUDA is asked of it, and where a run records the device it trained on.

mod process_support;

use mkd_tui::device::CUDA_BUILT;
use process_support::{mkd_tui, text, TINY};

#[test]
fn a_run_names_its_device_in_the_report_and_in_ls() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("runs").join("on-cpu");
    let o = mkd_tui()
        .args(["run", TINY, "--headless", "--device", "cpu", "--out"])
        .arg(&out)
        .args(["--set", "training.epochs=1"])
        .arg("--set")
        .arg(format!(
            "distill.control_cache={}",
            tmp.path().join("cache").display()
        ))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("test 300) on cpu, run directory"),
        "{}",
        text(&o)
    );
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains(" · trained on cpu"), "{md}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["device"], "cpu");
    // The flag is recorded in the run's preset, so `resume` continues where it ran.
    let preset = std::fs::read_to_string(out.join("preset.yaml")).unwrap();
    assert!(preset.contains("device: cpu"), "{preset}");
    let o = mkd_tui()
        .args(["ls", "--runs"])
        .arg(tmp.path().join("runs"))
        .output()
        .unwrap();
    let listing = text(&o);
    let header = listing.lines().next().unwrap();
    let line = listing.lines().find(|l| l.starts_with("on-cpu")).unwrap();
    let column = header.find("device").unwrap();
    assert_eq!(&line[column..column + 4], "cpu ", "{listing}");
}

#[test]
fn a_device_that_is_no_device_is_refused_with_the_choices() {
    let o = mkd_tui()
        .args(["run", TINY, "--headless", "--device", "gpu"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("expected auto, cpu, cuda or cuda:N"),
        "{}",
        text(&o)
    );
    let o = mkd_tui()
        .args(["check", TINY, "--set", "device=cuda:x"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("got `cuda:x`"), "{}", text(&o));
}

/// A CPU-only build asked for CUDA, by the preset or by the flag, says which field and how to
/// build; `auto` falls back to the CPU and `check` says so.
#[test]
fn cuda_asked_of_a_cpu_only_build_names_the_field_and_the_build() {
    if CUDA_BUILT {
        eprintln!("skipped: this test binary was built with CUDA");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let preset = tmp.path().join("gpu.yaml");
    let tiny = std::fs::read_to_string(TINY).unwrap().replace(
        "root: ../../data",
        &format!("root: {}/data", env!("CARGO_MANIFEST_DIR")),
    );
    std::fs::write(&preset, format!("{tiny}device: cuda\n")).unwrap();
    let line = tiny.lines().count() + 1;
    let o = mkd_tui().arg("check").arg(&preset).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = text(&o);
    assert!(err.contains(&format!("gpu.yaml:{line}:")), "{err}");
    assert!(
        err.contains("device: `cuda:0` needs a build with CUDA support"),
        "{err}"
    );
    assert!(err.contains("--features cuda"), "{err}");

    let o = mkd_tui()
        .args(["run", TINY, "--headless", "--device", "cuda"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).starts_with("mkd-tui: --device: `cuda:0`"),
        "{}",
        text(&o)
    );

    let o = mkd_tui().args(["check", TINY]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("device    cpu (auto; this build has no CUDA"),
        "{}",
        text(&o)
    );
}

/// A run whose preset names a GPU (as one trained on a GPU does) resumes on the CPU with
/// `resume --device cpu`: checkpoints hold plain tensors, loaded onto whichever device resumes.
#[test]
fn a_run_recorded_on_a_gpu_resumes_on_the_cpu() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let o = mkd_tui()
        .args(["run", TINY, "--headless", "--out"])
        .arg(&out)
        .arg("--set")
        .arg(format!(
            "distill.control_cache={}",
            tmp.path().join("cache").display()
        ))
        .env("MKD_TUI_FAULT", "kill@0:2:1")
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        None,
        "killed by its fault hook: {}",
        text(&o)
    );
    let preset = out.join("preset.yaml");
    let yaml = std::fs::read_to_string(&preset).unwrap();
    std::fs::write(&preset, format!("{yaml}device: cuda\n")).unwrap();
    if !CUDA_BUILT {
        let o = mkd_tui()
            .args(["resume", "--headless"])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(
            text(&o).contains("needs a build with CUDA support"),
            "{}",
            text(&o)
        );
    }
    let o = mkd_tui()
        .args(["resume", "--headless", "--device", "cpu"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("training on cpu"), "{}", text(&o));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("trained on cpu"), "{md}");
}
