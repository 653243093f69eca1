//! The only real face photos a registry here offers: scikit-image's `lfw_subset`, 100 grey
//! 25×25 crops from Labeled Faces in the Wild and 100 non-face patches of the same size, read
//! straight out of the scikit-image wheel that set-up downloads from PyPI (like MNIST's wheel).
//! Too few to train on; they are what real photos are measured with (`train photos`). The same
//! wheel carries scikit-image's sample pictures; one of them, Chelsea the cat, is the photo
//! that must not pass for a digit (the out-of-distribution notice).

use crate::sets::{DatasetError, data_dir};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// The wheel set-up fetches (`pip download scikit-image==0.25.2`, the newest on PyPI here).
pub const SKIMAGE_WHEEL: &str =
    "scikit_image-0.25.2-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
const MEMBER: &str = "skimage/data/lfw_subset.npy";
const SHA256: &str = "9560ec2f5edfac01973f63a8a99d00053fecd11e21877e18038fbe500f8e872c";
/// Side of every image, in pixels.
pub const SIDE: usize = 25;
const IMAGES: usize = 200;
const CAT: &str = "skimage/data/chelsea.png";
const CAT_SHA256: &str = "596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb";

/// 8-bit grey images, row-major, `SIDE × SIDE` each.
pub struct LfwSubset {
    pub faces: Vec<Vec<u8>>,
    pub non_faces: Vec<Vec<u8>>,
}

/// The subset from the wheel in [`data_dir`].
pub fn subset() -> Result<LfwSubset, DatasetError> {
    subset_from(&data_dir().join(SKIMAGE_WHEEL))
}

pub fn subset_from(wheel: &Path) -> Result<LfwSubset, DatasetError> {
    let bytes = member(wheel, MEMBER, SHA256)?;
    let values = parse_npy_f64(&bytes, &[IMAGES, SIDE, SIDE]).map_err(DatasetError::Shape)?;
    let images: Vec<Vec<u8>> = values
        .chunks_exact(SIDE * SIDE)
        .map(|img| img.iter().map(|&v| (v.clamp(0.0, 1.0) * 255.0).round() as u8).collect())
        .collect();
    let (faces, non_faces) = images.split_at(IMAGES / 2);
    Ok(LfwSubset { faces: faces.to_vec(), non_faces: non_faces.to_vec() })
}

/// scikit-image's photo of Chelsea the cat (451×300 RGB), as the PNG file's bytes: what a user
/// would drop onto a digits model to see whether it notices.
pub fn cat_photo_png() -> Result<Vec<u8>, DatasetError> {
    member(&data_dir().join(SKIMAGE_WHEEL), CAT, CAT_SHA256)
}

/// One file of the wheel, checked against its SHA-256.
fn member(wheel: &Path, name: &str, sha256: &str) -> Result<Vec<u8>, DatasetError> {
    let mut zip = crate::sets::open_wheel(wheel)?;
    let mut entry = zip.by_name(name).map_err(|e| DatasetError::Zip(format!("{name}: {e}")))?;
    let mut bytes = Vec::new();
    entry.read_to_end(&mut bytes).map_err(|e| DatasetError::Zip(format!("{name}: {e}")))?;
    let found = format!("{:x}", Sha256::digest(&bytes));
    if found != sha256 {
        return Err(DatasetError::Checksum { name: name.into(), found });
    }
    Ok(bytes)
}

/// The values of a NumPy `.npy` file holding little-endian f64 in C order with `shape`.
/// Written here because this one layout is all the project reads: a format crate would bring
/// every dtype for one header line.
fn parse_npy_f64(bytes: &[u8], shape: &[usize]) -> Result<Vec<f64>, String> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(format!("{MEMBER} is not a NumPy array file"));
    }
    let (header_len, start) = match bytes[6] {
        1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
        _ if bytes.len() >= 12 => {
            (u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize, 12)
        }
        _ => return Err(format!("{MEMBER} has a cut-off header")),
    };
    let header = std::str::from_utf8(bytes.get(start..start + header_len).ok_or("cut-off header")?)
        .map_err(|_| format!("{MEMBER} has a header that is not text"))?;
    let dims = shape.iter().map(usize::to_string).collect::<Vec<_>>().join(", ");
    let want_shape = format!("'shape': ({dims}), }}");
    let compact = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    if !header.contains("'descr': '<f8'")
        || !header.contains("'fortran_order': False")
        || !compact(header).contains(&compact(&want_shape))
    {
        return Err(format!("{MEMBER} is not a C-ordered f64 array of shape ({dims}): {header}"));
    }
    let data = &bytes[start + header_len..];
    let n: usize = shape.iter().product();
    if data.len() != n * 8 {
        return Err(format!("{MEMBER} holds {} bytes of data, not {}", data.len(), n * 8));
    }
    Ok(data.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8]))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy(header: &str, values: &[f64]) -> Vec<u8> {
        let mut h = header.to_string();
        while !(10 + h.len() + 1).is_multiple_of(64) {
            h.push(' ');
        }
        h.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend_from_slice(&(h.len() as u16).to_le_bytes());
        out.extend_from_slice(h.as_bytes());
        values.iter().for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
        out
    }

    #[test]
    fn an_npy_array_is_read_and_a_wrong_one_refused() {
        let good =
            npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1, 2), }", &[0.0, 0.5, 1.0, 0.25]);
        assert_eq!(parse_npy_f64(&good, &[2, 1, 2]).unwrap(), vec![0.0, 0.5, 1.0, 0.25]);
        assert!(parse_npy_f64(&good, &[2, 2, 1]).unwrap_err().contains("shape"));
        let ints = npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 1, 2), }", &[0.0; 4]);
        assert!(parse_npy_f64(&ints, &[2, 1, 2]).is_err());
        assert!(parse_npy_f64(&good[..good.len() - 3], &[2, 1, 2]).unwrap_err().contains("bytes of data"));
        assert!(parse_npy_f64(b"PK\x03\x04 zip", &[1]).is_err());
    }

    #[test]
    fn the_real_subset_has_100_faces_and_100_other_patches() {
        let s = subset().expect("set-up fetches the scikit-image wheel");
        assert_eq!((s.faces.len(), s.non_faces.len()), (100, 100));
        assert!(s.faces.iter().chain(&s.non_faces).all(|f| f.len() == SIDE * SIDE));
        // Photos, not blank patches: every face has contrast.
        assert!(s.faces.iter().all(|f| f.iter().max().unwrap() - f.iter().min().unwrap() > 60));
    }

    #[test]
    fn the_cat_is_a_png_file() {
        let png = cat_photo_png().expect("set-up fetches the scikit-image wheel");
        assert_eq!(&png[1..4], b"PNG");
    }
}
