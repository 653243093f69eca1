//! The melody data set: every tune in the music21 wheel's two public-domain collections of
//! fiddle tunes (Ryan's Mammoth Collection, 1883; O'Neill's Music of Ireland, 1903), read from
//! the wheel as MNIST is from its own, cut into two-bar windows (`melody`), and split by tune.

use crate::abc::{Tune, read_book};
use crate::melody::{Melody, is_test_tune, windows};
use crate::sets::{DatasetError, Split, data_dir, open_wheel};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

pub const MUSIC21_WHEEL: &str = "music21-10.5.1-py3-none-any.whl";
/// The wheel's SHA-256, as recorded in the project's data notes.
pub const MUSIC21_SHA256: &str = "dc3309498c4c95cebdf8d4f20c868deb6b63bce1d929cad4f51a7ccc982987b1";
/// The collections read, inside the wheel. The corpus's other folders are left alone: several
/// carry their own terms, and essenFolksong's legal status is unclear.
pub const COLLECTIONS: [&str; 2] = ["music21/corpus/ryansMammoth/", "music21/corpus/oneills1850/"];

/// A two-bar window and the tune it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    pub melody: Melody,
    /// Index of its tune among all tunes read, in file order.
    pub tune: usize,
}

/// Every tune of both collections, in member-name order (the same on every machine).
pub fn tunes_from(wheel: &Path) -> Result<Vec<Tune>, DatasetError> {
    let bytes = std::fs::read(wheel).map_err(|e| DatasetError::Io(wheel.to_path_buf(), e))?;
    let found = format!("{:x}", Sha256::digest(&bytes));
    if found != MUSIC21_SHA256 {
        return Err(DatasetError::Checksum { name: MUSIC21_WHEEL.into(), found });
    }
    let mut zip = open_wheel(wheel)?;
    let mut names: Vec<String> = zip
        .file_names()
        .filter(|n| n.ends_with(".abc") && COLLECTIONS.iter().any(|c| n.starts_with(c)))
        .map(String::from)
        .collect();
    names.sort();
    let mut tunes = Vec::new();
    for name in names {
        let mut entry = zip.by_name(&name).map_err(|e| DatasetError::Zip(format!("{name}: {e}")))?;
        let mut raw = Vec::new();
        entry.read_to_end(&mut raw).map_err(|e| DatasetError::Zip(format!("{name}: {e}")))?;
        // A few transcriptions are Latin-1; their odd characters sit in titles, not notes.
        tunes.extend(read_book(&String::from_utf8_lossy(&raw)));
    }
    Ok(tunes)
}

/// The two-bar windows of one split.
pub fn windows_of(tunes: &[Tune], split: Split) -> Vec<Window> {
    tunes
        .iter()
        .enumerate()
        .filter(|(i, _)| is_test_tune(*i) == (split == Split::Test))
        .flat_map(|(i, t)| windows(t).into_iter().map(move |melody| Window { melody, tune: i }))
        .collect()
}

/// The windows of a split, from the wheel set-up fetched.
pub fn melodies(split: Split) -> Result<Vec<Window>, DatasetError> {
    Ok(windows_of(&tunes_from(&data_dir().join(MUSIC21_WHEEL))?, split))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wheel_gives_thousands_of_tunes_and_a_split_by_tune() {
        let tunes = tunes_from(&data_dir().join(MUSIC21_WHEEL)).unwrap_or_else(|e| panic!("{e}"));
        assert!(tunes.len() > 2_500, "{} tunes", tunes.len());
        let (train, test) = (windows_of(&tunes, Split::Train), windows_of(&tunes, Split::Test));
        assert!(train.len() > 5_000 && test.len() > 300, "{} / {} windows", train.len(), test.len());
        let train_tunes: std::collections::BTreeSet<usize> = train.iter().map(|w| w.tune).collect();
        assert!(test.iter().all(|w| !train_tunes.contains(&w.tune)), "no tune on both sides");
    }
}
