//! Preset errors: each names the file, the place in it (line:column or key path) and what was expected.

use std::path::PathBuf;

/// Why a preset could not be used. Shown to the user as `file:line:column: message`.
#[derive(Debug, thiserror::Error)]
pub enum PresetError {
    /// The file could not be read.
    #[error("{}: cannot read preset: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The path is a folder. `run_dir`: it holds a `preset.yaml` (a run directory), so resuming
    /// or watching it was likely meant.
    #[error(
        "{}: is a folder; expected a preset YAML file (e.g. presets/quick.yaml){}",
        path.display(),
        if *run_dir { format!(". It is a run directory: to continue it, `mkd-tui resume {0}`; to watch it, `mkd-tui attach {0}`", path.display()) } else { String::new() }
    )]
    Folder { path: PathBuf, run_dir: bool },
    /// YAML syntax, an unknown key, a missing key or a value of the wrong type.
    #[error("{}{}: {message}", path.display(), at(*line, *column))]
    Parse {
        path: PathBuf,
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },
    /// Well-formed YAML whose values do not make a usable experiment.
    #[error("{}{}: {field}: {message}", path.display(), at(*line, *column))]
    Invalid {
        path: PathBuf,
        line: Option<usize>,
        column: Option<usize>,
        /// Dotted key path, e.g. `chain.assistants.0.arch`.
        field: String,
        message: String,
    },
    /// A `--set key.path=value` argument that cannot be applied.
    #[error("--set {arg}: {message}")]
    Override { arg: String, message: String },
}

fn at(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}
