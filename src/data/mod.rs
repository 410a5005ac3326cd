//! Datasets: readers (IDX, CIFAR binary, digits CSV), the validation split, normalisation, batches.
