//! 2×2 max-pool with stride 2 (floor: an odd last row/column is dropped), with a one-pass backward
//! on the CPU. candle's `max_pool2d` backward takes about eight full-tensor passes (and scales the
//! gradient by ¼); other devices take [`generic::max_pool2x2`].

use super::cpu_slice::contiguous_f32;
use candle_core::{CpuStorage, CustomOp1, CustomOp2, Layout, Result, Shape, Tensor};

use super::backend::Backend;
use super::generic;
use super::par::par_chunks_mut;
use std::sync::{Arc, Mutex};

/// `x [B, C, H, W]` → `[B, C, ⌊H/2⌋, ⌊W/2⌋]`, the maximum of each 2×2 window.
#[allow(dead_code)] // the plain CNN pools after a ReLU ([`relu_max_pool2x2`]); kept for other nets
pub(crate) fn max_pool2x2(x: &Tensor) -> Result<Tensor> {
    match Backend::of(x) {
        Backend::CpuKernels => x.contiguous()?.apply_op1(MaxPool2::new(x, false, true)),
        Backend::Generic => generic::max_pool2x2(x),
    }
}

/// `max_pool2x2(relu(x))` in one pass: the ReLU of each window's maximum (ReLU is monotone, so the
/// first maximum is the same window position). Its gradient is that of the two ops in a row: a
/// window's gradient goes to its first maximum when that is positive. Saves writing, reading and
/// back-propagating the full-size ReLU output. With `train` the forward pass keeps each window's
/// winner for the backward pass.
pub(crate) fn relu_max_pool2x2(x: &Tensor, train: bool) -> Result<Tensor> {
    match Backend::of(x) {
        Backend::CpuKernels => x.contiguous()?.apply_op1(MaxPool2::new(x, true, train)),
        // Pool first: the ReLU then runs on a quarter of the values; same result and gradient.
        Backend::Generic => generic::relu(&generic::max_pool2x2(x)?),
    }
}

/// Index (within the image plane of `w` columns) of the first maximum of the window at `(oy, ox)`;
/// a NaN wins, so it propagates as in PyTorch.
#[inline]
fn argmax(plane: &[f32], w: usize, oy: usize, ox: usize) -> usize {
    let top = 2 * oy * w + 2 * ox;
    let mut best = top;
    for i in [top + 1, top + w, top + w + 1] {
        let (v, m) = (plane[i], plane[best]);
        if v > m || (v.is_nan() && !m.is_nan()) {
            best = i;
        }
    }
    best
}

/// `relu(v)` when `relu`, else `v`; NaN stays NaN.
#[inline]
fn maybe_relu(v: f32, relu: bool) -> f32 {
    if relu && v <= 0.0 {
        0.0
    } else {
        v
    }
}

/// The bit of a window's winner code set where no gradient flows (its maximum not positive,
/// after a ReLU).
const NO_WINNER: u8 = 4;

/// The 2×2 max-pool, after a ReLU when `relu`. When the input is part of a graph, the forward pass
/// keeps each window's winner (0–3: top-left, top-right, bottom-left, bottom-right; with
/// [`NO_WINNER`] set, none) for the backward pass, which then neither reads the input nor searches again.
#[derive(Debug, Clone)]
pub(crate) struct MaxPool2 {
    pub relu: bool,
    pub winners: Option<Arc<Mutex<Vec<u8>>>>,
}

impl MaxPool2 {
    /// Keeps the winners when `train` and `x` is part of a graph.
    fn new(x: &Tensor, relu: bool, train: bool) -> MaxPool2 {
        MaxPool2 {
            relu,
            winners: (train && x.track_op()).then(Default::default),
        }
    }
}

/// The larger of `a` and `b`, or NaN when either is NaN (PyTorch's max-pool propagates NaN).
#[inline]
fn nan_max(a: f32, b: f32) -> f32 {
    if b > a || b.is_nan() {
        b
    } else {
        a
    }
}

/// The maximum of a window `[top-left, top-right, bottom-left, bottom-right]` (NaN wins, so it
/// propagates as in PyTorch) and the position of its first occurrence.
#[inline]
fn window_max(v: [f32; 4]) -> (f32, u8) {
    let m = nan_max(nan_max(v[0], v[1]), nan_max(v[2], v[3]));
    // The first position holding `m` (the first NaN when `m` is NaN), counted without branches:
    // the comparisons are data-dependent, and as branches they made this pass 6× slower.
    let is_m = |a: f32| ((a == m) | (a.is_nan() & m.is_nan())) as u8;
    let past0 = 1 - is_m(v[0]);
    let past1 = past0 & (1 - is_m(v[1]));
    let past2 = past1 & (1 - is_m(v[2]));
    (m, past0 + past1 + past2)
}

