//! The melody grid the sequence models read and write (as in MusicVAE): two bars of 4/4 on a
//! sixteenth-note grid, 32 steps, one token per step: a rest, a hold (the note before goes on),
//! or a pitch starting. Everything else in this crate (keys, attributes, MIDI) is built on
//! `notes`, the grid read as notes with a start and a length.

use std::fmt;

pub const STEPS: usize = 32;
/// Sixteenths per bar of the metres kept (4/4 and 2/2).
pub const BAR: usize = 16;
/// The lowest and highest pitches a token names (MIDI; G3 to C6, a fiddle tune's range).
pub const LOW: u8 = 55;
pub const HIGH: u8 = 84;
pub const REST: u8 = 0;
pub const HOLD: u8 = 1;
/// Tokens: rest, hold, and one per pitch from LOW to HIGH.
pub const VOCAB: usize = 2 + (HIGH - LOW) as usize + 1;

pub type Melody = [u8; STEPS];

pub fn pitch_token(pitch: u8) -> Option<u8> {
    (LOW..=HIGH).contains(&pitch).then(|| 2 + pitch - LOW)
}

pub fn token_pitch(token: u8) -> Option<u8> {
    (token >= 2 && usize::from(token) < VOCAB).then(|| token - 2 + LOW)
}

/// A pitch's name in scientific pitch notation, middle C (60) being C4: "G3", "F#5".
pub fn pitch_name(pitch: u8) -> String {
    const NAMES: [&str; 12] = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"];
    format!("{}{}", NAMES[usize::from(pitch % 12)], i32::from(pitch / 12) - 1)
}

/// Whether `t` means anything: a rest, a hold or one of the pitches.
pub fn is_valid_token(t: u8) -> bool {
    usize::from(t) < VOCAB
}

/// A note on the grid: `len` steps of `pitch` (MIDI) from step `start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Note {
    pub start: usize,
    pub len: usize,
    pub pitch: u8,
}

/// The notes of `m`, in order. A pitch token starts a note and each HOLD after it extends it
/// by a step. A HOLD with no note to extend (at step 0, or after a rest) is a rest: a model
/// can decode one, and reading it as silence is what a listener would hear. A token outside
/// the vocabulary is read as a rest too, so a corrupt melody still plays.
pub fn notes(m: &Melody) -> Vec<Note> {
    let mut out: Vec<Note> = Vec::new();
    let mut sounding = false;
    for (step, &token) in m.iter().enumerate() {
        if let Some(pitch) = token_pitch(token) {
            out.push(Note { start: step, len: 1, pitch });
            sounding = true;
        } else if token == HOLD && sounding {
            if let Some(last) = out.last_mut() {
                last.len += 1;
            }
        } else {
            sounding = false;
        }
    }
    out
}

/// The melody `notes` play, the inverse of `notes` for the notes it returns. Notes are written
/// in order and a later note overwrites the steps it covers: an earlier note it cuts into ends
/// there, and whatever of the earlier note lies after the later one is silent (a note cannot
/// resume without starting again). A note of length 0 still takes one step (as a MIDI note
/// shorter than a sixteenth does); steps past the grid are clipped, and a note whose pitch has
/// no token (outside LOW..=HIGH) or that starts past the grid is left out.
pub fn from_notes(notes: &[Note]) -> Melody {
    // Which note owns each step once every note is written.
    let mut owner: [Option<usize>; STEPS] = [None; STEPS];
    for (i, n) in notes.iter().enumerate() {
        if pitch_token(n.pitch).is_none() || n.start >= STEPS {
            continue;
        }
        let end = n.start.saturating_add(n.len.max(1)).min(STEPS);
        for slot in &mut owner[n.start..end] {
            *slot = Some(i);
        }
    }
    let mut m = [REST; STEPS];
    for step in 0..STEPS {
        let Some(i) = owner[step] else { continue };
        let note = notes[i];
        m[step] = if step == note.start {
            pitch_token(note.pitch).unwrap_or(REST)
        } else if step > 0 && owner[step - 1] == Some(i) && m[step - 1] != REST {
            HOLD
        } else {
            REST // a remnant of a note whose start a later note took
        };
    }
    m
}

/// The pitch of each note of `m`, in order (a note held over several steps counts once).
pub fn pitches(m: &Melody) -> Vec<u8> {
    notes(m).iter().map(|n| n.pitch).collect()
}

/// Why a list of tokens is not a melody (each message a sentence with its full stop).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MelodyError {
    /// Not exactly `STEPS` tokens.
    Length { found: usize },
    /// A token no model has: the first one found.
    Token { step: usize, token: u8 },
}

impl fmt::Display for MelodyError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            MelodyError::Length { found } => {
                write!(f, "a melody is {STEPS} steps (two bars of sixteenths), but this one has {found}.")
            }
            MelodyError::Token { step, token } => write!(
                f,
                "step {} holds token {token}, but tokens go from 0 to {} (a rest, a hold, then pitches {LOW} to {HIGH}).",
                step + 1,
                VOCAB - 1
            ),
        }
    }
}

impl std::error::Error for MelodyError {}

