//! MIDI files in and out of the melody grid. In: a student's file becomes two bars the model can
//! encode (`melody_from_midi`): `read` turns the file into timed notes, `line` makes them one
//! line of sixteenths in the model's range, and every liberty taken is listed in
//! `Imported::remarks`. Out: `midi_from_melody` (in `write`) writes a melody as a file any
//! player opens. Refusals are `MidiError`s whose messages a student can act on; saying that
//! nothing changed is the page's part.

mod line;
mod read;
mod write;

#[cfg(test)]
mod tests;

use crate::grid::{HIGH, LOW, Melody, pitch_name};
use std::fmt;

pub use write::midi_from_melody;

/// Files over this are refused before parsing: a two-bar melody is a few hundred bytes and a
/// whole song a few tens of kilobytes, so anything bigger is not what the page asks for (and
/// parsing it would only cost the student's browser time).
pub const MAX_MIDI_BYTES: usize = 1 << 20;

/// The MIDI channel drums play on: channel 10, counted from 0 as the file stores it.
pub const DRUM_CHANNEL: u8 = 9;

/// A melody read from a MIDI file, and what was done to make it fit the grid, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    pub melody: Melody,
    /// One remark per liberty taken ("notes from 3 tracks merged", "chords reduced to their top
    /// note", "moved up 1 octave into the model's range, G3 to C6"); empty when the file held
    /// exactly one two-bar line in range.
    pub remarks: Vec<String>,
}

/// Why a file cannot become a melody. Each message is a sentence, ending with a full stop, that
/// the page can follow with its own ("Nothing was changed.").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MidiError {
    /// Over `MAX_MIDI_BYTES`.
    TooLarge { bytes: usize },
    /// Does not begin as a standard MIDI file does.
    NotMidi,
    /// Begins as a MIDI file but is cut short or damaged: what the parser found.
    Corrupt(String),
    /// Time counted in SMPTE frames rather than beats.
    Timecode,
    /// A time signature other than 4/4 or 2/2 before the end of the imported bars.
    TimeSignature { numerator: u8, denominator_power: u8 },
    /// Not one note (on any channel).
    NoNotes,
    /// Notes only on the drum channel.
    DrumsOnly,
    /// More than half the onsets imported lie off the sixteenth grid.
    OffGrid { off: usize, total: usize },
    /// Notes on more than one track in the bars imported: which line is the melody is the
    /// user's call, not a guess of ours (the highest note of a piano part is rarely the tune).
    SeveralTracks { tracks: usize },
}

impl fmt::Display for MidiError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            MidiError::TooLarge { bytes } => write!(
                f,
                "this file is {:.1} MiB; a MIDI melody is a few kilobytes, and files over {} MiB are not read.",
                *bytes as f64 / (1 << 20) as f64,
                MAX_MIDI_BYTES >> 20
            ),
            MidiError::NotMidi => {
                write!(
                    f,
                    "this is not a MIDI file: it does not begin with \"MThd\", as every MIDI file does."
                )
            }
            MidiError::Corrupt(detail) => {
                write!(f, "this MIDI file is damaged or cut short, so it cannot be read ({detail}).")
            }
            MidiError::Timecode => write!(
                f,
                "this MIDI file counts time in video frames (SMPTE) rather than beats, so there are no \
                 beats to place sixteenth notes on."
            ),
            MidiError::TimeSignature { numerator, denominator_power } => {
                let denominator = 1u32.checked_shl(u32::from(*denominator_power));
                let metre = denominator
                    .map_or(format!("{numerator}/2^{denominator_power}"), |d| format!("{numerator}/{d}"));
                write!(
                    f,
                    "this music is in {metre}; the model learned two-bar phrases in 4/4 (or 2/2), so its \
                     bars do not fit the model's grid."
                )
            }
            MidiError::NoNotes => write!(f, "this MIDI file has no notes in it."),
            MidiError::DrumsOnly => write!(
                f,
                "every note in this MIDI file is on channel 10, the drum channel: drums have no melody to import."
            ),
            MidiError::OffGrid { off, total } => write!(
                f,
                "{off} of the {total} notes in the first two bars fall between sixteenth notes (triplets, \
                 or timing played freely): the model's sixteenth-note grid cannot hold this rhythm."
            ),
            MidiError::SeveralTracks { tracks } => write!(
                f,
                "this MIDI file plays notes on {tracks} tracks at once, and the model reads one melody \
                 line: save the track with the tune on its own (most music programs can export one \
                 track) and drop that file."
            ),
        }
    }
}

impl std::error::Error for MidiError {}

/// The model's range in words, for remarks: "G3 to C6".
fn range_name() -> String {
    format!("{} to {}", pitch_name(LOW), pitch_name(HIGH))
}

/// The first two bars with notes in a standard MIDI file, as one melody line on the grid.
///
/// Every channel but the drums' is read, all tracks merged; where several notes sound at once
/// the highest is kept (a note of one part held under a sixteenth into its next is legato, not
/// a chord, and ends there). Onsets go to the nearest sixteenth (by the file's ticks per quarter;
/// tempo changes do not move the beat, so they are ignored), and a note shorter than a
/// sixteenth still takes one step. The two bars start at the bar of the first note, counting
/// bars of four quarters from the file's start. The line is moved by whole octaves to keep as
/// many notes as possible in LOW..=HIGH; notes still outside are left out.
///
/// Refused, in this order: a file over `MAX_MIDI_BYTES`, one that is not MIDI or is damaged,
/// time in SMPTE frames, no notes or only drums, a time signature other than 4/4 or 2/2 before
/// the two bars end, and more than half the onsets in the two bars off the sixteenth grid.
pub fn melody_from_midi(bytes: &[u8]) -> Result<Imported, MidiError> {
    let score = read::read(bytes)?;
    line::melody_line(&score)
}
