//! Short names of architectures, as shown in the UI and the report.

use super::ModelSpec;

impl ModelSpec {
    /// A short, unique name of the architecture: `mlp-512-256` (`mlp` for a linear classifier),
    /// `cnn-32-64-p2-bn-fc128` (channels, `p` pool_every, `bn` when batch-normalised, one `fc<w>` per
    /// hidden linear layer), `resnet20`; `-d0.5` at the end when the hidden layers have dropout.
    pub fn label(&self) -> String {
        let mut s = self.base_label();
        let p = self.dropout();
        if p > 0.0 {
            s.push_str(&format!("-d{p}"));
        }
        s
    }

    fn base_label(&self) -> String {
        match self {
            ModelSpec::Mlp { hidden, .. } => {
                let mut s = String::from("mlp");
                for h in hidden {
                    s.push_str(&format!("-{h}"));
                }
                s
            }
            ModelSpec::PlainCnn {
                channels,
                pool_every,
                batch_norm,
                hidden,
                ..
            } => {
                let mut s = String::from("cnn");
                for c in channels {
                    s.push_str(&format!("-{c}"));
                }
                s.push_str(&format!("-p{pool_every}"));
                if *batch_norm {
                    s.push_str("-bn");
                }
                for h in hidden {
                    s.push_str(&format!("-fc{h}"));
                }
                s
            }
            ModelSpec::ResnetCifar { depth } => format!("resnet{depth}"),
        }
    }
}
