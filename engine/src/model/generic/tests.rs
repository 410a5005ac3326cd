//! The generic path against the CPU kernels, op by op: forward values and every gradient within
//! 1e-5 of the reference's largest magnitude. The generic side runs on `MKD_TEST_DEVICE` (`cpu`,
//! the default, through [`with_generic_ops`]; `cuda` or `cuda:N` on a GPU, scripts/gpu-check.sh).

use candle_core::{Device, Tensor, Var};

use crate::model::backend::{generic_test_device, with_generic_ops, Backend};
use crate::model::batch_norm::BatchNorm2d;
use crate::model::conv::Conv;
use crate::model::cpu_slice::test_support::values;
use crate::model::max_pool::{max_pool2x2, relu_max_pool2x2};
use crate::model::relu::relu;

/// An op under test: builds its output from input variables on a device.
type Op<'a> = &'a dyn Fn(&[Tensor]) -> Tensor;

/// `(output, gradient of Σ output·mix for every input)`, all on the CPU.
fn run(op: Op, inputs: &[(Vec<f32>, Vec<usize>)], mix_seed: u64, dev: &Device) -> Vec<Tensor> {
    let vars: Vec<Var> = inputs
        .iter()
        .map(|(v, shape)| Var::from_vec(v.clone(), shape.as_slice(), dev).unwrap())
        .collect();
    let tensors: Vec<Tensor> = vars.iter().map(|v| v.as_tensor().clone()).collect();
    let y = op(&tensors);
    let mix =
        Tensor::from_vec(values(y.elem_count(), mix_seed, -1.0, 2.0), y.shape(), dev).unwrap();
    let grads = (&y * &mix).unwrap().sum_all().unwrap().backward().unwrap();
    let mut out = vec![y.to_device(&Device::Cpu).unwrap()];
    for v in &vars {
        let g = grads
            .get(v.as_tensor())
            .expect("every input gets a gradient");
        out.push(g.to_device(&Device::Cpu).unwrap());
    }
    out
}

/// Runs `op` on the CPU kernels and on the generic path; asserts they agree within `1e-5` of the
/// reference's largest magnitude (output and each gradient).
fn assert_agree(label: &str, op: Op, inputs: &[(Vec<f32>, Vec<usize>)]) {
    let reference = run(op, inputs, 99, &Device::Cpu);
    let dev = generic_test_device();
    let generic = with_generic_ops(|| run(op, inputs, 99, &dev));
    for (i, (r, g)) in reference.iter().zip(&generic).enumerate() {
        let what = if i == 0 {
            "output".to_string()
        } else {
            format!("gradient {}", i - 1)
        };
        assert_eq!(r.dims(), g.dims(), "{label}: {what} shape");
        let r = r.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let g = g.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let scale = r.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-30);
        let diff = r
            .iter()
            .zip(&g)
            .fold(0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(
            diff <= 1e-5 * scale,
            "{label}: {what} differs by {diff} (largest magnitude {scale})"
        );
    }
}

fn input(n: usize, seed: u64, shape: &[usize]) -> (Vec<f32>, Vec<usize>) {
    assert_eq!(n, shape.iter().product::<usize>());
    (values(n, seed, -1.0, 2.0), shape.to_vec())
}

#[test]
fn the_kernels_are_what_the_cpu_runs_by_default() {
    let x = Tensor::zeros(1, candle_core::DType::F32, &Device::Cpu).unwrap();
    assert_eq!(Backend::of(&x), Backend::CpuKernels);
}

