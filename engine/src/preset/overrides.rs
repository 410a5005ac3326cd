//! `--set key.path=value` overrides, applied to the parsed YAML before it is checked.

use serde_yaml::{Mapping, Value};

use super::PresetError;

/// Apply one `key.path=value` argument to `root`. The value is read as YAML (`3`, `0.1`, `true`,
/// `[64, 32]`, `{ kind: cosine }`); list items are addressed by index (`chain.assistants.0.epochs=4`).
///
/// Errors: no `=`, an empty key, a path through a scalar, an index past a list's end, or a value
/// that is not YAML. Keys that do not exist in the schema are left to the schema check, which
/// names the valid keys.
pub fn apply(root: &mut Value, arg: &str) -> Result<(), PresetError> {
    let err = |message: String| PresetError::Override {
        arg: arg.to_string(),
        message,
    };
    let (path, raw) = arg
        .split_once('=')
        .ok_or_else(|| err("expected key.path=value, e.g. training.epochs=3".into()))?;
    let keys: Vec<&str> = path.trim().split('.').collect();
    if keys.iter().any(|k| k.is_empty()) {
        return Err(err(
            "empty key in the path; expected e.g. training.epochs".into()
        ));
    }
    let value: Value = serde_yaml::from_str(raw)
        .map_err(|e| err(format!("value `{raw}` is not valid YAML: {e}")))?;
    let mut node = root;
    for (depth, key) in keys.iter().enumerate() {
        let last = depth + 1 == keys.len();
        let here = keys[..=depth].join(".");
        node = match node {
            Value::Mapping(map) => {
                let k = Value::String((*key).to_string());
                if last {
                    map.insert(k, value);
                    return Ok(());
                }
                map.entry(k)
                    .or_insert_with(|| Value::Mapping(Mapping::new()))
            }
            Value::Sequence(items) => {
                let index: usize = key.parse().map_err(|_| {
                    err(format!(
                        "`{here}`: a list here; expected an index 0..{}",
                        items.len()
                    ))
                })?;
                let len = items.len();
                let slot = items.get_mut(index).ok_or_else(|| {
                    err(match len {
                        0 => format!("`{here}`: no item {index}; the list is empty"),
                        _ => format!(
                            "`{here}`: no item {index}; the list has {len} (indices 0 to {})",
                            len - 1
                        ),
                    })
                })?;
                if last {
                    *slot = value;
                    return Ok(());
                }
                slot
            }
            Value::Null => {
                // A key written with no value (`stop:`) becomes a mapping.
                *node = Value::Mapping(Mapping::new());
                let Value::Mapping(map) = node else {
                    unreachable!()
                };
                let k = Value::String((*key).to_string());
                if last {
                    map.insert(k, value);
                    return Ok(());
                }
                map.entry(k)
                    .or_insert_with(|| Value::Mapping(Mapping::new()))
            }
            _ => {
                return Err(err(format!(
                    "`{}` is a single value, not a section with keys",
                    keys[..depth].join(".")
                )))
            }
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        serde_yaml::from_str("training:\n  epochs: 3\nchain:\n  assistants:\n    - epochs: 2\n")
            .unwrap()
    }

    #[test]
    fn sets_nested_and_indexed_values() {
        let mut v = doc();
        apply(&mut v, "training.epochs=7").unwrap();
        apply(&mut v, "chain.assistants.0.epochs=5").unwrap();
        apply(&mut v, "data.train_limit=500").unwrap();
        assert_eq!(v["training"]["epochs"], Value::from(7));
        assert_eq!(v["chain"]["assistants"][0]["epochs"], Value::from(5));
        assert_eq!(v["data"]["train_limit"], Value::from(500));
    }

    #[test]
    fn values_are_yaml() {
        let mut v = doc();
        apply(&mut v, "training.schedule={kind: cosine}").unwrap();
        assert_eq!(v["training"]["schedule"]["kind"], Value::from("cosine"));
    }

    #[test]
    fn bad_arguments_are_explained() {
        let mut v = doc();
        let msg = apply(&mut v, "training.epochs").unwrap_err().to_string();
        assert!(msg.contains("expected key.path=value"), "{msg}");
        let msg = apply(&mut v, "chain.assistants.4.epochs=1")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("no item 4; the list has 1"), "{msg}");
        let msg = apply(&mut v, "training.epochs.x=1")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("`training.epochs` is a single value"), "{msg}");
    }
}
