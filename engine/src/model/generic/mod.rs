//! The device-generic layer ops: candle's forward passes (which run on the CPU, CUDA and Metal),
//! with the gradients candle gets wrong replaced.
//!
//! - max-pool: candle 0.11 scales the gradient of a window's unique maximum by ¼ for 2×2 pools
//!   (it back-propagates the mean of the max mask); here the full gradient goes to the first
//!   maximum, as PyTorch and the CPU kernel do.
//! - conv: candle's conv2d backward gives the input gradient a wrong shape for stride 2 when the
//!   input's height and width differ in parity; here the transposed convolution is cut to size.
//! - ReLU: candle passes the gradient at exactly 0; here only where the output is positive.
//! - batch norm: plain tensor ops (autograd), with the kernel's running-statistics update.
//!
//! Each op equals its CPU kernel, forward and gradients, to float rounding (`generic_vs_kernels`
//! tests); the kernels stay the CPU path because they are several times faster there.

mod batch_norm;
mod conv;
mod max_pool;
mod relu;
mod surrogate;

pub(crate) use batch_norm::batch_norm_train;
pub(crate) use conv::conv2d;
pub(crate) use max_pool::max_pool2x2;
pub(crate) use relu::relu;

#[cfg(test)]
mod tests;