#[test]
fn conv_forward_and_gradients() {
    // (b, c_in, h, w, c_out, k, stride, pad): ResNet's 3×3 and 1×1 shortcut convs, stride 2 with
    // odd and mixed-parity sizes (where candle's own backward has the wrong shape).
    let cases = [
        (2, 3, 8, 8, 4, 3, 1, 1),
        (3, 2, 7, 6, 4, 3, 2, 1),
        (2, 3, 5, 8, 2, 1, 2, 0),
        (2, 4, 8, 8, 6, 1, 2, 0),
        (1, 2, 9, 9, 3, 3, 2, 1),
        (2, 2, 6, 5, 3, 3, 1, 0),
    ];
    for (i, &(b, c, h, w, co, k, s, p)) in cases.iter().enumerate() {
        let seed = 10 * i as u64;
        let inputs = [
            input(b * c * h * w, seed, &[b, c, h, w]),
            input(co * c * k * k, seed + 1, &[co, c, k, k]),
            input(co, seed + 2, &[co]),
        ];
        let op = move |t: &[Tensor]| {
            let conv = Conv::new(t[1].clone(), Some(t[2].clone()), s, p).unwrap();
            conv.forward(&t[0]).unwrap()
        };
        assert_agree(&format!("conv case {i}"), &op, &inputs);
    }
}

#[test]
fn relu_forward_and_gradient_including_zeros() {
    let mut x = values(4 * 3 * 5 * 5, 1, -1.0, 2.0);
    for v in x.iter_mut().step_by(7) {
        *v = 0.0;
    }
    let op = |t: &[Tensor]| relu(&t[0]).unwrap();
    assert_agree("relu", &op, &[(x, vec![4, 3, 5, 5])]);
}

#[test]
fn max_pool_forward_and_gradient_with_ties_and_odd_sizes() {
    for (b, c, h, w) in [(2, 3, 8, 8), (1, 2, 5, 7), (3, 1, 2, 2), (2, 2, 7, 6)] {
        // Values on a coarse grid: many windows hold their maximum twice or more.
        let x: Vec<f32> = values(b * c * h * w, (h * w) as u64, -1.0, 2.0)
            .into_iter()
            .map(|v| (v * 3.0).round() / 3.0)
            .collect();
        let shape = vec![b, c, h, w];
        let pool = |t: &[Tensor]| max_pool2x2(&t[0]).unwrap();
        assert_agree(
            &format!("max_pool {shape:?}"),
            &pool,
            &[(x.clone(), shape.clone())],
        );
        let relu_pool = |t: &[Tensor]| relu_max_pool2x2(&t[0], true).unwrap();
        assert_agree(
            &format!("relu_max_pool {shape:?}"),
            &relu_pool,
            &[(x, shape)],
        );
    }
}

#[test]
fn batch_norm_training_forward_gradients_and_running_stats() {
    for (b, c, h, w) in [(4, 3, 5, 5), (2, 6, 8, 8), (8, 2, 1, 1)] {
        let x = (values(b * c * h * w, 5, -1.5, 4.0), vec![b, c, h, w]);
        let gamma = (values(c, 6, 0.5, 1.0), vec![c]);
        let beta = (values(c, 7, -0.5, 1.0), vec![c]);
        // The running stats after one training step, returned beside the output.
        let stats = std::sync::Mutex::new(Vec::new());
        let op = |t: &[Tensor]| {
            let dev = t[0].device();
            let rm = Tensor::from_vec(values(c, 8, -0.1, 0.2), c, dev).unwrap();
            let rv = Tensor::from_vec(values(c, 9, 0.9, 0.2), c, dev).unwrap();
            let bn = BatchNorm2d::new(t[1].clone(), t[2].clone(), rm, rv).unwrap();
            let y = bn.forward_t(&t[0], true).unwrap();
            let eval = bn.forward_t(&t[0], false).unwrap();
            stats
                .lock()
                .unwrap()
                .push(eval.to_device(&Device::Cpu).unwrap());
            y
        };
        assert_agree(
            &format!("batch norm {b}×{c}×{h}×{w}"),
            &op,
            &[x, gamma, beta],
        );
        // Evaluation after the step uses the updated running stats: equal on both paths.
        let evals = stats.into_inner().unwrap();
        let diff = crate::model::cpu_slice::test_support::max_diff(&evals[0], &evals[1]);
        assert!(diff < 1e-5, "running stats differ: eval outputs by {diff}");
    }
}
