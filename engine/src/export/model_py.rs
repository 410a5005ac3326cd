//! `model.py`: the architecture of an exported checkpoint as a PyTorch `nn.Module`, with the input
//! normalisation and class names, so that
//! `Model().load_state_dict(safetensors.torch.load_file("model.safetensors"))` works and gives the
//! same logits as this program.
//!
//! Module names are the checkpoint's variable names (`fc0`, `head`, `conv0`, `bn0`, `layer1.0.conv1`,
//! `fc`, …), so the `state_dict` keys are the safetensors keys. Flatten is PyTorch's NCHW
//! `torch.flatten(x, 1)`, the order of the engine's `flatten_from(1)` on `[B, C, H, W]`.

use std::fmt::Write as _;

use crate::model::{CheckpointMeta, ModelSpec};

/// The Python source of `model.py` for a checkpoint with this metadata; `origin` (e.g. the run
/// directory and model name) goes into the docstring.
pub fn model_py(meta: &CheckpointMeta, origin: &str) -> String {
    let mut py = String::new();
    let arch = meta.spec.label();
    let s = meta.input;
    let _ = writeln!(
        py,
        "\"\"\"{arch}: exported by mkd-tui from {origin}.\n\n\
         Use:\n    \
             from safetensors.torch import load_file\n    \
             model = Model()\n    \
             model.load_state_dict(load_file(\"model.safetensors\"))\n    \
             model.eval()\n    \
             logits = model(preprocess(pixels))  # pixels: [B, {c}, {h}, {w}], 0..PIXEL_MAX\n\
         \"\"\"\n\n\
         import torch\n\
         import torch.nn.functional as F\n\
         from torch import nn\n\n\
         ARCH = {arch:?}\n\
         INPUT_SHAPE = ({c}, {h}, {w})  # channels, height, width (NCHW)\n\
         NUM_CLASSES = {k}",
        c = s.channels,
        h = s.height,
        w = s.width,
        k = meta.num_classes,
    );
    match &meta.provenance {
        Some(p) => {
            let floats = |v: &[f32]| {
                v.iter()
                    .map(|x| format!("{x:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let names = p
                .class_names
                .iter()
                .map(|n| format!("{n:?}"))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = writeln!(
                py,
                "DATASET = {:?}\n\
                 PIXEL_MAX = {}.0  # raw pixels run 0..PIXEL_MAX\n\
                 # Per-channel statistics of the training part, in [0, 1] units (pixel / PIXEL_MAX).\n\
                 MEAN = [{}]\n\
                 STD = [{}]\n\
                 CLASSES = [{names}]\n\n\n\
                 def preprocess(pixels):\n    \
                     \"\"\"Raw pixels [B, C, H, W] (0..PIXEL_MAX) -> the model's inputs: (pixel / PIXEL_MAX - MEAN[c]) / STD[c].\"\"\"\n    \
                     x = torch.as_tensor(pixels, dtype=torch.float64) / PIXEL_MAX\n    \
                     mean = torch.tensor(MEAN, dtype=torch.float64).view(1, -1, 1, 1)\n    \
                     std = torch.tensor(STD, dtype=torch.float64).view(1, -1, 1, 1)\n    \
                     return ((x - mean) / std).to(torch.float32)",
                p.dataset,
                p.pixel_max,
                floats(&p.mean),
                floats(&p.std),
            );
        }
        None => py.push_str(
            "# This checkpoint carries no input normalisation (it was written outside a run).\n",
        ),
    }
    py.push_str("\n\n");
    match &meta.spec {
        ModelSpec::Mlp { hidden, dropout } => {
            mlp(&mut py, s.numel(), hidden, *dropout, meta.num_classes)
        }
        ModelSpec::PlainCnn {
            channels,
            pool_every,
            batch_norm,
            hidden,
            dropout,
        } => plain_cnn(
            &mut py,
            (s.channels, s.height, s.width),
            channels,
            *pool_every,
            *batch_norm,
            hidden,
            *dropout,
            meta.num_classes,
        ),
        ModelSpec::ResnetCifar { depth } => resnet(&mut py, s.channels, *depth, meta.num_classes),
    }
    py
}

/// `fc{i}` hidden layers and `head`, as the engine's `Mlp`.
fn mlp(py: &mut String, n_in: usize, hidden: &[usize], dropout: f64, k: usize) {
    py.push_str(
        "class Model(nn.Module):\n    \
         \"\"\"flatten -> (Linear -> ReLU -> Dropout)* -> Linear.\"\"\"\n\n    \
         def __init__(self):\n        \
         super().__init__()\n",
    );
    let n = hidden_layers(py, n_in, hidden, dropout);
    let _ = writeln!(py, "        self.head = nn.Linear({n}, {k})\n");
    py.push_str(
        "    def forward(self, x):\n        \
         x = torch.flatten(x, 1)\n",
    );
    hidden_forward(py, hidden.len(), dropout);
    py.push_str("        return self.head(x)\n");
}

/// Declares `fc0…` (and `dropout` when p > 0); returns the last width.
fn hidden_layers(py: &mut String, n_in: usize, hidden: &[usize], dropout: f64) -> usize {
    let mut n = n_in;
    for (i, &w) in hidden.iter().enumerate() {
        let _ = writeln!(py, "        self.fc{i} = nn.Linear({n}, {w})");
        n = w;
    }
    if dropout > 0.0 && !hidden.is_empty() {
        let _ = writeln!(py, "        self.dropout = nn.Dropout({dropout})");
    }
    n
}

fn hidden_forward(py: &mut String, layers: usize, dropout: f64) {
    for i in 0..layers {
        if dropout > 0.0 {
            let _ = writeln!(py, "        x = self.dropout(F.relu(self.fc{i}(x)))");
        } else {
            let _ = writeln!(py, "        x = F.relu(self.fc{i}(x))");
        }
    }
}

/// `conv{i}` (3×3, pad 1; bias only without batch norm), `bn{i}`, a 2×2 max-pool after every
/// `pool_every` convolutions, then `fc{i}` and `head`, as the engine's `PlainCnn`.
#[allow(clippy::too_many_arguments)]
fn plain_cnn(
    py: &mut String,
    (c_in, h_in, w_in): (usize, usize, usize),
    channels: &[usize],
    pool_every: usize,
    batch_norm: bool,
    hidden: &[usize],
    dropout: f64,
    k: usize,
) {
    py.push_str(
        "class Model(nn.Module):\n    \
         \"\"\"(Conv3x3 -> [BatchNorm] -> ReLU -> [MaxPool 2x2])* -> flatten (NCHW) -> (Linear -> ReLU -> Dropout)* -> Linear.\"\"\"\n\n    \
         def __init__(self):\n        \
         super().__init__()\n",
    );
    let (mut c, mut h, mut w) = (c_in, h_in, w_in);
    let mut forward = String::new();
    for (i, &c_out) in channels.iter().enumerate() {
        let bias = if batch_norm { "False" } else { "True" };
        let _ = writeln!(
            py,
            "        self.conv{i} = nn.Conv2d({c}, {c_out}, 3, padding=1, bias={bias})"
        );
        let _ = writeln!(forward, "        x = self.conv{i}(x)");
        if batch_norm {
            let _ = writeln!(py, "        self.bn{i} = nn.BatchNorm2d({c_out})");
            let _ = writeln!(forward, "        x = self.bn{i}(x)");
        }
        let _ = writeln!(forward, "        x = F.relu(x)");
        if (i + 1) % pool_every == 0 {
            let _ = writeln!(
                forward,
                "        x = F.max_pool2d(x, 2)  # floor: an odd last row/column is dropped"
            );
            h /= 2;
            w /= 2;
        }
        c = c_out;
    }
    let n = hidden_layers(py, c * h * w, hidden, dropout);
    let _ = writeln!(py, "        self.head = nn.Linear({n}, {k})\n");
    py.push_str("    def forward(self, x):\n");
    py.push_str(&forward);
    let _ = writeln!(
        py,
        "        x = torch.flatten(x, 1)  # [B, {c}*{h}*{w}], NCHW order"
    );
    hidden_forward(py, hidden.len(), dropout);
    py.push_str("        return self.head(x)\n");
}

/// CIFAR ResNet of depth 6n+2 as the engine's `ResnetCifar`: `conv1`, `bn1`, `layer{1,2,3}.{b}`
/// basic blocks with `downsample.0/1` projections, `fc`.
fn resnet(py: &mut String, c_in: usize, depth: usize, k: usize) {
    let n = (depth - 2) / 6;
    let _ = write!(
        py,
        "class BasicBlock(nn.Module):\n    \
         \"\"\"relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)); the shortcut is a 1x1 conv + BN when the shape changes.\"\"\"\n\n    \
         def __init__(self, c_in, c_out, stride):\n        \
         super().__init__()\n        \
         self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)\n        \
         self.bn1 = nn.BatchNorm2d(c_out)\n        \
         self.conv2 = nn.Conv2d(c_out, c_out, 3, stride=1, padding=1, bias=False)\n        \
         self.bn2 = nn.BatchNorm2d(c_out)\n        \
         self.downsample = None\n        \
         if stride != 1 or c_in != c_out:\n            \
         self.downsample = nn.Sequential(\n                \
         nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out)\n            \
         )\n\n    \
         def forward(self, x):\n        \
         y = F.relu(self.bn1(self.conv1(x)))\n        \
         y = self.bn2(self.conv2(y))\n        \
         s = x if self.downsample is None else self.downsample(x)\n        \
         return F.relu(y + s)\n\n\n\
         class Model(nn.Module):\n    \
         \"\"\"resnet{depth} (He et al. 2016, section 4.2): conv3x3(16) -> BN -> ReLU -> 3 x {n} basic blocks (16, 32, 64 channels) -> global average pool -> Linear.\"\"\"\n\n    \
         def __init__(self):\n        \
         super().__init__()\n        \
         self.conv1 = nn.Conv2d({c_in}, 16, 3, stride=1, padding=1, bias=False)\n        \
         self.bn1 = nn.BatchNorm2d(16)\n"
    );
    let mut c = 16;
    for (stage, c_out) in [16usize, 32, 64].into_iter().enumerate() {
        let blocks: Vec<String> = (0..n)
            .map(|b| {
                let stride = if stage > 0 && b == 0 { 2 } else { 1 };
                let c_in = if b == 0 { c } else { c_out };
                format!("BasicBlock({c_in}, {c_out}, {stride})")
            })
            .collect();
        let _ = writeln!(
            py,
            "        self.layer{} = nn.Sequential({})",
            stage + 1,
            blocks.join(", ")
        );
        c = c_out;
    }
    let _ = write!(
        py,
        "        self.fc = nn.Linear(64, {k})\n\n    \
         def forward(self, x):\n        \
         x = F.relu(self.bn1(self.conv1(x)))\n        \
         x = self.layer3(self.layer2(self.layer1(x)))\n        \
         x = x.mean((2, 3))  # global average pool: [B, 64]\n        \
         return self.fc(x)\n"
    );
}