impl CustomOp1 for MaxPool2 {
    fn name(&self) -> &'static str {
        if self.relu {
            "relu_max_pool2x2"
        } else {
            "max_pool2x2"
        }
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        let (b, c, h, w) = l.shape().dims4()?;
        let x = contiguous_f32(s, l, "max_pool2x2")?;
        let (oh, ow) = (h / 2, w / 2);
        let mut out = vec![0f32; b * c * oh * ow];
        let mut winners = vec![0u8; if self.winners.is_some() { out.len() } else { 0 }];
        let relu = self.relu;
        let window = move |top: &[f32], bottom: &[f32], d: &mut f32| {
            let (m, at) = window_max([top[0], top[1], bottom[0], bottom[1]]);
            *d = maybe_relu(m, relu);
            // ReLU's gradient at the maximum: 0 unless it is positive.
            // Branch-free for the same reason as `window_max`.
            let dead = (relu & ((m <= 0.0) | m.is_nan())) as u8;
            at | (dead * NO_WINNER)
        };
        if oh * ow > 0 {
            let plane = |p: usize| &x[p * h * w..(p + 1) * h * w];
            if winners.is_empty() {
                par_chunks_mut(&mut out, oh * ow, |p, dst| {
                    let plane = plane(p);
                    for (oy, d) in dst.chunks_exact_mut(ow).enumerate() {
                        let top = &plane[2 * oy * w..2 * oy * w + 2 * ow];
                        let bottom = &plane[(2 * oy + 1) * w..(2 * oy + 1) * w + 2 * ow];
                        for ((d, t), b) in d
                            .iter_mut()
                            .zip(top.chunks_exact(2))
                            .zip(bottom.chunks_exact(2))
                        {
                            let m = nan_max(nan_max(t[0], t[1]), nan_max(b[0], b[1]));
                            *d = maybe_relu(m, relu);
                        }
                    }
                });
            } else {
                use rayon::prelude::*;
                out.par_chunks_mut(oh * ow)
                    .zip(winners.par_chunks_mut(oh * ow))
                    .enumerate()
                    .for_each(|(p, (dst, won))| {
                        let plane = plane(p);
                        let rows = dst.chunks_exact_mut(ow).zip(won.chunks_exact_mut(ow));
                        for (oy, (d, won)) in rows.enumerate() {
                            let top = &plane[2 * oy * w..2 * oy * w + 2 * ow];
                            let bottom = &plane[(2 * oy + 1) * w..(2 * oy + 1) * w + 2 * ow];
                            for (((d, won), t), b) in d
                                .iter_mut()
                                .zip(won.iter_mut())
                                .zip(top.chunks_exact(2))
                                .zip(bottom.chunks_exact(2))
                            {
                                *won = window(t, b, d);
                            }
                        }
                    });
            }
        }
        if let Some(kept) = &self.winners {
            *kept.lock().expect("max-pool winners lock poisoned") = winners;
        }
        Ok((CpuStorage::F32(out), Shape::from((b, c, oh, ow))))
    }

    fn bwd(&self, arg: &Tensor, _res: &Tensor, grad_res: &Tensor) -> Result<Option<Tensor>> {
        let grad = grad_res.contiguous()?;
        // Copied, not taken: a second backward pass over the same graph finds them too.
        let kept = self
            .winners
            .as_ref()
            .map(|k| k.lock().expect("max-pool winners lock poisoned").clone());
        match kept {
            Some(winners) if winners.len() == grad.elem_count() => {
                let (b, c, h, w) = arg.dims4()?;
                let op = RouteToWinners {
                    winners,
                    shape: (b, c, h, w),
                };
                Ok(Some(grad.apply_op1_no_bwd(&op)?))
            }
            // No winners kept (an eval-mode pass): search the windows again.
            _ => Ok(Some(
                arg.apply_op2_no_bwd(&grad, &MaxPool2Bwd { relu: self.relu })?,
            )),
        }
    }
}

