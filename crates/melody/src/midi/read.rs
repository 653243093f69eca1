//! A standard MIDI file as timed notes: each note-on paired with its note-off, in absolute
//! ticks, with the track and channel it came from, and the time signatures the file states.
//! No musical decision is made here (that is `line`'s job), only what the file says.

use super::{DRUM_CHANNEL, MAX_MIDI_BYTES, MidiError};
use midly::{Format, MetaMessage, MidiMessage, Smf, Timing, TrackEventKind};
use std::collections::{BTreeMap, VecDeque};

/// One note as the file plays it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Heard {
    pub on: u64,
    pub off: u64,
    pub pitch: u8,
    pub track: usize,
    pub channel: u8,
}

/// A time signature event: `numerator` / 2^`denominator_power` from `tick` on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Meter {
    pub tick: u64,
    pub numerator: u8,
    pub denominator_power: u8,
}

/// What `line` needs of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Score {
    /// Never 0 (such a file is refused as corrupt).
    pub ticks_per_quarter: u64,
    /// Every note off the drum channel, in no particular order.
    pub notes: Vec<Heard>,
    /// How many drum notes were left out.
    pub drum_notes: usize,
    pub meters: Vec<Meter>,
    /// A type-2 file (independent patterns, not parallel tracks) of which only the first pattern
    /// with notes was read.
    pub patterns_skipped: bool,
}

/// The notes and meters of one track.
#[derive(Default)]
struct Track {
    notes: Vec<Heard>,
    drum_notes: usize,
    meters: Vec<Meter>,
}

pub(super) fn read(bytes: &[u8]) -> Result<Score, MidiError> {
    if bytes.len() > MAX_MIDI_BYTES {
        return Err(MidiError::TooLarge { bytes: bytes.len() });
    }
    // midly also reads MIDI wrapped in RIFF (.rmi); anything else is not a MIDI file at all,
    // which deserves a plainer message than a parser's.
    if !(bytes.starts_with(b"MThd") || bytes.starts_with(b"RIFF")) {
        return Err(MidiError::NotMidi);
    }
    let smf = Smf::parse(bytes).map_err(|e| MidiError::Corrupt(describe(&e)))?;
    let ticks_per_quarter = match smf.header.timing {
        Timing::Metrical(t) if t.as_int() > 0 => u64::from(t.as_int()),
        Timing::Metrical(_) => return Err(MidiError::Corrupt("it says a beat lasts 0 ticks".into())),
        Timing::Timecode(..) => return Err(MidiError::Timecode),
    };
    let mut tracks: Vec<Track> =
        smf.tracks.iter().enumerate().map(|(i, events)| read_track(i, events)).collect();
    // Type 2 patterns each start at time 0 and follow one another: merging them would stack
    // unrelated music. The first with notes is the melody's best guess.
    let mut patterns_skipped = false;
    if smf.header.format == Format::Sequential
        && let Some(first) = tracks.iter().position(|t| !t.notes.is_empty())
    {
        patterns_skipped = tracks.iter().skip(first + 1).any(|t| !t.notes.is_empty());
        let kept = tracks.swap_remove(first);
        tracks = vec![kept];
    }
    let mut score =
        Score { ticks_per_quarter, notes: Vec::new(), drum_notes: 0, meters: Vec::new(), patterns_skipped };
    for t in tracks {
        score.notes.extend(t.notes);
        score.drum_notes += t.drum_notes;
        score.meters.extend(t.meters);
    }
    Ok(score)
}

/// midly's message and the messages of what caused it, outermost first.
fn describe(e: &midly::Error) -> String {
    let mut parts = vec![e.kind().message()];
    let mut cause = e.source();
    while let Some(c) = cause {
        parts.push(c.kind().message());
        cause = c.source();
    }
    parts.join(": ")
}

fn read_track(index: usize, events: &[midly::TrackEvent]) -> Track {
    let mut track = Track::default();
    // Onsets still sounding, per channel and key, oldest first: a note-off ends the oldest (a
    // key struck twice before its first release is two notes, released in order).
    let mut open: BTreeMap<(u8, u8), VecDeque<u64>> = BTreeMap::new();
    let mut tick = 0u64;
    for event in events {
        tick += u64::from(event.delta.as_int());
        match event.kind {
            TrackEventKind::Midi { channel, message } => {
                let channel = channel.as_int();
                let (key, starts) = match message {
                    MidiMessage::NoteOn { key, vel } => (key.as_int(), vel.as_int() > 0),
                    // By convention a note-on of velocity 0 is a note-off.
                    MidiMessage::NoteOff { key, .. } => (key.as_int(), false),
                    _ => continue,
                };
                if channel == DRUM_CHANNEL {
                    track.drum_notes += usize::from(starts);
                } else if starts {
                    open.entry((channel, key)).or_default().push_back(tick);
                } else if let Some(on) = open.get_mut(&(channel, key)).and_then(VecDeque::pop_front) {
                    track.notes.push(Heard { on, off: tick, pitch: key, track: index, channel });
                }
                // A note-off with no note to end means nothing and is ignored.
            }
            TrackEventKind::Meta(MetaMessage::TimeSignature(numerator, denominator_power, ..)) => {
                track.meters.push(Meter { tick, numerator, denominator_power });
            }
            _ => {}
        }
    }
    // A note never released sounds to the track's end, as a player would hold it.
    for ((channel, pitch), ons) in open {
        for on in ons {
            track.notes.push(Heard { on, off: tick, pitch, track: index, channel });
        }
    }
    track
}
