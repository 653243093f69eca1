//! Yes-or-no attributes of a melody, for attribute vectors: a trainer labels each phrase, and
//! "busy" = mean z of the busy phrases − mean z of the rest, as "glasses" is for faces.
//!
//! Each threshold sits near the median of the fiddle-tune phrases the melody models learn from,
//! so each label splits them into two groups of similar size: a vector is the difference of two
//! means, and a split of 95 to 5 would leave one of them a handful of phrases, noisy and
//! describing the exceptions. Measured on the 12,860 training phrases of `data::tunes`: notes
//! per bar have median 7.5 (quartiles 7 and 8), mean pitch has median 72.6 (quartiles 69.9 and
//! 75.3); the thresholds below label 59% of them busy and 55% high.

use crate::grid::{BAR, Melody, STEPS, notes};

/// Notes per bar above which a phrase is busy. Densities come in halves (notes over two bars);
/// above 7 means at least 15 notes in the two bars: running eighths with at most one longer note,
/// or faster. The rest hold notes, rest, or end on a long note. (Above 7.5, every eighth filled,
/// would label only 33% busy.)
pub const BUSY_NOTES_PER_BAR: f32 = 7.0;
/// Mean MIDI pitch above which a phrase is high: C5 (72), the middle of a fiddle tune's compass
/// (D4 to B5), so a high phrase lives in the upper half of the instrument.
pub const HIGH_MEAN_PITCH: f32 = 72.0;

/// Index of each attribute in `labels` and `ATTRIBUTES`.
pub const BUSY: usize = 0;
pub const HIGH: usize = 1;

/// Each attribute's name and what it means, in the order `labels` reports them.
pub const ATTRIBUTES: [(&str, &str); 2] = [
    ("busy", "more than 7 notes per bar: running eighths or faster, against phrases that hold notes or rest"),
    ("high", "mean pitch above C5 (MIDI 72): the upper half of a fiddle tune's range"),
];

/// Notes started per bar (a held note counts once).
pub fn note_density(m: &Melody) -> f32 {
    notes(m).len() as f32 / (STEPS / BAR) as f32
}

/// The mean MIDI pitch of the notes (each note once, however long): the phrase's register.
/// `None` for a melody of rests.
pub fn mean_pitch(m: &Melody) -> Option<f32> {
    let n = notes(m);
    (!n.is_empty()).then(|| n.iter().map(|n| f32::from(n.pitch)).sum::<f32>() / n.len() as f32)
}

/// Whether `m` has each attribute, in `ATTRIBUTES`' order. A melody of rests is neither busy
/// nor high.
pub fn labels(m: &Melody) -> [bool; ATTRIBUTES.len()] {
    let mut out = [false; ATTRIBUTES.len()];
    out[BUSY] = note_density(m) > BUSY_NOTES_PER_BAR;
    out[HIGH] = mean_pitch(m).is_some_and(|p| p > HIGH_MEAN_PITCH);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::{Note, REST, from_notes};

    /// A phrase of `len`-step notes cycling through `pitches`.
    fn phrase(len: usize, pitches: &[u8]) -> Melody {
        let notes: Vec<Note> = (0..STEPS / len)
            .map(|i| Note { start: i * len, len, pitch: pitches[i % pitches.len()] })
            .collect();
        from_notes(&notes)
    }

    #[test]
    fn running_eighths_are_busy_and_quarter_notes_are_not() {
        let eighths = phrase(2, &[62, 66, 69, 66]);
        assert_eq!(note_density(&eighths), 8.0);
        assert!(labels(&eighths)[BUSY]);
        let sixteenths = phrase(1, &[62, 64]);
        assert_eq!(note_density(&sixteenths), 16.0);
        assert!(labels(&sixteenths)[BUSY]);
        let quarters = phrase(4, &[62, 66]);
        assert_eq!(note_density(&quarters), 4.0);
        assert!(!labels(&quarters)[BUSY]);
        // Eighths with one bar ending on a half note: 4 + 8 notes, 6 a bar.
        let mut ending = eighths;
        ending[8..16].copy_from_slice(&[eighths[8], 1, 1, 1, 1, 1, 1, 1]);
        assert_eq!(note_density(&ending), 6.5);
        assert!(!labels(&ending)[BUSY]);
        // Running eighths that end on a quarter note: 15 notes, still busy.
        let mut cadence = eighths;
        cadence[30] = 1;
        assert_eq!(note_density(&cadence), 7.5);
        assert!(labels(&cadence)[BUSY]);
    }

    #[test]
    fn the_register_is_the_mean_pitch_of_the_notes() {
        let low = phrase(2, &[62, 64, 66, 67]); // D4 to G4
        assert_eq!(mean_pitch(&low), Some(64.75));
        assert!(!labels(&low)[HIGH]);
        let high = phrase(2, &[74, 76, 78, 79]); // D5 to G5
        assert!(labels(&high)[HIGH]);
        // A long low note counts once, as a short high one does.
        let mut m = [REST; STEPS];
        m[..16].copy_from_slice(&phrase(16, &[60])[..16]);
        m[16] = crate::grid::pitch_token(80).unwrap_or(REST);
        assert_eq!(mean_pitch(&m), Some(70.0));
        assert_eq!(mean_pitch(&[REST; STEPS]), None);
        assert_eq!(labels(&[REST; STEPS]), [false, false], "silence is neither busy nor high");
    }

    #[test]
    fn every_attribute_has_a_name_and_a_description() {
        assert_eq!(ATTRIBUTES[BUSY].0, "busy");
        assert_eq!(ATTRIBUTES[HIGH].0, "high");
        assert!(ATTRIBUTES.iter().all(|(name, what)| !name.is_empty() && what.len() > 20));
    }
}