/// `tokens` as a melody, if it is one: exactly `STEPS` tokens, each in the vocabulary.
pub fn validate(tokens: &[u8]) -> Result<Melody, MelodyError> {
    let m: Melody = tokens.try_into().map_err(|_| MelodyError::Length { found: tokens.len() })?;
    if let Some(step) = m.iter().position(|t| !is_valid_token(*t)) {
        return Err(MelodyError::Token { step, token: m[step] });
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pitch: u8) -> u8 {
        pitch_token(pitch).expect("in range")
    }

    #[test]
    fn tokens_and_pitches_are_inverse_over_the_range_only() {
        for pitch in LOW..=HIGH {
            assert_eq!(token_pitch(p(pitch)), Some(pitch));
        }
        assert_eq!(pitch_token(LOW - 1), None);
        assert_eq!(pitch_token(HIGH + 1), None);
        assert_eq!((token_pitch(REST), token_pitch(HOLD)), (None, None));
        assert_eq!(token_pitch(VOCAB as u8), None);
        assert_eq!(VOCAB, 32);
        assert!(is_valid_token(VOCAB as u8 - 1) && !is_valid_token(VOCAB as u8));
    }

    #[test]
    fn pitches_are_named_with_middle_c_as_c4() {
        assert_eq!([pitch_name(LOW), pitch_name(60), pitch_name(HIGH)], ["G3", "C4", "C6"]);
        assert_eq!([pitch_name(0), pitch_name(66), pitch_name(127)], ["C-1", "F#4", "G9"]);
    }

    #[test]
    fn holds_extend_a_note_and_orphan_holds_are_rests() {
        let mut m = [REST; STEPS];
        m[0] = HOLD; // nothing to hold: a rest
        m[1] = p(60);
        m[2] = HOLD;
        m[3] = HOLD;
        m[4] = p(62); // a new note ends the last
        m[5] = REST;
        m[6] = HOLD; // after a rest: a rest
        m[31] = p(84);
        assert_eq!(
            notes(&m),
            vec![
                Note { start: 1, len: 3, pitch: 60 },
                Note { start: 4, len: 1, pitch: 62 },
                Note { start: 31, len: 1, pitch: 84 },
            ]
        );
        assert_eq!(pitches(&m), vec![60, 62, 84]);
        let mut canonical = m;
        canonical[0] = REST;
        canonical[6] = REST;
        assert_eq!(from_notes(&notes(&m)), canonical, "orphan holds come back as rests");
    }

    #[test]
    fn tokens_outside_the_vocabulary_read_as_rests() {
        let mut m = [REST; STEPS];
        m[0] = p(67);
        m[1] = 200;
        m[2] = HOLD;
        assert_eq!(notes(&m), vec![Note { start: 0, len: 1, pitch: 67 }]);
    }

    #[test]
    fn later_notes_overwrite_and_everything_is_clipped_to_the_grid() {
        let m = from_notes(&[
            Note { start: 0, len: 8, pitch: 60 },
            Note { start: 2, len: 2, pitch: 64 },
            Note { start: 30, len: 10, pitch: 67 },
            Note { start: 12, len: 0, pitch: 69 },
            Note { start: 40, len: 2, pitch: 70 },
            Note { start: 20, len: 2, pitch: 20 },
            Note { start: 5, len: usize::MAX, pitch: 72 },
            Note { start: 5, len: 2, pitch: 71 },
        ]);
        assert_eq!(
            notes(&m),
            vec![
                Note { start: 0, len: 2, pitch: 60 },
                Note { start: 2, len: 2, pitch: 64 },
                Note { start: 5, len: 2, pitch: 71 },
            ],
            "C is cut at E and its remains are silent; the long high C from step 5 covers the rest of \
             the grid until B takes its start, and what is left of the high C is silent"
        );
        assert_eq!(m[4], REST, "C's remnant after E");
        assert!(m[7..].iter().all(|t| *t == REST), "{m:?}");
        let simple =
            from_notes(&[Note { start: 30, len: 10, pitch: 67 }, Note { start: 12, len: 0, pitch: 69 }]);
        assert_eq!(
            notes(&simple),
            vec![Note { start: 12, len: 1, pitch: 69 }, Note { start: 30, len: 2, pitch: 67 }]
        );
    }

    #[test]
    fn notes_and_from_notes_round_trip_every_canonical_melody() {
        // A small deterministic generator: the crate has no rand, and needs none.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n) as u8
        };
        for _ in 0..500 {
            let mut m = [REST; STEPS];
            for t in &mut m {
                *t = match next(3) {
                    0 => REST,
                    1 => HOLD,
                    _ => 2 + next(VOCAB as u64 - 2),
                };
            }
            let canonical = from_notes(&notes(&m));
            assert_eq!(notes(&canonical), notes(&m));
            assert_eq!(from_notes(&notes(&canonical)), canonical);
        }
    }

    #[test]
    fn validate_takes_exactly_a_melody_of_known_tokens() {
        let ok = [HOLD; STEPS];
        assert_eq!(validate(&ok), Ok(ok));
        let short = validate(&[REST; 31]).unwrap_err();
        assert_eq!(short, MelodyError::Length { found: 31 });
        assert!(short.to_string().contains("32 steps") && short.to_string().contains("has 31"), "{short}");
        let mut bad = [REST; STEPS];
        bad[5] = 32;
        let e = validate(&bad).unwrap_err();
        assert_eq!(e, MelodyError::Token { step: 5, token: 32 });
        assert!(e.to_string().contains("step 6 holds token 32") && e.to_string().contains("0 to 31"), "{e}");
        assert!(validate(&[]).is_err());
    }
}
