//! The binary runs with its mimalloc settings (README: Performance): it re-executes itself with
//! `MIMALLOC_PURGE_DELAY=-1` and `MIMALLOC_ARENA_EAGER_COMMIT=1`, each unless the user set it.
//! mimalloc prints the options it starts with under `MIMALLOC_VERBOSE=1`; the last values printed
//! are those of the process that ran.

use std::process::Command;

fn started_with(env: &[(&str, &str)]) -> (String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_mkd-tui"))
        .arg("--version")
        .env_remove("MIMALLOC_PURGE_DELAY")
        .env_remove("MIMALLOC_ARENA_EAGER_COMMIT")
        .env("MIMALLOC_VERBOSE", "1")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout)
            .matches("mkd-tui ")
            .count(),
        1,
        "printed once"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    let last = |name: &str| {
        err.lines()
            .rev()
            .find_map(|l| l.strip_prefix(&format!("option '{name}': ")))
            .unwrap_or_else(|| panic!("no {name} in {err}"))
            .trim()
            .to_string()
    };
    (last("purge_delay"), last("arena_eager_commit"))
}

#[test]
fn the_allocator_keeps_freed_memory_unless_the_user_says_otherwise() {
    assert_eq!(started_with(&[]), ("-1".into(), "1".into()));
    assert_eq!(
        started_with(&[("MIMALLOC_PURGE_DELAY", "10")]),
        ("10".into(), "1".into())
    );
    assert_eq!(
        started_with(&[
            ("MIMALLOC_PURGE_DELAY", "5"),
            ("MIMALLOC_ARENA_EAGER_COMMIT", "0")
        ]),
        ("5".into(), "0".into())
    );
}
