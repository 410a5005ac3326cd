//! TFRecord framing of an event file: each record is `length: u64 LE`, `masked CRC-32C of the
//! length bytes: u32 LE`, `data`, `masked CRC-32C of data: u32 LE` (TensorFlow's
//! `tensorflow/core/lib/io/record_writer.cc`; mask from `tensorflow/core/lib/hash/crc32c.h`).

use std::io::{self, Read, Write};

/// TensorFlow's CRC mask: rotate right by 15 bits, add a constant, so a CRC of data that holds
/// CRCs is not itself trivially a CRC.
pub fn masked_crc32c(bytes: &[u8]) -> u32 {
    let crc = crc32c::crc32c(bytes);
    crc.rotate_right(15).wrapping_add(0xa282_ead8)
}

/// Write one record holding `data`.
pub fn write_record(out: &mut impl Write, data: &[u8]) -> io::Result<()> {
    let len = (data.len() as u64).to_le_bytes();
    out.write_all(&len)?;
    out.write_all(&masked_crc32c(&len).to_le_bytes())?;
    out.write_all(data)?;
    out.write_all(&masked_crc32c(data).to_le_bytes())
}

/// Every record's data in `input`, in order, both CRCs checked.
///
/// Errors ([`io::ErrorKind::InvalidData`]): a CRC does not match, or the input ends inside a
/// record (naming the record's index and byte offset).
pub fn read_records(mut input: impl Read) -> io::Result<Vec<Vec<u8>>> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    let bad = |i: usize, at: usize, what: &str| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("record {i} at byte {at}: {what}"),
        )
    };
    let mut records = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let i = records.len();
        let header = bytes
            .get(at..at + 12)
            .ok_or_else(|| bad(i, at, "file ends inside the length header"))?;
        let (len, crc) = header.split_at(8);
        if masked_crc32c(len) != u32::from_le_bytes(crc.try_into().expect("4 bytes")) {
            return Err(bad(i, at, "length CRC does not match"));
        }
        let n = u64::from_le_bytes(len.try_into().expect("8 bytes")) as usize;
        let data = bytes
            .get(at + 12..at + 12 + n)
            .ok_or_else(|| bad(i, at, "file ends inside the data"))?;
        let crc = bytes
            .get(at + 12 + n..at + 16 + n)
            .ok_or_else(|| bad(i, at, "file ends before the data CRC"))?;
        if masked_crc32c(data) != u32::from_le_bytes(crc.try_into().expect("4 bytes")) {
            return Err(bad(i, at, "data CRC does not match"));
        }
        records.push(data.to_vec());
        at += 16 + n;
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CRC-32C check value from RFC 3720 (iSCSI), appendix B.4: 32 bytes of zeros → 0x8A9136AA;
    /// the mask is worked by hand: rotr(0x8A9136AA, 15) = 0x6D55_1522, + 0xA282EAD8 = 0x0FD7_FFFA.
    #[test]
    fn masked_crc_matches_the_published_check_value_and_the_hand_worked_mask() {
        assert_eq!(crc32c::crc32c(&[0u8; 32]), 0x8A91_36AA);
        assert_eq!(masked_crc32c(&[0u8; 32]), 0x0FD7_FFFA);
    }

    #[test]
    fn records_read_back_and_a_flipped_byte_is_caught() {
        let mut file = Vec::new();
        write_record(&mut file, b"first").unwrap();
        write_record(&mut file, b"").unwrap();
        write_record(&mut file, b"third record").unwrap();
        assert_eq!(file.len(), 3 * 16 + 5 + 12);
        let back = read_records(&file[..]).unwrap();
        assert_eq!(
            back,
            vec![b"first".to_vec(), vec![], b"third record".to_vec()]
        );
        file[14] ^= 1; // inside "first"
        let err = read_records(&file[..]).unwrap_err();
        assert!(
            err.to_string().contains("record 0 at byte 0: data CRC"),
            "{err}"
        );
        assert!(read_records(&file[..file.len() - 1]).is_err());
    }
}
