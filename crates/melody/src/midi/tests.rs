//! MIDI in and out, on files written here with midly's writer (or by hand, for the broken ones):
//! round trips, every refusal, and every liberty `line` takes with its remark.

use super::*;
use crate::grid::{HOLD, Note, REST, STEPS, from_notes, notes, pitch_token};
use midly::num::{u4, u7, u15, u24, u28};
use midly::{Format, Fps, Header, MetaMessage, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind};

/// What a test file holds, in absolute ticks.
#[derive(Clone, Copy)]
enum Ev {
    /// A note from `on` to `off` on `channel` (0-based).
    Note {
        on: u32,
        off: u32,
        key: u8,
        channel: u8,
    },
    /// A time signature `numerator`/2^`power` at `tick`.
    Meter {
        tick: u32,
        numerator: u8,
        power: u8,
    },
    Tempo {
        tick: u32,
    },
}

fn note(on: u32, off: u32, key: u8) -> Ev {
    Ev::Note { on, off, key, channel: 0 }
}

/// A MIDI file of `tracks` (type 0 for one, type 1 for more) at `timing`.
fn file_with(timing: Timing, format: Format, tracks: &[Vec<Ev>]) -> Vec<u8> {
    let tracks: Vec<Vec<TrackEvent<'static>>> = tracks
        .iter()
        .map(|events| {
            // (tick, order, kind): offs before ons at one tick, as a sequencer writes them.
            let mut timed: Vec<(u32, u8, TrackEventKind<'static>)> = Vec::new();
            for e in events {
                match *e {
                    Ev::Note { on, off, key, channel } => {
                        let (key, channel) = (u7::new(key), u4::new(channel));
                        let vel = u7::new(90);
                        timed.push((
                            on,
                            1,
                            TrackEventKind::Midi { channel, message: MidiMessage::NoteOn { key, vel } },
                        ));
                        let message = MidiMessage::NoteOff { key, vel: u7::new(0) };
                        timed.push((off, 0, TrackEventKind::Midi { channel, message }));
                    }
                    Ev::Meter { tick, numerator, power } => timed.push((
                        tick,
                        0,
                        TrackEventKind::Meta(MetaMessage::TimeSignature(numerator, power, 24, 8)),
                    )),
                    Ev::Tempo { tick } => {
                        timed.push((tick, 0, TrackEventKind::Meta(MetaMessage::Tempo(u24::new(500_000)))))
                    }
                }
            }
            timed.sort_by_key(|(tick, order, _)| (*tick, *order));
            let mut now = 0;
            let mut track: Vec<TrackEvent<'static>> = timed
                .into_iter()
                .map(|(tick, _, kind)| {
                    let delta = u28::new(tick - now);
                    now = tick;
                    TrackEvent { delta, kind }
                })
                .collect();
            track
                .push(TrackEvent { delta: u28::new(0), kind: TrackEventKind::Meta(MetaMessage::EndOfTrack) });
            track
        })
        .collect();
    let smf = Smf { header: Header::new(format, timing), tracks };
    let mut out = Vec::new();
    smf.write(&mut out).expect("a small file writes");
    out
}

/// A file at 480 ticks per quarter (a sixteenth is 120 ticks).
fn file(tracks: &[Vec<Ev>]) -> Vec<u8> {
    let format = if tracks.len() == 1 { Format::SingleTrack } else { Format::Parallel };
    file_with(Timing::Metrical(u15::new(480)), format, tracks)
}

const S: u32 = 120; // ticks per sixteenth at 480 per quarter

/// Eighth notes of `keys` from step 0.
fn eighths(keys: &[u8]) -> Vec<Ev> {
    keys.iter().enumerate().map(|(i, &k)| note(i as u32 * 2 * S, (i as u32 * 2 + 2) * S, k)).collect()
}

fn import(bytes: &[u8]) -> Imported {
    melody_from_midi(bytes).unwrap_or_else(|e| panic!("{e}"))
}

fn refused(bytes: &[u8]) -> MidiError {
    match melody_from_midi(bytes) {
        Ok(i) => panic!("imported {:?} with {:?}", notes(&i.melody), i.remarks),
        Err(e) => e,
    }
}

fn has_remark(i: &Imported, words: &str) -> bool {
    i.remarks.iter().any(|r| r.contains(words))
}

#[test]
fn a_melody_comes_back_from_its_midi_file_unchanged() {
    let mut m = from_notes(&[
        Note { start: 0, len: 2, pitch: 62 },
        Note { start: 2, len: 1, pitch: 66 },
        Note { start: 3, len: 1, pitch: 66 }, // a repeated pitch struck again
        Note { start: 6, len: 10, pitch: 84 },
        Note { start: 16, len: 16, pitch: 55 },
    ]);
    let i = import(&midi_from_melody(&m, 120.0));
    assert_eq!(i.melody, m);
    assert!(i.remarks.is_empty(), "{:?}", i.remarks);
    m = [REST; STEPS];
    m[15] = pitch_token(69).unwrap_or(REST); // one note, at the end of the first bar
    assert_eq!(import(&midi_from_melody(&m, 90.0)).melody, m);
}

#[test]
fn every_canonical_melody_with_a_note_in_its_first_bar_round_trips() {
    // A melody whose first bar is silent cannot: the import starts at the first bar with notes.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n) as u8
    };
    let mut checked = 0;
    for _ in 0..300 {
        let mut m = [REST; STEPS];
        for t in &mut m {
            *t = match next(4) {
                0 => REST,
                1 | 2 => HOLD,
                _ => pitch_token(LOW + next(u64::from(HIGH - LOW) + 1)).unwrap_or(REST),
            };
        }
        let m = from_notes(&notes(&m));
        if notes(&m).first().is_none_or(|n| n.start >= 16) {
            continue;
        }
        let i = import(&midi_from_melody(&m, 100.0 + f32::from(next(100))));
        assert_eq!(i.melody, m, "{:?}", notes(&m));
        assert!(i.remarks.is_empty(), "{:?}", i.remarks);
        checked += 1;
    }
    assert!(checked > 200, "{checked}");
}

