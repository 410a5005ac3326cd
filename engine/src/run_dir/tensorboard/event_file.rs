//! One TensorBoard event file (`events.out.tfevents.<seconds>.<host>.<pid>`): scalars and text at
//! a step, each record flushed at once so `tensorboard` shows a running run live.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use prost::Message;

use super::proto::{
    Event, PluginData, Summary, SummaryMetadata, SummaryValue, TensorProto, TensorShapeProto,
    DT_STRING, FILE_VERSION,
};
use super::record::write_record;

/// An open event file of one TensorBoard run (one folder).
pub struct EventFile {
    out: BufWriter<File>,
    path: PathBuf,
}

impl EventFile {
    /// Create `dir` (and its parents) and a new event file in it, starting with the file-version
    /// record. The name holds the time, host and pid, as TensorFlow's writer does, so a resumed run
    /// adds a second file beside the first instead of overwriting it (TensorBoard reads both).
    pub fn create(dir: &Path) -> std::io::Result<EventFile> {
        std::fs::create_dir_all(dir)?;
        let now = wall_time();
        let mut n = 0;
        let (file, path) = loop {
            let mut name = format!(
                "events.out.tfevents.{:010}.{}.{}",
                now as u64,
                host_name(),
                std::process::id()
            );
            if n > 0 {
                name.push_str(&format!(".{n}"));
            }
            let path = dir.join(name);
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(f) => break (f, path),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => n += 1,
                Err(e) => return Err(e),
            }
        };
        let mut file = EventFile {
            out: BufWriter::new(file),
            path,
        };
        file.write(&Event {
            wall_time: now,
            step: 0,
            file_version: Some(FILE_VERSION.into()),
            summary: None,
        })?;
        Ok(file)
    }

    /// Where the records go.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Scalars `(tag, value)` at `step` (one record).
    pub fn scalars(&mut self, step: i64, values: &[(&str, f64)]) -> std::io::Result<()> {
        let value = values
            .iter()
            .map(|&(tag, v)| SummaryValue {
                tag: tag.into(),
                simple_value: Some(v as f32),
                ..Default::default()
            })
            .collect();
        self.summary(step, Summary { value })
    }

    /// A text summary `tag` at `step`, shown by TensorBoard's Text tab (a scalar string tensor
    /// with plugin `text`, as `tf.summary.text` writes it).
    pub fn text(&mut self, step: i64, tag: &str, text: &str) -> std::io::Result<()> {
        let value = SummaryValue {
            tag: tag.into(),
            tensor: Some(TensorProto {
                dtype: DT_STRING,
                // A scalar string: TensorBoard renders it as one Markdown paragraph (a `[1]`
                // vector would be drawn as a one-cell table).
                tensor_shape: Some(TensorShapeProto { dim: Vec::new() }),
                string_val: vec![text.as_bytes().to_vec()],
            }),
            metadata: Some(SummaryMetadata {
                plugin_data: Some(PluginData {
                    plugin_name: "text".into(),
                    content: Vec::new(),
                }),
            }),
            ..Default::default()
        };
        self.summary(step, Summary { value: vec![value] })
    }

    fn summary(&mut self, step: i64, summary: Summary) -> std::io::Result<()> {
        self.write(&Event {
            wall_time: wall_time(),
            step,
            file_version: None,
            summary: Some(summary),
        })
    }

    fn write(&mut self, event: &Event) -> std::io::Result<()> {
        write_record(&mut self.out, &event.encode_to_vec())?;
        self.out.flush()
    }
}

fn wall_time() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// This machine's name, for the file name only (`localhost` when it cannot be read); characters
/// other than letters, digits, `-` and `.` become `_`.
fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most `buf.len()` bytes into `buf`.
    let ok = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0;
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    let name: String = String::from_utf8_lossy(&buf[..end])
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if ok && !name.is_empty() {
        name
    } else {
        "localhost".into()
    }
}
