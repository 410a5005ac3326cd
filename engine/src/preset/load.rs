//! Reading a preset file: strict parse, `--set` overrides, path resolution, validation.

use std::path::{Path, PathBuf};

use serde_yaml::Value;

use super::validate::WeightsFiles;
use super::{overrides, validate, Preset, PresetError};

/// A preset ready to plan: parsed, overridden, its relative paths resolved against the preset
/// file's folder, and validated.
#[derive(Debug, Clone)]
pub struct LoadedPreset {
    pub preset: Preset,
    /// The file it came from.
    pub path: PathBuf,
}

/// Read, parse, override, resolve and validate the preset at `path`.
///
/// Errors: the file cannot be read; YAML syntax, unknown keys (the message lists the valid ones),
/// wrong types (all with file:line:column); a bad `--set`; values that make no experiment
/// (with the key path and, where found, its line).
pub fn load(path: &Path, overrides: &[String]) -> Result<LoadedPreset, PresetError> {
    load_checked(path, overrides, WeightsFiles::MustExist)
}

/// A run's recorded `preset.yaml`, for reading what the run left (`export`, `predict`,
/// `stop-replay`): as [`load`] with `overrides`, except that the chain's `weights` files need not
/// exist any more (the run was moved, or the teacher's file deleted; the run has its own
/// checkpoints), and the device it trained on need not be here: nothing is trained, so a run
/// trained on a GPU is read by a CPU-only build (its `device` reads as `auto`).
///
/// Errors: as [`load`].
pub fn load_recorded(path: &Path, overrides: &[String]) -> Result<LoadedPreset, PresetError> {
    load_checked(path, overrides, WeightsFiles::MayBeGone)
}

fn load_checked(
    path: &Path,
    overrides: &[String],
    weights: WeightsFiles,
) -> Result<LoadedPreset, PresetError> {
    if path.is_dir() {
        return Err(PresetError::Folder {
            path: path.to_path_buf(),
            run_dir: path.join("preset.yaml").is_file(),
        });
    }
    let text = std::fs::read_to_string(path).map_err(|source| PresetError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if text.trim().is_empty() {
        return Err(PresetError::Parse {
            path: path.to_path_buf(),
            line: None,
            column: None,
            message: "the file is empty; a preset needs at least name, data, training and chain (see presets/quick.yaml)".into(),
        });
    }
    // Parse the text itself first: only then do errors carry line and column.
    let mut preset: Preset = serde_yaml::from_str(&text).map_err(|e| parse_error(path, &e, ""))?;
    if !overrides.is_empty() {
        let mut value: Value =
            serde_yaml::from_str(&text).map_err(|e| parse_error(path, &e, ""))?;
        let original = value.clone();
        for arg in overrides {
            overrides::apply(&mut value, arg)?;
        }
        preset = match serde_yaml::from_value(value) {
            Ok(p) => p,
            Err(e) => {
                // Name the first --set after which the preset no longer reads.
                let mut v = original;
                for arg in overrides {
                    overrides::apply(&mut v, arg)?;
                    if let Err(e) = serde_yaml::from_value::<Preset>(v.clone()) {
                        return Err(PresetError::Override {
                            arg: arg.clone(),
                            message: plain_types(&e.to_string()),
                        });
                    }
                }
                return Err(parse_error(path, &e, "after --set overrides: "));
            }
        };
    }
    let base = path.parent().unwrap_or(Path::new("."));
    resolve(&mut preset, base);
    if weights == WeightsFiles::MayBeGone {
        preset.device = crate::device::DeviceChoice::Auto;
    }
    if let Some(issue) = validate::check_with(&preset, weights).into_iter().next() {
        let overriding = overrides.iter().find(|o| {
            o.split_once('=').is_some_and(|(k, _)| {
                let k = k.trim();
                issue.field == k || issue.field.starts_with(&format!("{k}."))
            })
        });
        if let Some(arg) = overriding {
            return Err(PresetError::Override {
                arg: arg.clone(),
                message: format!("{}: {}", issue.field, issue.message),
            });
        }
        let segments: Vec<&str> = issue.field.split('.').collect();
        let at = super::locate::locate(&text, &segments);
        return Err(PresetError::Invalid {
            path: path.to_path_buf(),
            line: at.map(|(l, _)| l),
            column: at.map(|(_, c)| c),
            field: issue.field,
            message: issue.message,
        });
    }
    Ok(LoadedPreset {
        preset,
        path: path.to_path_buf(),
    })
}

fn parse_error(path: &Path, e: &serde_yaml::Error, prefix: &str) -> PresetError {
    let location = e.location();
    let mut message = e.to_string();
    // serde_yaml appends " at line L column C"; the location is printed in front instead.
    if let Some(cut) = message.rfind(" at line ") {
        message.truncate(cut);
    }
    PresetError::Parse {
        path: path.to_path_buf(),
        line: location.as_ref().map(|l| l.line()),
        column: location.as_ref().map(|l| l.column()),
        message: format!("{prefix}{}", plain_types(&message)),
    }
}

/// serde's messages name Rust types (`expected f64`, `expected struct DataConfig`); say what to
/// write instead.
fn plain_types(message: &str) -> String {
    let mut m = message.to_string();
    for (rust, plain) in [
        ("expected f64", "expected a number"),
        ("expected usize", "expected a whole number ≥ 0"),
        ("expected u64", "expected a whole number ≥ 0"),
        ("expected a boolean", "expected true or false"),
    ] {
        m = m.replace(rust, plain);
    }
    if let Some(i) = m.find("expected struct ") {
        let end = m[i + 16..]
            .find(|c: char| !c.is_alphanumeric())
            .map_or(m.len(), |e| i + 16 + e);
        m.replace_range(i..end, "expected a mapping of keys");
    }
    m
}

/// Resolve the preset's relative paths against the preset file's folder. Existing paths are
/// made canonical, and shown relative to the working directory when they lie below it
/// (`presets/../data` becomes `data`).
fn resolve(preset: &mut Preset, base: &Path) {
    let cwd = std::env::current_dir().ok();
    let join = |p: &Path| -> PathBuf {
        let joined = if p.is_absolute() {
            p.to_path_buf()
        } else {
            base.join(p)
        };
        let Ok(canonical) = std::fs::canonicalize(&joined) else {
            return joined;
        };
        cwd.as_ref()
            .and_then(|c| std::fs::canonicalize(c).ok())
            .and_then(|c| canonical.strip_prefix(c).ok().map(Path::to_path_buf))
            .filter(|rel| !rel.as_os_str().is_empty())
            .unwrap_or(canonical)
    };
    preset.data.root = join(&preset.data.root);
    if let Some(c) = &preset.distill.control_cache {
        preset.distill.control_cache = Some(join(c));
    }
    for node in std::iter::once(&mut preset.chain.teacher)
        .chain(preset.chain.assistants.iter_mut())
        .chain(std::iter::once(&mut preset.chain.student))
    {
        if let Some(w) = &node.weights {
            node.weights = Some(join(w));
        }
    }
}
