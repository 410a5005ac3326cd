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
/// in parallel on candle's barrier pool when `dst` is large (for cheap per-element work).
pub(crate) fn par_chunks_mut<T: Send>(
    dst: &mut [T],
    chunk: usize,
    f: impl Fn(usize, &mut [T]) + Sync,
) {
    assert!(chunk > 0, "chunk size must be positive");
    if dst.len() < MIN_PARALLEL {
        for (i, c) in dst.chunks_mut(chunk).enumerate() {
            f(i, c);
        }
        return;
    }
    par_ranges_mut(dst, chunk, |first, piece| {
        for (j, c) in piece.chunks_mut(chunk).enumerate() {
            f(first + j, c);
        }
    });
}

/// Like [`par_chunks_mut`], but parallel whenever there are two or more pieces: for pieces that are
/// small in memory but expensive to compute (one per channel, say).
pub(crate) fn par_pieces_mut<T: Send>(
    dst: &mut [T],
    chunk: usize,
    f: impl Fn(usize, &mut [T]) + Sync,
) {
    par_ranges_mut(dst, chunk, |first, run| {
        for (j, c) in run.chunks_mut(chunk).enumerate() {
            f(first + j, c);
        }
    });
}

/// Splits `dst` into `chunk`-sized pieces and hands runs of consecutive pieces to candle's barrier
/// pool: `f(first, run)` gets the slice covering pieces `first, first + 1, …` (so per-call scratch
/// space is reused across a run). Always parallel when there are two or more pieces (for heavy
/// per-piece work such as a GEMM).
pub(crate) fn par_ranges_mut<T: Send>(
    dst: &mut [T],
    chunk: usize,
    f: impl Fn(usize, &mut [T]) + Sync,
) {
    assert!(chunk > 0, "chunk size must be positive");
    let len = dst.len();
    let n = len.div_ceil(chunk);
    if n <= 1 {
        if n == 1 {
            f(0, dst);
        }
        return;
    }
    let ptr = SharedMut(dst.as_mut_ptr());
    let ptr = &ptr;
    candle_core::utils::barrier_pool().execute_chunked(n, |range| {
        let start = range.start * chunk;
        let end = (range.end * chunk).min(len);
        // SAFETY: `start..end` lies inside `dst`, and the pool hands out disjoint index ranges.
        let run = unsafe { std::slice::from_raw_parts_mut(ptr.0.add(start), end - start) };
        f(range.start, run);
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
