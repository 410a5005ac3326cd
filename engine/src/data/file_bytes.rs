//! Reading a whole data file into memory, gunzipping it when it is gzip.

use std::io::Read;
use std::path::Path;

use flate2::read::MultiGzDecoder;

use super::error::DataError;

/// The two first bytes of every gzip stream (RFC 1952).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The content of the file at `path`, decompressed when it starts with the gzip magic `1f 8b`
/// (whatever its name), as is otherwise.
///
/// Errors: [`DataError::Io`] naming `path` when the file cannot be read or the gzip stream is corrupt.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, DataError> {
    let raw = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    if !raw.starts_with(&GZIP_MAGIC) {
        return Ok(raw);
    }
    // The gzip trailer stores the uncompressed size mod 2^32: a good capacity hint for files < 4 GiB,
    // which saves the repeated doubling of a 47 MB buffer (capped, since a corrupt trailer could lie).
    let hint = raw
        .len()
        .checked_sub(4)
        .map(|at| u32::from_le_bytes([raw[at], raw[at + 1], raw[at + 2], raw[at + 3]]) as usize)
        .unwrap_or(0);
    let mut out = Vec::with_capacity(hint.min(1 << 30));
    MultiGzDecoder::new(raw.as_slice())
        .read_to_end(&mut out)
        .map_err(|e| DataError::io(path, e))?;
    Ok(out)
}
