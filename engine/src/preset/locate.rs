//! Find the line of a dotted key path in a YAML text, so semantic errors point at the right place.
//!
//! serde_yaml reports positions only for parse errors; a value that parses but makes no sense
//! (`epochs: 0`) is found again here by walking the text's indentation. Handles block mappings and
//! block sequences (`- `), which is all the presets use; returns `None` for anything else.

/// 1-based (line, column) of the key at `path` (e.g. `["chain", "assistants", "0", "arch"]`).
pub fn locate(text: &str, path: &[&str]) -> Option<(usize, usize)> {
    let entries: Vec<Entry> = text
        .lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let trimmed = line.trim_start();
            (!trimmed.is_empty() && !trimmed.starts_with('#')).then(|| Entry {
                line: i + 1,
                indent: line.len() - trimmed.len(),
                text: trimmed,
            })
        })
        .collect();
    // The scope is entries[a..b]; when `item` is set, entries[a] is a sequence item whose "- "
    // prefix is read as indentation.
    let (mut a, mut b, mut item) = (0, entries.len(), false);
    let mut found = None;
    for segment in path {
        if a >= b {
            return None;
        }
        let view = |i: usize| entries[i].view(item && i == a);
        if let Ok(index) = segment.parse::<usize>() {
            let item_indent = entries[a].indent;
            let i = (a..b)
                .filter(|&i| entries[i].indent == item_indent && entries[i].is_item())
                .nth(index)?;
            let end = (i + 1..b)
                .find(|&k| entries[k].indent <= item_indent)
                .unwrap_or(b);
            found = Some((entries[i].line, item_indent + 3));
            (a, b, item) = (i, end, true);
        } else {
            let child_indent = view(a).0;
            let key = format!("{segment}:");
            let i = (a..b).find(|&i| {
                let (indent, text) = view(i);
                indent == child_indent && text.starts_with(&key)
            })?;
            let indent = view(i).0;
            let end = (i + 1..b)
                .find(|&k| {
                    let e = &entries[k];
                    e.indent < indent || (e.indent == indent && !e.is_item())
                })
                .unwrap_or(b);
            found = Some((entries[i].line, indent + 1));
            (a, b, item) = (i + 1, end, false);
        }
    }
    found
}

/// One line that holds YAML content (not blank, not a comment).
struct Entry<'a> {
    line: usize,
    indent: usize,
    text: &'a str,
}

impl<'a> Entry<'a> {
    fn is_item(&self) -> bool {
        self.text == "-" || self.text.starts_with("- ")
    }

    /// Indentation and text, reading a leading "- " as two more columns of indentation.
    fn view(&self, strip_item: bool) -> (usize, &'a str) {
        match self.text.strip_prefix("- ") {
            Some(rest) if strip_item => (self.indent + 2, rest.trim_start()),
            _ => (self.indent, self.text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::locate;

    const TEXT: &str = "\
name: quick
# comment
training:
  epochs: 3
  optimizer:
    kind: sgd
    lr: 0.1
chain:
  teacher:
    arch: { kind: mlp, hidden: [512] }
  assistants:
    - name: ta1
      arch: { kind: mlp, hidden: [128] }
    - name: ta2
      epochs: 0
      arch: { kind: mlp, hidden: [64] }
  student:
    arch: { kind: mlp, hidden: [32] }
";

    #[test]
    fn top_level_and_nested_keys() {
        assert_eq!(locate(TEXT, &["name"]), Some((1, 1)));
        assert_eq!(locate(TEXT, &["training", "epochs"]), Some((4, 3)));
        assert_eq!(locate(TEXT, &["training", "optimizer", "lr"]), Some((7, 5)));
    }

    #[test]
    fn sequence_items() {
        assert_eq!(locate(TEXT, &["chain", "assistants", "0"]), Some((12, 7)));
        assert_eq!(
            locate(TEXT, &["chain", "assistants", "0", "name"]),
            Some((12, 7))
        );
        assert_eq!(
            locate(TEXT, &["chain", "assistants", "1", "epochs"]),
            Some((15, 7))
        );
        assert_eq!(
            locate(TEXT, &["chain", "assistants", "1", "arch"]),
            Some((16, 7))
        );
    }

    #[test]
    fn key_of_a_sibling_is_not_found_in_the_wrong_parent() {
        assert_eq!(locate(TEXT, &["chain", "student", "arch"]), Some((18, 5)));
        assert_eq!(locate(TEXT, &["training", "arch"]), None);
        assert_eq!(locate(TEXT, &["missing"]), None);
    }
}