#[test]
fn the_exported_file_is_one_track_of_4_4_at_the_tempo_asked() {
    let m = from_notes(&[Note { start: 0, len: 4, pitch: 67 }]);
    let tempo = |bpm: f32| {
        let bytes = midi_from_melody(&m, bpm);
        let smf = Smf::parse(&bytes).expect("parses");
        assert_eq!(smf.header.format, Format::SingleTrack);
        assert_eq!(smf.header.timing, Timing::Metrical(u15::new(480)));
        assert_eq!(smf.tracks.len(), 1);
        let events: Vec<_> = smf.tracks[0].iter().map(|e| e.kind).collect();
        assert!(events.contains(&TrackEventKind::Meta(MetaMessage::TimeSignature(4, 2, 24, 8))));
        events
            .iter()
            .find_map(|k| match k {
                TrackEventKind::Meta(MetaMessage::Tempo(t)) => Some(t.as_int()),
                _ => None,
            })
            .expect("a tempo")
    };
    assert_eq!(tempo(120.0), 500_000);
    assert_eq!(tempo(f32::NAN), 500_000, "not a number: the default, 120");
    assert_eq!(tempo(1.0), 3_000_000, "clamped to 20 bpm");
    assert_eq!(tempo(10_000.0), 150_000, "clamped to 400 bpm");
    let silence = midi_from_melody(&[REST; STEPS], 120.0);
    assert_eq!(refused(&silence), MidiError::NoNotes);
}

