//! Where a run trains: the preset's `device` field (`auto | cpu | cuda | cuda:N`), its resolution
//! to a candle device, and how front ends name that device.
//!
//! CUDA needs a binary built with the `cuda` cargo feature (README: "Training on a GPU"). On the
//! CPU the fused CPU kernels run; on a GPU the device-generic ops (`model::generic`).

use std::fmt;
use std::str::FromStr;

use candle_core::Device;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// True when this binary was built with CUDA support (`--features cuda`).
pub const CUDA_BUILT: bool = cfg!(feature = "cuda");

/// The device a preset (or `--device`) asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeviceChoice {
    /// The first GPU when the binary has CUDA and one is present, else the CPU.
    #[default]
    Auto,
    /// The CPU (its fused kernels).
    Cpu,
    /// CUDA GPU number `N` (`cuda` is `cuda:0`).
    Cuda(usize),
}

impl DeviceChoice {
    /// True for the default, `auto` (left out of saved presets).
    pub fn is_auto(&self) -> bool {
        *self == DeviceChoice::Auto
    }
}

impl fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceChoice::Auto => f.write_str("auto"),
            DeviceChoice::Cpu => f.write_str("cpu"),
            DeviceChoice::Cuda(n) => write!(f, "cuda:{n}"),
        }
    }
}

/// The words for a value that is not a device choice.
const EXPECTED: &str = "auto, cpu, cuda or cuda:N (N a GPU number, 0 first)";

impl FromStr for DeviceChoice {
    type Err = String;

    /// `auto`, `cpu`, `cuda`, `cuda:N`; the error says what was expected.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "auto" => Ok(DeviceChoice::Auto),
            "cpu" => Ok(DeviceChoice::Cpu),
            "cuda" => Ok(DeviceChoice::Cuda(0)),
            other => other
                .strip_prefix("cuda:")
                .and_then(|n| n.parse().ok())
                .map(DeviceChoice::Cuda)
                .ok_or_else(|| format!("expected {EXPECTED}, got `{other}`")),
        }
    }
}

impl Serialize for DeviceChoice {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DeviceChoice {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Why a device choice cannot be honoured.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    /// CUDA asked of a binary built without it.
    #[error(
        "device: `{asked}` needs a build with CUDA support; this mkd-tui was built without it \
         (build with `cargo build --release --features cuda` on a machine with the CUDA toolkit, \
         see README \"Training on a GPU\"), or set `device: cpu`"
    )]
    CudaNotBuilt {
        /// The choice as written.
        asked: DeviceChoice,
    },
    /// The GPU could not be opened (none present, a wrong number, a driver error).
    #[error("device: `{asked}`: no usable CUDA GPU {ordinal}: {reason}")]
    NoGpu {
        /// The choice as written.
        asked: DeviceChoice,
        /// The GPU number tried.
        ordinal: usize,
        /// candle's / the driver's message.
        reason: String,
    },
}

impl DeviceChoice {
    /// Errors when this binary cannot honour the choice at all (CUDA without the `cuda`
    /// feature); `check` uses it without opening a GPU.
    pub fn validate(self) -> Result<(), DeviceError> {
        match self {
            DeviceChoice::Cuda(_) if !CUDA_BUILT => Err(DeviceError::CudaNotBuilt { asked: self }),
            _ => Ok(()),
        }
    }

    /// The candle device: `auto` → GPU 0 when this binary has CUDA and it opens, else the CPU.
    /// Errors for `cuda`/`cuda:N` without CUDA support or when that GPU does not open.
    pub fn resolve(self) -> Result<Device, DeviceError> {
        self.validate()?;
        match self {
            DeviceChoice::Cpu => Ok(Device::Cpu),
            DeviceChoice::Auto if !CUDA_BUILT => Ok(Device::Cpu),
            DeviceChoice::Auto => Ok(Device::new_cuda(0).unwrap_or(Device::Cpu)),
            DeviceChoice::Cuda(n) => Device::new_cuda(n).map_err(|e| DeviceError::NoGpu {
                asked: self,
                ordinal: n,
                reason: e.to_string(),
            }),
        }
    }
}

/// A device in words for headers, `ls` and reports: `cpu`, or `cuda:N (GPU name)`.
pub fn describe(device: &Device) -> String {
    match device {
        Device::Cpu => "cpu".to_string(),
        #[cfg(feature = "cuda")]
        Device::Cuda(d) => {
            let ctx = d.cuda_stream().context().clone();
            match ctx.name() {
                Ok(name) => format!("cuda:{} ({name})", ctx.ordinal()),
                Err(_) => format!("cuda:{}", ctx.ordinal()),
            }
        }
        other => format!("{:?}", other.location()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_parse_and_print_back() {
        for (text, choice) in [
            ("auto", DeviceChoice::Auto),
            ("cpu", DeviceChoice::Cpu),
            ("cuda", DeviceChoice::Cuda(0)),
            ("cuda:3", DeviceChoice::Cuda(3)),
        ] {
            assert_eq!(text.parse::<DeviceChoice>().unwrap(), choice);
        }
        assert_eq!(DeviceChoice::Cuda(0).to_string(), "cuda:0");
        assert_eq!(DeviceChoice::default(), DeviceChoice::Auto);
        for bad in ["gpu", "cuda:", "cuda:x", "CPU", "cuda:-1", "metal"] {
            let e = bad.parse::<DeviceChoice>().unwrap_err();
            assert!(
                e.contains("auto, cpu, cuda or cuda:N") && e.contains(bad),
                "{e}"
            );
        }
    }

    #[test]
    fn cpu_and_auto_resolve_without_a_gpu_build() {
        assert!(DeviceChoice::Cpu.resolve().unwrap().is_cpu());
        if !CUDA_BUILT {
            assert!(DeviceChoice::Auto.resolve().unwrap().is_cpu());
            let e = DeviceChoice::Cuda(1).resolve().unwrap_err().to_string();
            assert!(
                e.starts_with("device: `cuda:1` needs a build with CUDA support"),
                "{e}"
            );
            assert!(e.contains("--features cuda"), "{e}");
        }
        assert_eq!(describe(&Device::Cpu), "cpu");
    }
}
