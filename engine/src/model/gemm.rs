//! One entry point to the `gemm` crate (the kernels candle's own matmul runs) for the custom CPU
//! paths: matrices as strided views of slices, the destination written or accumulated into.

/// A matrix view of a slice: element `(i, j)` at `data[i·rs + j·cs]` (row-major: `cs = 1`).
#[derive(Clone, Copy)]
pub(crate) struct Mat<'a> {
    pub data: &'a [f32],
    pub rs: usize,
    pub cs: usize,
}

impl<'a> Mat<'a> {
    /// A row-major matrix with `cols` columns.
    pub fn rows(data: &'a [f32], cols: usize) -> Mat<'a> {
        Mat {
            data,
            rs: cols,
            cs: 1,
        }
    }

    /// The transpose (the same memory, strides swapped).
    pub fn t(self) -> Mat<'a> {
        Mat {
            data: self.data,
            rs: self.cs,
            cs: self.rs,
        }
    }
}

/// Threads one product may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Threads {
    /// The calling thread only (the caller is already parallel).
    One,
    /// The global rayon pool, as many threads as candle's matmul uses
    /// (`candle_core::utils::get_num_threads`).
    Pool,
}

/// `dst [m×n] (row-major) = a [m×k] · b [k×n]`, plus the old `dst` when `accumulate`. Panics when
/// a view does not fit its slice.
pub(crate) fn matmul(
    dst: &mut [f32],
    (m, n, k): (usize, usize, usize),
    a: Mat,
    b: Mat,
    accumulate: bool,
    threads: Threads,
) {
    if m == 0 || n == 0 {
        return;
    }
    assert!(dst.len() >= m * n);
    if k == 0 {
        if !accumulate {
            dst[..m * n].fill(0.0);
        }
        return;
    }
    assert!(a.data.len() > (m - 1) * a.rs + (k - 1) * a.cs);
    assert!(b.data.len() > (k - 1) * b.rs + (n - 1) * b.cs);
    let threads = match threads {
        Threads::One => 1,
        Threads::Pool => candle_core::utils::get_num_threads().max(1),
    };
    let dst = SendPtr(dst.as_mut_ptr());
    // SAFETY: the asserts above keep every index the kernel touches inside the slices.
    let product = |(i0, rows, j0, cols): (usize, usize, usize, usize)| unsafe {
        let dst = &dst;
        gemm::gemm(
            rows,
            cols,
            k,
            dst.0.add(i0 * n + j0),
            1,
            n as isize,
            accumulate,
            a.data.as_ptr().add(i0 * a.rs),
            a.cs as isize,
            a.rs as isize,
            b.data.as_ptr().add(j0 * b.cs),
            b.cs as isize,
            b.rs as isize,
            // gemm's `alpha` scales the old dst, `beta` the product.
            if accumulate { 1.0 } else { 0.0 },
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        )
    };
    if threads == 1 || m * n * k < MIN_PARALLEL_MACS {
        product((0, m, 0, n));
        return;
    }
    // One block of rows or columns per thread, each a single-threaded product: at these sizes
    // (batch 128 against layers of a few hundred units) this ran 1.2–1.9× faster than gemm's own
    // parallel split on 2 cores (`README.md`, Performance), and each element's sum is the same
    // (the same pieces of k, in the same order, as candle's matmul: bit for bit the same product).
    // The blocks split the side whose operand is costlier to pack: a transposed right operand is
    // split by columns (each thread packs its half of it), anything else by rows.
    let split_columns = b.cs != 1;
    let len = if split_columns { n } else { m };
    let step = len.div_ceil(threads).div_ceil(16) * 16;
    let blocks: Vec<(usize, usize, usize, usize)> = (0..len)
        .step_by(step)
        .map(|s| {
            let e = (s + step).min(len);
            if split_columns {
                (0, m, s, e - s)
            } else {
                (s, e - s, 0, n)
            }
        })
        .collect();
    // gemm takes other paths, which sum over k differently, for small products: at most 64×64
    // (k in pieces of 512), at most 256 elements (a horizontal kernel), one row or column (gemv).
    // A split that would send a block down another path than the whole product would change the
    // rounding, so it runs whole (a last partial batch of 17 rows would leave a 1-row block).
    let general = |r: usize, c: usize| (r > 64 || c > 64) && r > 1 && c > 1 && r * c > 256;
    if blocks.len() < 2 || !general(m, n) || blocks.iter().any(|&(_, r, _, c)| !general(r, c)) {
        product((0, m, 0, n));
        return;
    }
    use rayon::prelude::*;
    blocks.into_par_iter().for_each(product);
}

/// Below this many multiply-accumulates a product runs on the calling thread.
const MIN_PARALLEL_MACS: usize = 1 << 20;

/// The destination pointer, shared by the threads that write disjoint blocks of it.
struct SendPtr(*mut f32);
// SAFETY: each thread writes its own block of rows or columns; no two blocks overlap.
unsafe impl Send for SendPtr {}
unsafe impl Sync for SendPtr {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::cpu_slice::test_support::values;

    /// The product by hand, in f64.
    fn reference(m: usize, n: usize, k: usize, a: Mat, b: Mat) -> Vec<f64> {
        let mut c = vec![0f64; m * n];
        for i in 0..m {
            for j in 0..n {
                for p in 0..k {
                    c[i * n + j] +=
                        a.data[i * a.rs + p * a.cs] as f64 * b.data[p * b.rs + j * b.cs] as f64;
                }
            }
        }
        c
    }

    /// Every layout, one thread and the pool's blocks: the same bits from both, and the value of
    /// the product by hand; accumulation adds to what was there.
    #[test]
    fn blocks_on_the_pool_equal_one_thread_and_the_product_by_hand() {
        let (m, n, k) = (100, 144, 90); // above the parallel threshold, not multiples of 16
        let a_rows = values(m * k, 1, -1.0, 2.0);
        let b_rows = values(k * n, 2, -1.0, 2.0);
        let a_cols = values(m * k, 3, -1.0, 2.0);
        let b_cols = values(k * n, 4, -1.0, 2.0);
        for (a, b) in [
            (Mat::rows(&a_rows, k), Mat::rows(&b_rows, n)),
            (Mat::rows(&a_cols, m).t(), Mat::rows(&b_rows, n)),
            (Mat::rows(&a_rows, k), Mat::rows(&b_cols, k).t()),
            (Mat::rows(&a_cols, m).t(), Mat::rows(&b_cols, k).t()),
        ] {
            let mut one = vec![0f32; m * n];
            let mut pool = vec![7f32; m * n];
            matmul(&mut one, (m, n, k), a, b, false, Threads::One);
            matmul(&mut pool, (m, n, k), a, b, false, Threads::Pool);
            assert_eq!(one, pool);
            for (x, r) in one.iter().zip(reference(m, n, k, a, b)) {
                assert!((*x as f64 - r).abs() < 1e-4, "{x} vs {r}");
            }
            let mut acc = vec![1f32; m * n];
            matmul(&mut acc, (m, n, k), a, b, true, Threads::Pool);
            for (x, y) in acc.iter().zip(&one) {
                assert!((x - (y + 1.0)).abs() < 1e-5);
            }
        }
    }
}
