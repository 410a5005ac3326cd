//! Knowledge distillation: the KD loss.