#[test]
fn files_that_are_not_midi_say_so() {
    assert_eq!(refused(&[]), MidiError::NotMidi);
    let mut state = 7u32;
    let noise: Vec<u8> = (0..1000)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 24) as u8
        })
        .collect();
    assert_eq!(refused(&noise), MidiError::NotMidi);
    assert_eq!(refused(b"%PDF-1.7 not music"), MidiError::NotMidi);
    let e = refused(b"MThd\x00\x00\x00\x06\x00");
    assert!(matches!(e, MidiError::Corrupt(_)), "{e:?}");
    assert!(MidiError::NotMidi.to_string().contains("not a MIDI file"));
}

#[test]
fn a_file_cut_short_anywhere_is_refused_as_damaged() {
    let whole = file(&[eighths(&[62, 64, 66, 67, 69, 71, 73, 74])]);
    for len in 4..whole.len() {
        match melody_from_midi(&whole[..len]) {
            Err(MidiError::Corrupt(detail)) => assert!(!detail.is_empty()),
            other => panic!("cut at {len} of {}: {other:?}", whole.len()),
        }
    }
    let e = refused(&whole[..whole.len() - 3]);
    assert!(e.to_string().contains("damaged or cut short"), "{e}");
}

#[test]
fn damaged_bytes_never_panic() {
    let whole = file(&[eighths(&[62, 64, 66, 67]), vec![note(0, 4 * S, 50)]]);
    for at in 0..whole.len() {
        for flip in [0x01, 0x80, 0xff] {
            let mut bytes = whole.clone();
            bytes[at] ^= flip;
            let _ = melody_from_midi(&bytes); // Ok or Err, but an answer
        }
    }
}

#[test]
fn files_over_a_mebibyte_are_refused_before_parsing() {
    let mut big = file(&[eighths(&[62])]);
    big.resize(2 << 20, 0);
    let e = refused(&big);
    assert_eq!(e, MidiError::TooLarge { bytes: 2 << 20 });
    assert!(e.to_string().contains("2.0 MiB") && e.to_string().contains("over 1 MiB"), "{e}");
    let mut edge = file(&[eighths(&[62])]);
    edge.resize(MAX_MIDI_BYTES, 0);
    assert!(!matches!(melody_from_midi(&edge), Err(MidiError::TooLarge { .. })), "exactly the limit is read");
}

#[test]
fn no_notes_and_drums_only_are_told_apart() {
    assert_eq!(refused(&file(&[vec![Ev::Tempo { tick: 0 }]])), MidiError::NoNotes);
    let kit = |key| Ev::Note { on: 0, off: S, key, channel: DRUM_CHANNEL };
    let e = refused(&file(&[vec![kit(36), kit(38), kit(42)]]));
    assert_eq!(e, MidiError::DrumsOnly);
    assert!(e.to_string().contains("channel 10"), "{e}");
    // Drums beside a tune: left out, and said.
    let mut band = eighths(&[62, 64]);
    band.push(kit(36));
    let i = import(&file(&[band]));
    assert_eq!(
        i.melody,
        from_notes(&[Note { start: 0, len: 2, pitch: 62 }, Note { start: 2, len: 2, pitch: 64 }])
    );
    assert!(has_remark(&i, "drums"), "{:?}", i.remarks);
}

#[test]
fn timecode_timing_is_refused() {
    let bytes = file_with(Timing::Timecode(Fps::Fps25, 40), Format::SingleTrack, &[eighths(&[62, 64])]);
    let e = refused(&bytes);
    assert_eq!(e, MidiError::Timecode);
    assert!(e.to_string().contains("SMPTE"), "{e}");
}

#[test]
fn only_4_4_and_2_2_bars_are_read() {
    let waltz = |tick| {
        let mut t = eighths(&[62, 64, 66, 67, 69, 71]);
        t.push(Ev::Meter { tick, numerator: 3, power: 2 });
        file(&[t])
    };
    let e = refused(&waltz(0));
    assert_eq!(e, MidiError::TimeSignature { numerator: 3, denominator_power: 2 });
    assert!(e.to_string().contains("3/4") && e.to_string().contains("4/4"), "{e}");
    // A change of metre after the two bars taken does not matter to them.
    assert!(melody_from_midi(&waltz(32 * S)).is_ok());
    let mut cut_time = eighths(&[62, 64]);
    cut_time.push(Ev::Meter { tick: 0, numerator: 2, power: 1 });
    assert!(melody_from_midi(&file(&[cut_time])).is_ok(), "2/2 has bars of four quarters too");
    let odd = MidiError::TimeSignature { numerator: 5, denominator_power: 40 };
    assert!(odd.to_string().contains("5/2^40"), "{odd}");
}

