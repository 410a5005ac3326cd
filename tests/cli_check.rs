//! `mkd-tui check`, `presets` and bad input, run as processes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mkd-tui"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Run with `args`, expect exit code 2 (bad input), return stderr.
fn rejected(args: &[&str]) -> String {
    let o = bin().args(args).output().unwrap();
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    err
}

/// Write a copy of quick.yaml with `edit` applied into a temp folder next to a `data` link.
fn edited_quick(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    let src =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("presets/quick.yaml"))
            .unwrap();
    let path = dir.join("bad.yaml");
    std::fs::write(&path, edit(src)).unwrap();
    path
}

#[test]
fn check_prints_the_plan() {
    let o = bin()
        .args(["check", "presets/quick.yaml"])
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "stdout {out}\nstderr {err}");
    for needle in [
        "valid",
        "teacher",
        "ta1",
        "student",
        "mlp-512-256",
        "params",
        "scratch",
        "TMAC",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
}

#[test]
fn every_shipped_preset_is_valid() {
    for preset in [
        "presets/quick.yaml",
        "presets/hinton-mnist.yaml",
        "presets/fashion-cnn.yaml",
        "presets/fashion-dynamic.yaml",
        "presets/mnist-cnn-gap.yaml",
    ] {
        let o = bin().args(["check", preset]).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{preset}: {:?}", text(&o));
    }
}

#[test]
fn misspelt_key_names_file_line_column_and_the_valid_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = edited_quick(dir.path(), |s| s.replace("  epochs: 10", "  epochz: 10"));
    let err = rejected(&["check", path.to_str().unwrap()]);
    let line = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .position(|l| l.contains("epochz"))
        .unwrap()
        + 1;
    assert!(err.contains(&format!("bad.yaml:{line}:3")), "{err}");
    assert!(err.contains("unknown field `epochz`"), "{err}");
    assert!(
        err.contains("`epochs`") && err.contains("`batch_size`"),
        "{err}"
    );
}

#[test]
fn bad_value_names_the_key_and_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = edited_quick(dir.path(), |s| s.replace("alpha: 0.5", "alpha: 1.7"));
    let err = rejected(&["check", path.to_str().unwrap()]);
    let line = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .position(|l| l.contains("alpha: 1.7"))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!(
            "bad.yaml:{line}:3: distill.alpha: expected a number in [0, 1], got 1.7"
        )),
        "{err}"
    );
}

#[test]
fn wrong_type_is_reported_with_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = edited_quick(dir.path(), |s| {
        s.replace("batch_size: 128", "batch_size: many")
    });
    let err = rejected(&["check", path.to_str().unwrap()]);
    assert!(
        err.contains("bad.yaml:") && err.contains("invalid type"),
        "{err}"
    );
}

#[test]
fn bad_override_is_rejected_with_the_argument() {
    let err = rejected(&["check", "presets/quick.yaml", "--set", "training.epochs=0"]);
    assert!(
        err.contains("--set training.epochs=0") && err.contains("expected at least 1"),
        "{err}"
    );

    let err = rejected(&["check", "presets/quick.yaml", "--set", "training.epochz=3"]);
    assert!(err.contains("unknown field `epochz`"), "{err}");
}

#[test]
fn override_changes_the_plan() {
    let o = bin()
        .args([
            "check",
            "presets/quick.yaml",
            "--set",
            "chain.student.arch.hidden=[64]",
        ])
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(out.contains("mlp-64"), "{out}");
}

#[test]
fn missing_preset_file_is_named() {
    let err = rejected(&["check", "presets/nope.yaml"]);
    assert!(
        err.contains("presets/nope.yaml") && err.contains("cannot read"),
        "{err}"
    );
}

#[test]
fn presets_lists_the_shipped_presets() {
    let o = bin().arg("presets").output().unwrap();
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(0));
    for name in [
        "quick.yaml",
        "hinton-mnist.yaml",
        "fashion-cnn.yaml",
        "fashion-dynamic.yaml",
    ] {
        assert!(out.contains(name), "{out}");
    }
}

#[test]
fn help_has_examples() {
    let o = bin().arg("--help").output().unwrap();
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        out.contains("Examples:") && out.contains("mkd-tui run presets/quick.yaml --headless"),
        "{out}"
    );
}

#[test]
fn check_reads_the_data_and_names_the_missing_files() {
    let err = rejected(&[
        "check",
        "presets/quick.yaml",
        "--set",
        "data.root=/nonexistent-data",
    ]);
    assert!(
        err.contains("/nonexistent-data/fashion-mnist/train-images-idx3-ubyte"),
        "{err}"
    );
}

#[test]
fn the_failing_override_is_named_in_plain_words() {
    let err = rejected(&[
        "check",
        "presets/quick.yaml",
        "--set",
        "training.epochs=3",
        "--set",
        "data.val_size=-5",
    ]);
    assert!(
        err.contains("--set data.val_size=-5") && err.contains("expected a whole number ≥ 0"),
        "{err}"
    );
}

