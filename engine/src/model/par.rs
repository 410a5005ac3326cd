//! Data-parallel loops on the global rayon pool, the pool `gemm` (candle's matmul) also runs on.
//!
//! candle 0.11 runs its element-wise kernels on a second pool of spinning threads; with both pools
//! busy on 2 cores, each waits for threads the other holds (a profile of the MLP step showed 80 % of
//! the CPU time spinning). So our kernels use rayon, whose idle threads sleep, and the binary sets
//! `CANDLE_NUM_THREADS=1` (no spinning pool) unless the user set it (see `main.rs`).

use rayon::prelude::*;

/// Below this many elements, a loop runs on the calling thread.
const MIN_PARALLEL: usize = 1 << 14;

/// Calls `f(i, chunk_i)` for the consecutive `chunk`-sized pieces of `dst` (the last may be shorter),
/// in parallel when `dst` is large (for cheap per-element work).
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

/// Splits `dst` into `chunk`-sized pieces and hands runs of consecutive pieces to the rayon pool
/// (about four runs per thread, for balance): `f(first, run)` gets the slice covering pieces
/// `first, first + 1, …` (so per-call scratch space is reused across a run). Always parallel when
/// there are two or more pieces and threads (for heavy per-piece work such as a GEMM).
pub(crate) fn par_ranges_mut<T: Send>(
    dst: &mut [T],
    chunk: usize,
    f: impl Fn(usize, &mut [T]) + Sync,
) {
    assert!(chunk > 0, "chunk size must be positive");
    let n = dst.len().div_ceil(chunk);
    let threads = rayon::current_num_threads();
    if n <= 1 || threads <= 1 {
        if n >= 1 {
            f(0, dst);
        }
        return;
    }
    let per_run = n.div_ceil(n.min(threads * 4));
    dst.par_chunks_mut(per_run * chunk)
        .enumerate()
        .for_each(|(r, run)| f(r * per_run, run));
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
