//! Timed notes made into the model's input: one line, two bars of sixteenths, in range. Every
//! liberty taken becomes a remark, so the student knows what the model was given.

use super::read::{Heard, Score};
use super::{Imported, MidiError, range_name};
use crate::grid::{BAR, HIGH, LOW, Note, STEPS, from_notes};
use std::collections::{BTreeMap, BTreeSet};

/// The nearest sixteenth to `tick` (halfway rounds later).
fn step_of(tick: u64, ticks_per_quarter: u64) -> u64 {
    (tick.saturating_mul(8) + ticks_per_quarter) / (2 * ticks_per_quarter)
}

/// Whether `tick` lies more than a quarter of a sixteenth from the nearest sixteenth. Humanised
/// or swung playing stays well inside that; triplets fall a third of a sixteenth away (eighth
/// triplets at 4/3 and 8/3 sixteenths), and are caught. Exact for any ticks per quarter, also
/// ones not divisible by 4, where grid lines fall between ticks.
fn off_grid(tick: u64, ticks_per_quarter: u64) -> bool {
    let step = step_of(tick, ticks_per_quarter);
    // |tick·4/tpq − step| > 1/4, in whole numbers.
    tick.saturating_mul(4).abs_diff(step.saturating_mul(ticks_per_quarter)).saturating_mul(4)
        > ticks_per_quarter
}

/// The metres whose bars are four quarters long: the grid's bar of 16 sixteenths.
fn is_common_time(numerator: u8, denominator_power: u8) -> bool {
    matches!((numerator, denominator_power), (4, 2) | (2, 1))
}

/// A note played legato, outlasting the next note of its own part by less than a sixteenth,
/// ends where the next begins: a performer's overlap, not a chord, and left alone it would
/// hide the next onset behind a higher note for a step.
fn trim_legato(notes: &mut [Heard], ticks_per_quarter: u64) {
    let mut parts: BTreeMap<(usize, u8), Vec<usize>> = BTreeMap::new();
    for (i, n) in notes.iter().enumerate() {
        parts.entry((n.track, n.channel)).or_default().push(i);
    }
    for mut part in parts.into_values() {
        part.sort_by_key(|&i| notes[i].on);
        for (k, &i) in part.iter().enumerate() {
            let on = notes[i].on;
            let Some(next_on) = part[k + 1..].iter().map(|&j| notes[j].on).find(|&t| t > on) else {
                continue;
            };
            let off = notes[i].off;
            if off > next_on && (off - next_on).saturating_mul(4) < ticks_per_quarter {
                notes[i].off = next_on;
            }
        }
    }
}