#[test]
fn triplets_do_not_fit_the_grid_but_a_loose_performance_does() {
    // Eighth triplets: three notes a quarter, 160 ticks apart; two of each three off the grid.
    let triplets: Vec<Ev> = (0..12).map(|i| note(i * 160, (i + 1) * 160, 62 + (i % 3) as u8)).collect();
    let e = refused(&file(&[triplets]));
    assert_eq!(e, MidiError::OffGrid { off: 8, total: 12 });
    assert!(e.to_string().contains("triplets"), "{e}");
    // Played by hand: onsets up to 25 ticks early or late (a fifth of a sixteenth) are on it.
    let expected: Vec<Note> = (0..8).map(|i| Note { start: 2 * i, len: 2, pitch: 62 + i as u8 }).collect();
    let by_hand: Vec<Ev> = [0i32, 25, -20, 10, -25, 15, 0, -10]
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let on = (i as i32 * 2 * S as i32 + d).max(0) as u32;
            note(on, on + 2 * S - 30, 62 + i as u8)
        })
        .collect();
    let played = import(&file(&[by_hand]));
    assert_eq!(notes(&played.melody), expected);
    assert!(played.remarks.is_empty(), "{:?}", played.remarks);
    // A few notes off the grid among many on it are moved, and said.
    let mut mostly = eighths(&[62, 64, 66, 67, 69, 71, 73, 74]);
    mostly.push(note(16 * S + 160, 16 * S + 320, 76)); // a triplet's second note in bar 2
    let i = import(&file(&[mostly]));
    assert!(has_remark(&i, "1 of 9 notes were off the sixteenth grid"), "{:?}", i.remarks);
}

#[test]
fn a_resolution_not_divisible_by_4_is_exact_on_its_grid() {
    // 90 ticks a quarter: a sixteenth is 22.5 ticks, an eighth 45.
    let notes_at_90: Vec<Ev> = (0..8).map(|i| note(i * 45, (i + 1) * 45, 62 + i as u8)).collect();
    let bytes = file_with(Timing::Metrical(u15::new(90)), Format::SingleTrack, &[notes_at_90]);
    let i = import(&bytes);
    let expected: Vec<Note> = (0..8).map(|k| Note { start: 2 * k, len: 2, pitch: 62 + k as u8 }).collect();
    assert_eq!(notes(&i.melody), expected);
    assert!(i.remarks.is_empty(), "{:?}", i.remarks);
    // Sixteenths at 22 or 23 ticks are within a quarter of a sixteenth of the grid.
    let sixteenths: Vec<Ev> = (0..8).map(|i| note(i * 45 / 2, (i + 1) * 45 / 2, 62)).collect();
    let i = import(&file_with(Timing::Metrical(u15::new(90)), Format::SingleTrack, &[sixteenths]));
    assert_eq!(notes(&i.melody).len(), 8);
    assert!(i.remarks.is_empty(), "{:?}", i.remarks);
}