/// `grad [B, C, H/2, W/2]` → gradient w.r.t. the input `[B, C, H, W]`: each window's gradient at
/// its kept winner, zero elsewhere.
pub(crate) struct RouteToWinners {
    pub winners: Vec<u8>,
    pub shape: (usize, usize, usize, usize),
}

impl CustomOp1 for RouteToWinners {
    fn name(&self) -> &'static str {
        "max_pool2x2_bwd_kept"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        let g = contiguous_f32(s, l, "max_pool2x2_bwd")?;
        let (b, c, h, w) = self.shape;
        let (oh, ow) = (h / 2, w / 2);
        let mut out = vec![0f32; b * c * h * w];
        if oh * ow > 0 {
            par_chunks_mut(&mut out, h * w, |p, dst| {
                let grad = &g[p * oh * ow..(p + 1) * oh * ow];
                let won = &self.winners[p * oh * ow..(p + 1) * oh * ow];
                for oy in 0..oh {
                    let row = oy * ow..(oy + 1) * ow;
                    for (ox, (&g, &at)) in grad[row.clone()].iter().zip(&won[row]).enumerate() {
                        if at & NO_WINNER == 0 {
                            let (dy, dx) = ((at >> 1) as usize, (at & 1) as usize);
                            dst[(2 * oy + dy) * w + 2 * ox + dx] = g;
                        }
                    }
                }
            });
        }
        Ok((CpuStorage::F32(out), Shape::from((b, c, h, w))))
    }
}

/// `(x [B, C, H, W], grad [B, C, H/2, W/2])` → gradient w.r.t. `x`: each window's gradient goes to
/// the position of its first maximum (with `relu`: only when that maximum is positive).
#[derive(Debug, Clone, Copy)]
struct MaxPool2Bwd {
    relu: bool,
}

impl CustomOp2 for MaxPool2Bwd {
    fn name(&self) -> &'static str {
        "max_pool2x2_bwd"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (b, c, h, w) = l1.shape().dims4()?;
        let x = contiguous_f32(s1, l1, "max_pool2x2_bwd")?;
        let g = contiguous_f32(s2, l2, "max_pool2x2_bwd")?;
        let (oh, ow) = (h / 2, w / 2);
        let mut out = vec![0f32; b * c * h * w];
        let relu = self.relu;
        if oh * ow > 0 {
            par_chunks_mut(&mut out, h * w, |p, dst| {
                let plane = &x[p * h * w..(p + 1) * h * w];
                let grad = &g[p * oh * ow..(p + 1) * oh * ow];
                for oy in 0..oh {
                    let row = &grad[oy * ow..(oy + 1) * ow];
                    for (ox, &g) in row.iter().enumerate() {
                        let at = argmax(plane, w, oy, ox);
                        // ReLU's gradient at the maximum: 0 unless it is positive.
                        if !relu || plane[at] > 0.0 {
                            dst[at] = g;
                        }
                    }
                }
            });
        }
        Ok((CpuStorage::F32(out), Shape::from((b, c, h, w))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Var};

    /// Distinct values (a permutation), so there are no ties and the two implementations must agree.
    fn distinct(n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| ((i * 7919) % n) as f32 / n as f32 - 0.5)
            .collect()
    }

    /// Forward equals candle's `max_pool2d`; the gradient equals a brute-force routing of each
    /// window's gradient to its maximum. (candle's own `max_pool2d` backward scales it by 1/4 — the
    /// mean of the window's max mask — which is wrong: PyTorch routes the full gradient.)
    #[test]
    fn matches_candle_forward_and_brute_force_backward() {
        let dev = Device::Cpu;
        for (b, c, h, w) in [(2, 3, 4, 4), (1, 2, 5, 7), (3, 1, 2, 2), (1, 1, 3, 3)] {
            let n = b * c * h * w;
            let data = distinct(n);
            let x = Var::from_vec(data.clone(), (b, c, h, w), &dev).unwrap();
            let ours = max_pool2x2(x.as_tensor()).unwrap();
            let reference = x.as_tensor().max_pool2d(2).unwrap();
            assert_eq!(ours.dims(), reference.dims());
            let flat = |t: &Tensor| t.flatten_all().unwrap().to_vec1::<f32>().unwrap();
            assert_eq!(flat(&ours), flat(&reference));
            let (oh, ow) = (h / 2, w / 2);
            if oh * ow == 0 {
                continue;
            }
            let mix: Vec<f32> = (0..ours.elem_count()).map(|i| i as f32 + 1.0).collect();
            let mix_t = Tensor::from_vec(mix.clone(), ours.shape(), &dev).unwrap();
            let g = (ours * &mix_t)
                .unwrap()
                .sum_all()
                .unwrap()
                .backward()
                .unwrap();
            let g = flat(g.get(x.as_tensor()).unwrap());
            let mut expected = vec![0f32; n];
            for plane in 0..b * c {
                for oy in 0..oh {
                    for ox in 0..ow {
                        let cells = [
                            (2 * oy, 2 * ox),
                            (2 * oy, 2 * ox + 1),
                            (2 * oy + 1, 2 * ox),
                            (2 * oy + 1, 2 * ox + 1),
                        ];
                        let at = |(y, x): (usize, usize)| plane * h * w + y * w + x;
                        let best = cells
                            .iter()
                            .map(|&p| at(p))
                            .max_by(|&i, &j| data[i].total_cmp(&data[j]))
                            .unwrap();
                        expected[best] += mix[(plane * oh + oy) * ow + ox];
                    }
                }
            }
            assert_eq!(g, expected, "{b}×{c}×{h}×{w}");
        }
    }

