//! Seeded permutations: the epoch order of the training loop and the basis of every split.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A permutation of `0..len`, a pure function of `(len, seed)`: Fisher–Yates driven by
/// `ChaCha8Rng::seed_from_u64(seed)`. Derive `seed` with [`crate::seed::derive`] so that each use
/// (split, epoch) has its own stream.
pub fn epoch_order(len: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for i in (1..len).rev() {
        let j = rng.random_range(0..=i);
        order.swap(i, j);
    }
    order
}