#[test]
fn several_tracks_are_refused_and_chords_of_one_track_become_one_line() {
    // Track 1 plays a tune; track 2 a C major chord under it, and above it at step 4.
    let tune = eighths(&[67, 69, 71, 72]);
    let chords = vec![note(0, 4 * S, 48), note(0, 4 * S, 52), note(4 * S, 6 * S, 76), note(4 * S, 6 * S, 60)];
    let both = file(&[vec![Ev::Tempo { tick: 0 }], tune.clone(), chords.clone()]);
    assert_eq!(melody_from_midi(&both).err(), Some(MidiError::SeveralTracks { tracks: 2 }));
    // The same notes in one track: the top note of each chord is the line.
    let one: Vec<Ev> = tune.into_iter().chain(chords).collect();
    let i = import(&file(&[vec![Ev::Tempo { tick: 0 }], one]));
    assert_eq!(
        notes(&i.melody),
        vec![
            Note { start: 0, len: 2, pitch: 67 },
            Note { start: 2, len: 2, pitch: 69 },
            Note { start: 4, len: 2, pitch: 76 },
            Note { start: 6, len: 2, pitch: 72 },
        ],
        "the chord's E is above the tune's B, so it is the line there"
    );
    assert!(has_remark(&i, "chords reduced to their top note"), "{:?}", i.remarks);
    // Two channels of one track are merged the same way.
    let mut two = eighths(&[67, 69]);
    two.push(Ev::Note { on: 0, off: 4 * S, key: 60, channel: 3 });
    let i = import(&file(&[two]));
    assert!(has_remark(&i, "notes from 2 channels merged"), "{:?}", i.remarks);
    assert_eq!(notes(&i.melody)[0].pitch, 67);
}

#[test]
fn a_note_heard_again_after_a_higher_one_ends_starts_again() {
    let i = import(&file(&[vec![note(0, 8 * S, 62), note(2 * S, 4 * S, 74)]]));
    assert_eq!(
        notes(&i.melody),
        vec![
            Note { start: 0, len: 2, pitch: 62 },
            Note { start: 2, len: 2, pitch: 74 },
            Note { start: 4, len: 4, pitch: 62 },
        ]
    );
}

#[test]
fn legato_overlaps_are_not_chords() {
    // Each note held 40 ticks (a third of a sixteenth) into the next, a falling line.
    let legato: Vec<Ev> = (0..4).map(|i| note(i * 2 * S, (i + 1) * 2 * S + 40, 74 - 2 * i as u8)).collect();
    let i = import(&file(&[legato]));
    let expected: Vec<Note> =
        (0..4).map(|k| Note { start: 2 * k, len: 2, pitch: 74 - 2 * k as u8 }).collect();
    assert_eq!(notes(&i.melody), expected);
    assert!(i.remarks.is_empty(), "{:?}", i.remarks);
}

#[test]
fn lines_move_by_octaves_into_range_and_what_cannot_fit_is_left_out() {
    // A bass line two octaves under the range.
    let low = import(&file(&[eighths(&[31, 33, 35, 36])]));
    assert_eq!(notes(&low.melody).iter().map(|n| n.pitch).collect::<Vec<_>>(), vec![55, 57, 59, 60]);
    assert!(has_remark(&low, "moved up 2 octaves into the model's range, G3 to C6"), "{:?}", low.remarks);
    let high = import(&file(&[eighths(&[100, 102])]));
    assert_eq!(notes(&high.melody)[0].pitch, 76);
    assert!(has_remark(&high, "moved down 2 octaves"), "{:?}", high.remarks);
    let just_above = import(&file(&[eighths(&[86, 88])]));
    assert_eq!(notes(&just_above.melody)[0].pitch, 74);
    assert!(has_remark(&just_above, "moved down 1 octave into"), "{:?}", just_above.remarks);
    // Four octaves of span: the move keeps the most notes, and the rest are left out.
    let wide = import(&file(&[eighths(&[24, 60, 62, 64, 100])]));
    assert_eq!(notes(&wide.melody).iter().map(|n| n.pitch).collect::<Vec<_>>(), vec![60, 62, 64]);
    assert!(has_remark(&wide, "2 notes outside G3 to C6"), "{:?}", wide.remarks);
    assert_eq!(wide.melody[0], REST, "the left-out note is a rest");
}