    /// The fused op equals `relu` then `max_pool2x2`, forward and gradient, on values of both signs
    /// (including windows with no positive value) and odd sizes.
    #[test]
    fn fused_relu_pool_equals_relu_then_pool() {
        use crate::model::cpu_slice::test_support::values;
        use crate::model::relu::relu;
        let dev = Device::Cpu;
        for (b, c, h, w) in [(2, 3, 6, 6), (1, 2, 5, 7), (3, 1, 2, 2), (2, 4, 28, 28)] {
            let n = b * c * h * w;
            let x =
                Var::from_vec(values(n, (h * w) as u64, -1.0, 1.6), (b, c, h, w), &dev).unwrap();
            let flat = |t: &Tensor| t.flatten_all().unwrap().to_vec1::<f32>().unwrap();
            let fused = relu_max_pool2x2(x.as_tensor(), true).unwrap();
            let two = max_pool2x2(&relu(x.as_tensor()).unwrap()).unwrap();
            assert_eq!(flat(&fused), flat(&two), "{b}×{c}×{h}×{w}");
            let mix = Tensor::from_vec(
                values(fused.elem_count(), 7, -1.0, 2.0),
                fused.shape(),
                &dev,
            )
            .unwrap();
            let grad = |y: Tensor| {
                let g = (y * &mix).unwrap().sum_all().unwrap().backward().unwrap();
                flat(g.get(x.as_tensor()).unwrap())
            };
            assert_eq!(grad(fused), grad(two), "{b}×{c}×{h}×{w}");
        }
    }

    /// The branch-free winner is the sequential search's (`argmax`: the first maximum in row-major
    /// order, the first NaN) for every window of ties, signed zeros and NaNs.
    #[test]
    fn the_kept_winner_is_the_first_maximum() {
        let vals = [-1.0f32, -0.0, 0.0, 1.0, f32::NAN];
        for i in 0..vals.len().pow(4) {
            let v = [
                vals[i % 5],
                vals[i / 5 % 5],
                vals[i / 25 % 5],
                vals[i / 125 % 5],
            ];
            let (m, at) = window_max(v);
            let expected = argmax(&v, 2, 0, 0);
            assert_eq!(at as usize, expected, "{v:?}");
            assert_eq!(m.to_bits(), v[expected].to_bits(), "{v:?}");
        }
    }

    #[test]
    fn a_nan_in_a_window_is_its_maximum() {
        let x = Tensor::from_vec(
            vec![1f32, f32::NAN, 3.0, 0.0, 5.0, 6.0, 7.0, 8.0],
            (1, 1, 2, 4),
            &Device::Cpu,
        )
        .unwrap();
        let y = max_pool2x2(&x)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        assert!(y[0].is_nan());
        assert_eq!(y[1], 8.0);
    }

    #[test]
    fn ties_send_the_gradient_to_the_first_maximum_only() {
        let dev = Device::Cpu;
        let x = Var::from_vec(vec![1f32, 1.0, 1.0, 1.0], (1, 1, 2, 2), &dev).unwrap();
        let g = max_pool2x2(x.as_tensor())
            .unwrap()
            .sum_all()
            .unwrap()
            .backward()
            .unwrap();
        let g = g
            .get(x.as_tensor())
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        assert_eq!(g, [1.0, 0.0, 0.0, 0.0]);
    }
}
