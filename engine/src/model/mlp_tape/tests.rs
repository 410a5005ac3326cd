//! The tape's gradients and eval logits against candle's graph of the same MLP, bit for bit.

use candle_core::{DType, Device, Tensor};

use crate::data::ImageShape;
use crate::distill::{cross_entropy, kd_loss_reduced, KlReduction};
use crate::model::cpu_slice::test_support::values;
use crate::model::relu::relu;
use crate::model::{Classifier, ModelSpec};
use crate::train::{AdamW, Optimizer, Sgd};

const INPUT: ImageShape = ImageShape {
    channels: 1,
    height: 28,
    width: 28,
};

/// An MLP big enough that its products take the parallel blocks (784·96·64 multiply-adds).
fn model(seed: u64) -> Classifier {
    let spec = ModelSpec::Mlp {
        hidden: vec![96, 48],
        dropout: 0.0,
    };
    Classifier::new(&spec, INPUT, 10, seed, &Device::Cpu).unwrap()
}

/// The same MLP as candle ops (`x.matmul(w.t()) + b`, ReLU), recording a graph.
fn graph_logits(model: &Classifier, x: &Tensor) -> Tensor {
    let vars: std::collections::HashMap<String, Tensor> = model
        .named_vars()
        .into_iter()
        .map(|(n, v)| (n, v.as_tensor().clone()))
        .collect();
    let mut h = x.flatten_from(1).unwrap();
    for name in ["fc0", "fc1", "head"] {
        let w = &vars[&format!("{name}.weight")];
        let b = &vars[&format!("{name}.bias")];
        h = h.matmul(&w.t().unwrap()).unwrap().broadcast_add(b).unwrap();
        if name != "head" {
            h = relu(&h).unwrap();
        }
    }
    h
}

type Loss = fn(&Tensor, &Tensor, &Tensor) -> Tensor;

fn bits(t: &Tensor) -> Vec<u32> {
    t.flatten_all()
        .unwrap()
        .to_vec1::<f32>()
        .unwrap()
        .into_iter()
        .map(f32::to_bits)
        .collect()
}

/// Four steps of `optimizer` on one model through the tape; before each step the graph's
/// gradients of the same loss on the same weights must equal the tape's, bit for bit.
fn tape_equals_graph(loss: Loss, optimizer: &mut dyn Optimizer, model: &Classifier) {
    let b = 64;
    let x = Tensor::from_vec(values(b * 784, 5, 0.0, 1.0), (b, 1, 28, 28), &Device::Cpu).unwrap();
    let labels: Vec<u32> = (0..b as u32).map(|i| (i * 7) % 10).collect();
    let labels = Tensor::from_vec(labels, b, &Device::Cpu).unwrap();
    let teacher = Tensor::from_vec(values(b * 10, 6, -4.0, 8.0), (b, 10), &Device::Cpu).unwrap();
    for step in 0..4 {
        let reference = graph_logits(model, &x);
        let reference_grads = loss(&reference, &teacher, &labels).backward().unwrap();
        let pass = model.forward_train(&x).unwrap();
        assert_eq!(bits(pass.logits()), bits(&reference), "step {step}: logits");
        let l = loss(pass.logits(), &teacher, &labels);
        let grads = pass.backward(&l).unwrap();
        for (name, var) in model.named_vars() {
            let ours = grads
                .get(var.as_tensor())
                .expect("a gradient for every variable");
            let theirs = reference_grads.get(var.as_tensor()).unwrap();
            assert_eq!(bits(ours), bits(theirs), "step {step}: gradient of {name}");
        }
        optimizer.step(&grads).unwrap();
    }
    // Eval mode: no graph, the same logits.
    let eval = model.forward_t(&x, false).unwrap();
    assert_eq!(bits(&eval), bits(&graph_logits(model, &x)));
}

fn ce(s: &Tensor, _t: &Tensor, y: &Tensor) -> Tensor {
    cross_entropy(s, y).unwrap()
}

fn kd_batchmean(s: &Tensor, t: &Tensor, y: &Tensor) -> Tensor {
    kd_loss_reduced(s, t, y, 4.0, 0.9, KlReduction::Batchmean).unwrap()
}