#[test]
fn the_two_bars_are_the_first_two_with_notes() {
    // Silence for two bars, then four bars of eighths.
    let keys: Vec<u8> = (0..32).map(|i| 62 + (i % 8) as u8).collect();
    let late: Vec<Ev> = eighths(&keys)
        .into_iter()
        .map(|e| match e {
            Ev::Note { on, off, key, channel } => {
                Ev::Note { on: on + 32 * S, off: off + 32 * S, key, channel }
            }
            other => other,
        })
        .collect();
    let i = import(&file(&[late]));
    assert_eq!(notes(&i.melody).len(), 16);
    assert_eq!(notes(&i.melody)[0], Note { start: 0, len: 2, pitch: 62 });
    assert!(has_remark(&i, "bars 3 and 4 of 6 imported"), "{:?}", i.remarks);
    // A pickup: the first note ends bar 1, so bar 1 (mostly silent) and bar 2 are taken.
    let pickup = import(&file(&[vec![note(14 * S, 16 * S, 62), note(16 * S, 20 * S, 67)]]));
    assert_eq!(
        notes(&pickup.melody),
        vec![Note { start: 14, len: 2, pitch: 62 }, Note { start: 16, len: 4, pitch: 67 }]
    );
}

#[test]
fn short_unreleased_and_velocity_0_notes_are_read_as_a_player_hears_them() {
    // A grace note of 10 ticks still takes a step.
    let grace = import(&file(&[vec![note(0, 10, 74), note(S, 4 * S, 72)]]));
    assert_eq!(
        notes(&grace.melody),
        vec![Note { start: 0, len: 1, pitch: 74 }, Note { start: 1, len: 3, pitch: 72 }]
    );
    // By hand: a note-on of velocity 0 ends a note; a note never released lasts to the track's
    // end; a note-off of a key never struck is ignored.
    let track: &[u8] = &[
        0x00, 0x90, 62, 90, // on D4
        0x81, 0x70, 0x90, 62, 0, // 240 ticks later: velocity 0 ends it
        0x00, 0x80, 50, 0, // an off with no on
        0x00, 0x90, 64, 90, // on E4, never released
        0x83, 0x60, 0xFF, 0x2F, 0x00, // 480 ticks later, end of track
    ];
    let mut bytes = b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xE0MTrk".to_vec();
    bytes.extend_from_slice(&(track.len() as u32).to_be_bytes());
    bytes.extend_from_slice(track);
    let i = import(&bytes);
    assert_eq!(
        notes(&i.melody),
        vec![Note { start: 0, len: 2, pitch: 62 }, Note { start: 2, len: 4, pitch: 64 }]
    );
}

#[test]
fn patterns_of_a_type_2_file_are_not_stacked() {
    let bytes = file_with(
        Timing::Metrical(u15::new(480)),
        Format::Sequential,
        &[eighths(&[62, 64]), eighths(&[79, 81])],
    );
    let i = import(&bytes);
    assert_eq!(notes(&i.melody)[0].pitch, 62);
    assert!(has_remark(&i, "only the first with notes"), "{:?}", i.remarks);
}

#[test]
fn every_refusal_reads_as_a_sentence() {
    let all = [
        MidiError::TooLarge { bytes: 3 << 20 },
        MidiError::NotMidi,
        MidiError::Corrupt("reached eof before chunk ended".into()),
        MidiError::Timecode,
        MidiError::TimeSignature { numerator: 6, denominator_power: 3 },
        MidiError::NoNotes,
        MidiError::DrumsOnly,
        MidiError::OffGrid { off: 5, total: 6 },
        MidiError::SeveralTracks { tracks: 3 },
    ];
    for e in all {
        let text = e.to_string();
        assert!(text.starts_with("this") || text.starts_with("every") || text.starts_with('5'), "{text}");
        assert!(text.ends_with('.'), "a whole sentence, for the page to follow with its own: {text}");
        assert!(!text.contains("nothing"), "saying nothing changed is the page's part: {text}");
    }
    assert!(MidiError::TimeSignature { numerator: 6, denominator_power: 3 }.to_string().contains("6/8"));
}
