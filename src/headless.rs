//! The headless front end: one progress line per epoch on stderr.
