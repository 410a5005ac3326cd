//! A custom op that returns an already computed value and back-propagates a gradient written
//! with tensor ops: how the generic path keeps candle's forward pass (any device) and replaces
//! its backward. The forward is a copy of the value, so it runs on every backend candle has.

use std::sync::Arc;

use candle_core::backend::{BackendDevice, BackendStorage};
use candle_core::{CpuStorage, CustomOp2, CustomOp3, Layout, Result, Shape, Tensor};

/// Gradients of the op's inputs (after the value) from `(inputs, output, output gradient)`.
type Backward = dyn Fn(&[&Tensor], &Tensor, &Tensor) -> Result<Vec<Option<Tensor>>> + Send + Sync;

/// `value` with `backward` as the gradient rule towards the inputs; `value` itself gets none.
pub(super) struct Surrogate {
    name: &'static str,
    backward: Arc<Backward>,
}

/// A contiguous copy of `(s, l)` on the same device.
fn copy<S: BackendStorage<Device = D>, D: BackendDevice<Storage = S>>(
    s: &S,
    l: &Layout,
) -> Result<S> {
    let mut dst = s.device().zeros_impl(l.shape(), s.dtype())?;
    s.copy_strided_src(&mut dst, 0, l)?;
    Ok(dst)
}

impl Surrogate {
    /// `value` (detached: its own graph is dropped) whose gradient towards `x` is `backward`.
    pub(super) fn with_grad_1(
        name: &'static str,
        value: &Tensor,
        x: &Tensor,
        backward: impl Fn(&Tensor, &Tensor, &Tensor) -> Result<Option<Tensor>> + Send + Sync + 'static,
    ) -> Result<Tensor> {
        let op = Surrogate {
            name,
            backward: Arc::new(move |inputs, res, grad| Ok(vec![backward(inputs[0], res, grad)?])),
        };
        value.detach().apply_op2(x, op)
    }

    /// `value` whose gradients towards `(a, b)` are `backward`.
    pub(super) fn with_grad_2(
        name: &'static str,
        value: &Tensor,
        a: &Tensor,
        b: &Tensor,
        backward: impl Fn(&Tensor, &Tensor, &Tensor) -> Result<(Option<Tensor>, Option<Tensor>)>
            + Send
            + Sync
            + 'static,
    ) -> Result<Tensor> {
        let op = Surrogate {
            name,
            backward: Arc::new(move |inputs, _res, grad| {
                let (ga, gb) = backward(inputs[0], inputs[1], grad)?;
                Ok(vec![ga, gb])
            }),
        };
        value.detach().apply_op3(a, b, op)
    }
}

impl CustomOp2 for Surrogate {
    fn name(&self) -> &'static str {
        self.name
    }

    fn cpu_fwd(
        &self,
        s: &CpuStorage,
        l: &Layout,
        _: &CpuStorage,
        _: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        Ok((copy(s, l)?, l.shape().clone()))
    }

    #[cfg(feature = "cuda")]
    fn cuda_fwd(
        &self,
        s: &candle_core::CudaStorage,
        l: &Layout,
        _: &candle_core::CudaStorage,
        _: &Layout,
    ) -> Result<(candle_core::CudaStorage, Shape)> {
        Ok((copy(s, l)?, l.shape().clone()))
    }

    fn bwd(
        &self,
        _value: &Tensor,
        x: &Tensor,
        res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>)> {
        let mut g = (self.backward)(&[x], res, grad)?;
        Ok((None, g.pop().flatten()))
    }
}

impl CustomOp3 for Surrogate {
    fn name(&self) -> &'static str {
        self.name
    }

    fn cpu_fwd(
        &self,
        s: &CpuStorage,
        l: &Layout,
        _: &CpuStorage,
        _: &Layout,
        _: &CpuStorage,
        _: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        Ok((copy(s, l)?, l.shape().clone()))
    }

    #[cfg(feature = "cuda")]
    fn cuda_fwd(
        &self,
        s: &candle_core::CudaStorage,
        l: &Layout,
        _: &candle_core::CudaStorage,
        _: &Layout,
        _: &candle_core::CudaStorage,
        _: &Layout,
    ) -> Result<(candle_core::CudaStorage, Shape)> {
        Ok((copy(s, l)?, l.shape().clone()))
    }

    fn bwd(
        &self,
        _value: &Tensor,
        a: &Tensor,
        b: &Tensor,
        res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let mut g = (self.backward)(&[a, b], res, grad)?.into_iter();
        Ok((None, g.next().flatten(), g.next().flatten()))
    }
}
