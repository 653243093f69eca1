//! A melody as a standard MIDI file: one track (type 0), 4/4 at a chosen tempo, for a student
//! to take the model's melody into any player or notation program.

use crate::grid::{Melody, notes};
use midly::num::{u4, u7, u15, u24, u28};
use midly::{Format, Header, MetaMessage, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind};

/// Ticks per quarter note: divisible by 4 so every sixteenth is a whole number of ticks, and
/// the most common resolution in files people exchange.
const TICKS_PER_QUARTER: u16 = 480;
const TICKS_PER_STEP: u32 = TICKS_PER_QUARTER as u32 / 4;
/// A mezzo-forte: the file has no dynamics to give.
const VELOCITY: u8 = 80;
/// Tempi outside this are clamped (and one that is not a number is the default): slower or
/// faster than a player can make sense of, and beyond 3.6 bpm a quarter overflows the file's
/// 24-bit microseconds.
const BPM_RANGE: (f32, f32) = (20.0, 400.0);
const DEFAULT_BPM: f32 = 120.0;

/// `m` as a type-0 MIDI file at `bpm` quarter notes a minute: a 4/4 time signature, the tempo,
/// and each note of `m` (as `grid::notes` reads it) on channel 1.
pub fn midi_from_melody(m: &Melody, bpm: f32) -> Vec<u8> {
    let bpm = if bpm.is_finite() { bpm.clamp(BPM_RANGE.0, BPM_RANGE.1) } else { DEFAULT_BPM };
    let micros_per_quarter = (60_000_000.0 / bpm).round() as u32;
    // (tick, is a note-on, key): offs sort before ons at one tick, so a repeated pitch is
    // released before it is struck again.
    let mut timed: Vec<(u32, bool, u8)> = Vec::new();
    for n in notes(m) {
        let on = n.start as u32 * TICKS_PER_STEP;
        timed.push((on, true, n.pitch));
        timed.push((on + n.len as u32 * TICKS_PER_STEP, false, n.pitch));
    }
    timed.sort();
    let mut track = vec![
        meta(0, MetaMessage::TimeSignature(4, 2, 24, 8)),
        meta(0, MetaMessage::Tempo(u24::new(micros_per_quarter))),
    ];
    let mut now = 0;
    for (tick, starts, key) in timed {
        let (key, vel) = (u7::new(key), u7::new(if starts { VELOCITY } else { 0 }));
        let message =
            if starts { MidiMessage::NoteOn { key, vel } } else { MidiMessage::NoteOff { key, vel } };
        track.push(TrackEvent {
            delta: u28::new(tick - now),
            kind: TrackEventKind::Midi { channel: u4::new(0), message },
        });
        now = tick;
    }
    track.push(meta(0, MetaMessage::EndOfTrack));
    let smf = Smf {
        header: Header::new(Format::SingleTrack, Timing::Metrical(u15::new(TICKS_PER_QUARTER))),
        tracks: vec![track],
    };
    let mut out = Vec::new();
    // midly's writer into a Vec fails only past the format's limits (65,536 tracks, a 256 MB
    // event, a 4 GB track); one track of at most 32 notes is far inside them, so an empty file
    // here would mean a bug in midly, not a melody that cannot be written.
    if smf.write(&mut out).is_err() {
        out.clear();
    }
    out
}

fn meta(delta: u32, message: MetaMessage<'static>) -> TrackEvent<'static> {
    TrackEvent { delta: u28::new(delta), kind: TrackEventKind::Meta(message) }
}