#[test]
fn test_size_is_only_for_datasets_without_a_test_split() {
    let err = rejected(&["check", "presets/quick.yaml", "--set", "data.test_size=100"]);
    assert!(
        err.contains("data.test_size") && err.contains("digits"),
        "{err}"
    );
}

#[test]
fn empty_preset_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.yaml");
    std::fs::write(&path, "\n").unwrap();
    let err = rejected(&["check", path.to_str().unwrap()]);
    assert!(err.contains("the file is empty"), "{err}");
}

#[test]
fn unknown_word_is_not_mistaken_for_a_preset() {
    let err = rejected(&["bogus"]);
    assert!(err.contains("neither a preset file nor a command"), "{err}");
    let err = rejected(&["presets", "--dir", "no-such-folder"]);
    assert!(
        err.contains("no-such-folder") && err.contains("cannot list presets"),
        "{err}"
    );
}

#[test]
fn check_shows_the_strategy_the_ladder_and_the_prior() {
    let o = bin()
        .args(["check", "presets/fashion-dynamic.yaml"])
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    for needle in [
        "strategy  dynamic",
        "ladder    mlp-256 (203.5k), mlp-128 (101.8k), mlp-64 (50.9k), mlp-32 (25.4k)",
        "prior     mlp-512-256 → mlp-16 is 42.1× in parameters: k₀ = 1 (mlp-128)",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
}

#[test]
fn dynamic_needs_a_planner_and_sane_thresholds() {
    let dir = tempfile::tempdir().unwrap();
    let path = edited_quick(dir.path(), |s| {
        s.replace("seed: 42", "seed: 42\nstrategy: dynamic")
    });
    let err = rejected(&["check", path.to_str().unwrap()]);
    assert!(
        err.contains("planner") && err.contains("strategy `dynamic` needs"),
        "{err}"
    );
    let err = rejected(&[
        "check",
        path.to_str().unwrap(),
        "--set",
        "planner={ladder: {kind: mlp, widths: [64]}, max_ratio: 1}",
    ]);
    assert!(
        err.contains("planner.max_ratio") && err.contains("expected a number > 1"),
        "{err}"
    );
}

#[test]
fn augmentation_dropout_and_kl_reduction_are_checked_and_shown() {
    let err = rejected(&[
        "check",
        "presets/quick.yaml",
        "--set",
        "data.augment={pad: 2, jitter: 1}",
    ]);
    assert!(
        err.contains("data.augment") && err.contains("not both"),
        "{err}"
    );
    let err = rejected(&[
        "check",
        "presets/quick.yaml",
        "--set",
        "data.augment={pad: 28}",
    ]);
    assert!(err.contains("smaller than the image (28 px)"), "{err}");
    let err = rejected(&[
        "check",
        "presets/quick.yaml",
        "--set",
        "data.augment={shift: 2}",
    ]);
    assert!(err.contains("shift"), "{err}");
    let err = rejected(&[
        "check",
        "presets/quick.yaml",
        "--set",
        "chain.student.arch.dropout=1.5",
    ]);
    assert!(
        err.contains("dropout 1.5") && err.contains("[0, 1)"),
        "{err}"
    );
    let err = rejected(&[
        "check",
        "presets/quick.yaml",
        "--set",
        "distill.kl_reduction=sum",
    ]);
    assert!(err.contains("kl_reduction") || err.contains("sum"), "{err}");
    let o = bin()
        .args(["check", "presets/quick.yaml"])
        .args(["--set", "data.augment={pad: 2, flip: true}"])
        .args(["--set", "distill.kl_reduction=mean"])
        .args(["--set", "chain.teacher.arch.dropout=0.5"])
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        out.contains("augment   random crop, pad 2 px · horizontal flip"),
        "{out}"
    );
    assert!(out.contains("KL mean"), "{out}");
    assert!(out.contains("mlp-512-256-d0.5"), "{out}");
}

/// `stop.enabled: false` is the off switch of the stop rule, and `check` says so.
#[test]
fn check_shows_a_stop_rule_switched_off() {
    let o = bin()
        .args(["check", "presets/quick.yaml", "--set", "stop.enabled=false"])
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "stdout {out}\nstderr {err}");
    let stop = out
        .lines()
        .find(|l| l.starts_with("stop "))
        .unwrap_or_default();
    assert!(
        stop.contains("off (enabled: false): no automatic stop"),
        "{out}"
    );
}

#[test]
fn a_folder_as_teacher_weights_says_a_safetensors_file_is_expected() {
    let tmp = tempfile::tempdir().unwrap();
    let set = format!("chain.teacher.weights={}", tmp.path().display());
    let err = rejected(&["check", "tests/fixtures/tiny-digits.yaml", "--set", &set]);
    assert!(
        err.contains(&format!(
            "`{}` is a folder; expected a safetensors file",
            tmp.path().display()
        )),
        "{err}"
    );
    assert!(!err.contains("does not exist"), "{err}");
}
