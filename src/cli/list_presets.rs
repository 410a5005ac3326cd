//! `mkd-tui presets`: the preset files in a folder, one line each.

use std::path::Path;

use super::ExitCode;

/// Print `file  name: description` for every `*.yaml` in `dir`, sorted; a file that does not
/// parse is listed with its error instead of being hidden.
pub fn list(dir: &Path) -> anyhow::Result<ExitCode> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            eprintln!(
                "mkd-tui: {}: cannot list presets ({e}); run from the project folder or pass --dir",
                dir.display()
            );
            return Ok(ExitCode::BadInput);
        }
    };
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    if files.is_empty() {
        println!("no presets (*.yaml) in {}", dir.display());
        return Ok(ExitCode::Success);
    }
    for path in files {
        let shown = path.display().to_string();
        match crate::preset::load(&path, &[]) {
            Ok(p) => println!("{shown:<28} {}", p.preset.description),
            Err(e) => println!("{shown:<28} (invalid: {e})"),
        }
    }
    Ok(ExitCode::Success)
}