/// The first two bars with notes as a melody, or why they cannot be one.
pub(super) fn melody_line(score: &Score) -> Result<Imported, MidiError> {
    let tpq = score.ticks_per_quarter;
    if score.notes.is_empty() {
        return Err(if score.drum_notes > 0 { MidiError::DrumsOnly } else { MidiError::NoNotes });
    }
    let mut heard = score.notes.clone();
    trim_legato(&mut heard, tpq);
    let first = heard.iter().map(|n| step_of(n.on, tpq)).min().unwrap_or(0);
    let last = heard.iter().map(|n| step_of(n.on, tpq)).max().unwrap_or(0);
    let bar = first / BAR as u64;
    let (from, to) = (bar * BAR as u64, bar * BAR as u64 + STEPS as u64);

    // Any metre in force before the bars end decides where their bar lines are.
    if let Some(m) = score.meters.iter().find(|m| {
        m.tick.saturating_mul(4) < to.saturating_mul(tpq) && !is_common_time(m.numerator, m.denominator_power)
    }) {
        return Err(MidiError::TimeSignature {
            numerator: m.numerator,
            denominator_power: m.denominator_power,
        });
    }

    let inside: Vec<&Heard> = heard.iter().filter(|n| (from..to).contains(&step_of(n.on, tpq))).collect();
    let off = inside.iter().filter(|n| off_grid(n.on, tpq)).count();
    // More than half off the grid is a rhythm the grid cannot hold (triplets, free timing);
    // a few off it are a performer's looseness, moved to the nearest sixteenth.
    if off * 2 > inside.len() {
        return Err(MidiError::OffGrid { off, total: inside.len() });
    }

    let mut remarks = Vec::new();
    if last >= to {
        let bars = last / BAR as u64 + 1;
        remarks.push(format!(
            "bars {} and {} of {bars} imported: the first two with notes",
            bar + 1,
            bar + 2
        ));
    } else if bar > 0 {
        remarks.push(format!(
            "the notes begin in bar {}: bars {} and {} imported",
            bar + 1,
            bar + 1,
            bar + 2
        ));
    }
    let tracks: BTreeSet<usize> = inside.iter().map(|n| n.track).collect();
    let channels: BTreeSet<u8> = inside.iter().map(|n| n.channel).collect();
    if tracks.len() > 1 {
        return Err(MidiError::SeveralTracks { tracks: tracks.len() });
    }
    if channels.len() > 1 {
        remarks.push(format!("notes from {} channels merged", channels.len()));
    }
    if score.patterns_skipped {
        remarks.push(
            "a file of several patterns played one after another: only the first with notes is read".into(),
        );
    }
    if score.drum_notes > 0 {
        remarks.push("drums (channel 10) left out".into());
    }
    if off > 0 {
        remarks.push(format!(
            "{off} of {} notes were off the sixteenth grid and moved to the nearest sixteenth",
            inside.len()
        ));
    }

    // On the grid: a note takes its onset's step to its release's, at least one step.
    let placed: Vec<Note> = inside
        .iter()
        .map(|n| {
            let on = step_of(n.on, tpq);
            let off = step_of(n.off, tpq).max(on + 1).min(to);
            Note { start: (on - from) as usize, len: (off - on) as usize, pitch: n.pitch }
        })
        .collect();
    let (line, chords) = top_line(&placed);
    if chords {
        remarks.push("chords reduced to their top note".into());
    }
    let (kept, shift, dropped) = into_range(&line);
    if shift != 0 {
        let octaves = shift.unsigned_abs() / 12;
        remarks.push(format!(
            "moved {} {octaves} octave{} into the model's range, {}",
            if shift > 0 { "up" } else { "down" },
            if octaves == 1 { "" } else { "s" },
            range_name()
        ));
    }
    if dropped > 0 {
        remarks.push(format!(
            "{dropped} note{} outside {} even after the move left out: the line spans more than the model's range",
            if dropped == 1 { "" } else { "s" },
            range_name()
        ));
    }
    if kept.is_empty() {
        // Unreachable while the range spans an octave (every pitch has an octave in it), but a
        // melody of rests is not an import either.
        return Err(MidiError::NoNotes);
    }
    Ok(Imported { melody: from_notes(&kept), remarks })
}

/// The highest note sounding at each step, as notes: a note hidden under a higher one and heard
/// again when that ends starts again there, as the ear follows the top. Also whether two notes
/// ever sounded at once.
fn top_line(placed: &[Note]) -> (Vec<Note>, bool) {
    let mut line: Vec<Note> = Vec::new();
    let mut chords = false;
    let mut previous: Option<usize> = None;
    for step in 0..STEPS {
        let sounding: Vec<usize> = (0..placed.len())
            .filter(|&i| (placed[i].start..placed[i].start + placed[i].len).contains(&step))
            .collect();
        chords |= sounding.len() > 1;
        // Highest first; of two at one pitch (a unison across parts), the later onset, which is
        // what is heard struck.
        let top = sounding.into_iter().max_by_key(|&i| (placed[i].pitch, placed[i].start));
        match (top, line.last_mut()) {
            (Some(i), Some(last)) if previous == Some(i) => last.len += 1,
            (Some(i), _) => line.push(Note { start: step, len: 1, pitch: placed[i].pitch }),
            (None, _) => {}
        }
        previous = top;
    }
    (line, chords)
}

/// `line` moved by the whole octaves that keep the most notes in LOW..=HIGH (ties: the smaller
/// move, then up), the notes that fit, the shift in semitones and how many were left out.
fn into_range(line: &[Note]) -> (Vec<Note>, i32, usize) {
    let moved = |pitch: u8, shift: i32| {
        u8::try_from(i32::from(pitch) + shift).ok().filter(|p| (LOW..=HIGH).contains(p))
    };
    let count = |shift: i32| line.iter().filter(|n| moved(n.pitch, shift).is_some()).count();
    // MIDI spans under eleven octaves, so ten either way reaches any pitch.
    let mut best = (0, count(0));
    for shift in (1..=10).flat_map(|k| [12 * k, -12 * k]) {
        let c = count(shift);
        if c > best.1 {
            best = (shift, c);
        }
    }
    let shift = best.0;
    let kept: Vec<Note> =
        line.iter().filter_map(|n| moved(n.pitch, shift).map(|pitch| Note { pitch, ..*n })).collect();
    let dropped = line.len() - kept.len();
    (kept, shift, dropped)
}
