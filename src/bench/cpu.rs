//! Which processor a figure comes from: its model name and the vector extensions that decide
//! which matrix kernels run (gemm uses AVX-512 kernels only where `avx512f` is present; an
//! AVX2-only core trained quick.yaml about 3× slower here). Read from `/proc/cpuinfo`.

use serde::{Deserialize, Serialize};

/// The extensions reported, in this order, when present.
pub const EXTENSIONS: [&str; 5] = ["sse4_2", "avx", "avx2", "fma", "avx512f"];

/// A processor as a benchmark figure needs it named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cpu {
    /// `model name` of the first processor (`unknown` when not given).
    pub model: String,
    /// Logical processors listed.
    pub logical: usize,
    /// Those of [`EXTENSIONS`] the first processor's `flags` list.
    pub extensions: Vec<String>,
}

impl Cpu {
    /// This machine's processor (`/proc/cpuinfo`; off Linux, the model is `unknown` and the
    /// extensions are those the running process detects).
    pub fn detect() -> Cpu {
        match std::fs::read_to_string("/proc/cpuinfo") {
            Ok(text) => Cpu::parse(&text),
            Err(_) => Cpu {
                model: "unknown".into(),
                logical: std::thread::available_parallelism().map_or(1, |n| n.get()),
                extensions: detected(),
            },
        }
    }

    /// The processor described by `/proc/cpuinfo` text `text`.
    pub fn parse(text: &str) -> Cpu {
        let field = |name: &str| {
            text.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                (k.trim() == name).then(|| v.trim().to_string())
            })
        };
        let flags = field("flags").unwrap_or_default();
        let flags: Vec<&str> = flags.split_whitespace().collect();
        Cpu {
            model: field("model name").unwrap_or_else(|| "unknown".into()),
            logical: text
                .lines()
                .filter(|l| l.split(':').next().map(str::trim) == Some("processor"))
                .count(),
            extensions: EXTENSIONS
                .iter()
                .filter(|e| flags.contains(e))
                .map(|e| e.to_string())
                .collect(),
        }
    }

    /// `Intel(R) Xeon(R) Processor · 2 logical CPUs · avx2 fma avx512f`.
    pub fn line(&self) -> String {
        format!(
            "{} · {} logical CPU{} · vector extensions: {}",
            self.model,
            self.logical,
            if self.logical == 1 { "" } else { "s" },
            if self.extensions.is_empty() {
                "none of ".to_string() + &EXTENSIONS.join(" ")
            } else {
                self.extensions.join(" ")
            }
        )
    }
}

/// [`EXTENSIONS`] the running process detects (x86-64 only).
fn detected() -> Vec<String> {
    #[cfg(target_arch = "x86_64")]
    {
        let have = [
            std::arch::is_x86_feature_detected!("sse4.2"),
            std::arch::is_x86_feature_detected!("avx"),
            std::arch::is_x86_feature_detected!("avx2"),
            std::arch::is_x86_feature_detected!("fma"),
            std::arch::is_x86_feature_detected!("avx512f"),
        ];
        EXTENSIONS
            .iter()
            .zip(have)
            .filter(|(_, h)| *h)
            .map(|(e, _)| e.to_string())
            .collect()
    }
    #[cfg(not(target_arch = "x86_64"))]
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_count_and_extensions_from_cpuinfo() {
        let text = "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Processor\n\
                    flags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512bw\n\n\
                    processor\t: 1\nmodel name\t: Intel(R) Xeon(R) Processor\n\
                    flags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512bw\n";
        let cpu = Cpu::parse(text);
        assert_eq!(cpu.model, "Intel(R) Xeon(R) Processor");
        assert_eq!(cpu.logical, 2);
        assert_eq!(cpu.extensions, ["sse4_2", "avx", "avx2", "fma", "avx512f"]);
        assert_eq!(
            cpu.line(),
            "Intel(R) Xeon(R) Processor · 2 logical CPUs · vector extensions: sse4_2 avx avx2 fma avx512f"
        );
        let old = Cpu::parse("processor : 0\nmodel name : Old\nflags : fpu sse4_2 avx\n");
        assert_eq!(old.extensions, ["sse4_2", "avx"], "no avx2, no avx512f");
    }
}