fn kd_mean(s: &Tensor, t: &Tensor, y: &Tensor) -> Tensor {
    kd_loss_reduced(s, t, y, 20.0, 0.5, KlReduction::Mean).unwrap()
}

#[test]
fn adamw_steps_with_cross_entropy_and_kd_equal_the_graph() {
    for (i, loss) in [ce as Loss, kd_batchmean, kd_mean].into_iter().enumerate() {
        let m = model(i as u64);
        let mut opt = AdamW::new(m.trainable_vars(), 1e-2, 0.01, 0.9, 0.999, 1e-8).unwrap();
        tape_equals_graph(loss, &mut opt, &m);
    }
}

#[test]
fn sgd_steps_equal_the_graph() {
    let m = model(9);
    let mut opt = Sgd::new(m.trainable_vars(), 0.1, 0.9, 5e-4, true).unwrap();
    tape_equals_graph(kd_batchmean, &mut opt, &m);
}

/// With dropout the graph runs (the masks are drawn there); off the CPU kernels too.
#[test]
fn dropout_and_the_generic_path_keep_the_graph() {
    let spec = ModelSpec::Mlp {
        hidden: vec![16],
        dropout: 0.5,
    };
    let m = Classifier::new(&spec, INPUT, 10, 1, &Device::Cpu).unwrap();
    let x = Tensor::zeros((2, 1, 28, 28), DType::F32, &Device::Cpu).unwrap();
    let labels = Tensor::new(&[1u32, 2], &Device::Cpu).unwrap();
    let pass = m.forward_train(&x).unwrap();
    assert!(
        !pass.logits().is_variable(),
        "dropout: candle's graph, not a tape leaf"
    );
    let l = ce(pass.logits(), &x, &labels);
    let grads = pass.backward(&l).unwrap();
    for (name, var) in m.named_vars() {
        assert!(
            grads.get(var.as_tensor()).is_some(),
            "no gradient for {name}"
        );
    }
    crate::model::with_generic_ops(|| {
        let m = model(2);
        let pass = m.forward_train(&x).unwrap();
        assert!(!pass.logits().is_variable());
    });
}

/// The pool's blocks of a layer's products equal candle's matmul bit for bit — the forward
/// `x · wᵀ` (split by columns) and the input gradient `g · w` (split by rows) — at the batch sizes
/// and widths of the shipped presets, around gemm's 64×64 boundary, and for odd last batches.
#[test]
fn layer_products_on_the_pool_equal_candles_matmul() {
    use crate::model::gemm::{matmul, Mat, Threads};
    let flat = |t: Tensor| t.flatten_all().unwrap().to_vec1::<f32>().unwrap();
    for b in [17usize, 64, 65, 100, 128] {
        for n_in in [784usize, 512, 96, 1200] {
            for out in [10usize, 48, 64, 96, 128, 256, 800, 1200] {
                let x = values(b * n_in, 5, 0.0, 1.0);
                let w = values(out * n_in, 6, -0.1, 0.2);
                let g = values(b * out, 7, -0.1, 0.2);
                let xt = Tensor::from_vec(x.clone(), (b, n_in), &Device::Cpu).unwrap();
                let wt = Tensor::from_vec(w.clone(), (out, n_in), &Device::Cpu).unwrap();
                let gt = Tensor::from_vec(g.clone(), (b, out), &Device::Cpu).unwrap();
                let mut ours = vec![0f32; b * out];
                let w_t = Mat::rows(&w, n_in).t();
                matmul(
                    &mut ours,
                    (b, out, n_in),
                    Mat::rows(&x, n_in),
                    w_t,
                    false,
                    Threads::Pool,
                );
                let candle = flat(xt.matmul(&wt.t().unwrap()).unwrap());
                assert!(candle == ours, "forward {b}×{n_in} · {n_in}×{out}");
                let mut ours = vec![0f32; b * n_in];
                let w_rows = Mat::rows(&w, n_in);
                matmul(
                    &mut ours,
                    (b, n_in, out),
                    Mat::rows(&g, out),
                    w_rows,
                    false,
                    Threads::Pool,
                );
                let candle = flat(gt.matmul(&wt).unwrap());
                assert!(candle == ours, "input gradient {b}×{out} · {out}×{n_in}");
            }
        }
    }
}
