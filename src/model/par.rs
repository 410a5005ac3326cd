//! Data-parallel loops on candle's own CPU worker pool.
//!
//! candle 0.11 runs its element-wise kernels on a spinning barrier pool; a second pool (rayon) for
//! our kernels would compete with it for the same cores. [`par_chunks_mut`] hands work to candle's
//! pool instead.

/// Below this many elements, a loop runs on the calling thread.
const MIN_PARALLEL: usize = 1 << 14;

/// A raw pointer that may be shared between threads: each worker touches a disjoint range.
struct SharedMut<T>(*mut T);
// SAFETY: `par_chunks_mut` gives every chunk index to exactly one call, and chunks are disjoint.
unsafe impl<T: Send> Sync for SharedMut<T> {}

/// Calls `f(i, chunk_i)` for the consecutive `chunk`-sized pieces of `dst` (the last may be shorter),
/// in parallel on candle's barrier pool when `dst` is large.
pub(crate) fn par_chunks_mut<T: Send>(
    dst: &mut [T],
    chunk: usize,
    f: impl Fn(usize, &mut [T]) + Sync,
) {
    assert!(chunk > 0, "chunk size must be positive");
    let len = dst.len();
    let n = len.div_ceil(chunk);
    if n <= 1 || len < MIN_PARALLEL {
        for (i, c) in dst.chunks_mut(chunk).enumerate() {
            f(i, c);
        }
        return;
    }
    let ptr = SharedMut(dst.as_mut_ptr());
    let ptr = &ptr;
    candle_core::utils::barrier_pool().execute_chunked(n, |range| {
        for i in range {
            let start = i * chunk;
            let end = (start + chunk).min(len);
            // SAFETY: `start..end` lies inside `dst`, and no other call receives chunk `i`.
            let c = unsafe { std::slice::from_raw_parts_mut(ptr.0.add(start), end - start) };
            f(i, c);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chunk_is_visited_once_with_its_index() {
        for len in [0usize, 5, 1000, 100_003] {
            let mut v = vec![0u64; len];
            par_chunks_mut(&mut v, 7, |i, c| {
                for (j, x) in c.iter_mut().enumerate() {
                    *x += (i * 7 + j) as u64 + 1;
                }
            });
            assert!(
                v.iter().enumerate().all(|(k, &x)| x == k as u64 + 1),
                "len {len}"
            );
        }
    }
}
