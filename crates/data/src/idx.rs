//! The IDX format of MNIST and Fashion-MNIST: a 4-byte magic (two zero bytes, an element type,
//! the number of dimensions), big-endian u32 dimensions, then the elements. Files may be gzipped.
//! Only unsigned bytes (type 0x08) are used by these datasets, so only those are accepted.

use std::fmt;
use std::io::Read;

/// A decoded IDX array of unsigned bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Idx {
    pub dims: Vec<usize>,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdxError {
    TooShort { len: usize },
    BadMagic([u8; 4]),
    UnsupportedType(u8),
    BadDims(u8),
    LengthMismatch { expected: usize, found: usize },
    Gzip(String),
    TooLarge(u128),
}

impl fmt::Display for IdxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdxError::TooShort { len } => write!(f, "IDX file is {len} bytes, too short for a header"),
            IdxError::BadMagic(m) => {
                write!(f, "not an IDX file: magic bytes {m:02x?} (expected 00 00 08 0n)")
            }
            IdxError::UnsupportedType(t) => {
                write!(f, "IDX element type 0x{t:02x} is not unsigned bytes (0x08)")
            }
            IdxError::BadDims(n) => write!(f, "IDX header declares {n} dimensions (1 to 4 expected)"),
            IdxError::LengthMismatch { expected, found } => {
                write!(f, "IDX header promises {expected} data bytes but the file has {found}")
            }
            IdxError::Gzip(e) => write!(f, "gzip stream is broken: {e}"),
            IdxError::TooLarge(n) => {
                write!(f, "IDX header declares {n} elements, more than this reader allows")
            }
        }
    }
}

impl std::error::Error for IdxError {}

/// Largest array accepted: the MNIST training images are 47 M bytes; 1 GiB leaves room and stops
/// a hostile header from asking for absurd allocations.
const MAX_ELEMENTS: u128 = 1 << 30;

/// Parse IDX bytes, gunzipping first when they start with the gzip magic.
pub fn parse(bytes: &[u8]) -> Result<Idx, IdxError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .take(MAX_ELEMENTS as u64 + 64)
            .read_to_end(&mut out)
            .map_err(|e| IdxError::Gzip(e.to_string()))?;
        return parse_raw(&out);
    }
    parse_raw(bytes)
}

fn parse_raw(bytes: &[u8]) -> Result<Idx, IdxError> {
    if bytes.len() < 4 {
        return Err(IdxError::TooShort { len: bytes.len() });
    }
    let magic = [bytes[0], bytes[1], bytes[2], bytes[3]];
    if magic[0] != 0 || magic[1] != 0 {
        return Err(IdxError::BadMagic(magic));
    }
    if magic[2] != 0x08 {
        return Err(IdxError::UnsupportedType(magic[2]));
    }
    let ndims = magic[3];
    if !(1..=4).contains(&ndims) {
        return Err(IdxError::BadDims(ndims));
    }
    let header = 4 + 4 * ndims as usize;
    if bytes.len() < header {
        return Err(IdxError::TooShort { len: bytes.len() });
    }
    let dims: Vec<usize> = bytes[4..header]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    let count: u128 = dims.iter().map(|&d| d as u128).product();
    if count > MAX_ELEMENTS {
        return Err(IdxError::TooLarge(count));
    }
    let data = &bytes[header..];
    if data.len() as u128 != count {
        return Err(IdxError::LengthMismatch { expected: count as usize, found: data.len() });
    }
    Ok(Idx { dims, data: data.to_vec() })
}

/// Serialise as raw IDX (used by tests and to write small fixtures).
pub fn encode(idx: &Idx) -> Vec<u8> {
    let mut out = vec![0, 0, 0x08, idx.dims.len() as u8];
    for d in &idx.dims {
        out.extend_from_slice(&(*d as u32).to_be_bytes());
    }
    out.extend_from_slice(&idx.data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn sample() -> Idx {
        Idx { dims: vec![2, 2, 3], data: (0..12).collect() }
    }

    #[test]
    fn round_trip_raw_and_gzip() {
        let raw = encode(&sample());
        assert_eq!(parse(&raw).unwrap(), sample());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&raw).unwrap();
        assert_eq!(parse(&gz.finish().unwrap()).unwrap(), sample());
    }

    #[test]
    fn rejects_bad_files_with_reasons() {
        assert_eq!(parse(&[0, 0]), Err(IdxError::TooShort { len: 2 }));
        assert_eq!(parse(b"PNG\x89rest"), Err(IdxError::BadMagic(*b"PNG\x89")));
        assert_eq!(parse(&[0, 0, 0x0d, 1, 0, 0, 0, 0]), Err(IdxError::UnsupportedType(0x0d)));
        assert_eq!(parse(&[0, 0, 8, 0]), Err(IdxError::BadDims(0)));
        assert_eq!(parse(&[0, 0, 8, 9]), Err(IdxError::BadDims(9)));
        let mut truncated = encode(&sample());
        truncated.pop();
        assert_eq!(parse(&truncated), Err(IdxError::LengthMismatch { expected: 12, found: 11 }));
        // A header promising 2^32 x 2^32 elements must not allocate.
        assert!(matches!(
            parse(&[0, 0, 8, 2, 255, 255, 255, 255, 255, 255, 255, 255]),
            Err(IdxError::TooLarge(_))
        ));
        assert!(matches!(parse(&[0x1f, 0x8b, 1, 2, 3]), Err(IdxError::Gzip(_))));
        assert!(IdxError::BadDims(9).to_string().contains("9 dimensions"));
    }
}
