//! Two-bar melodies on a sixteenth-note grid, the sequence model's examples (as in MusicVAE):
//! 32 steps, a token per step: a rest, a hold (the note before goes on), or a pitch starting.
//! Tunes in 4/4 or 2/2 are cut at every bar line into two-bar windows; a window whose notes do
//! not all start on the grid (triplets) is left out, and each is moved by whole octaves into
//! the model's range, which it must then fit.

use crate::abc::{Time, Tune};

// The grid itself lives in the `melody` crate, which the page compiles too; it is re-exported
// here so the trainer and the models keep reading it as `data::melody`.
pub use melody::grid::{BAR, HIGH, HOLD, LOW, Melody, REST, STEPS, VOCAB, pitch_token, token_pitch};

/// A time on the grid in sixteenths, if it falls exactly on one.
fn sixteenths((n, d): Time) -> Option<i64> {
    (16 * n % d == 0).then(|| 16 * n / d)
}

/// Every two-bar window of `tune` that fits the grid and the range.
pub fn windows(tune: &Tune) -> Vec<Melody> {
    if !matches!(tune.metre, (4, 4) | (2, 2)) {
        return vec![];
    }
    let at = |t: Time| t.0 as f64 / t.1 as f64 * 16.0;
    let tune_end = tune.events.last().map_or(0.0, |e| at(crate::abc::end(e)));
    let mut out = Vec::new();
    for bar in &tune.bars {
        let Some(start) = sixteenths(*bar) else { continue };
        let end = start + STEPS as i64;
        if tune_end < end as f64 {
            break;
        }
        let events: Vec<&crate::abc::Event> = tune
            .events
            .iter()
            .filter(|e| at(e.start) < end as f64 && at(crate::abc::end(e)) > start as f64)
            .collect();
        // A triplet inside the window has no place on the grid: the window is left out.
        if events.iter().any(|e| sixteenths(e.start).is_none() || sixteenths(crate::abc::end(e)).is_none()) {
            continue;
        }
        if let Some(m) = window(&events, start) {
            out.push(m);
        }
    }
    out
}

fn window(events: &[&crate::abc::Event], start: i64) -> Option<Melody> {
    let mut m = [REST; STEPS];
    let mut any = false;
    let mut pitches = Vec::new();
    for e in events {
        let on = sixteenths(e.start)?;
        let off = sixteenths(crate::abc::end(e))?;
        let (from, to) = ((on - start).max(0), (off - start).min(STEPS as i64));
        if from >= to {
            continue;
        }
        if let Some(p) = e.pitch {
            pitches.push(p);
            // A note begun before the window is held into it: its first step here says so.
            m[from as usize] = if on < start { HOLD } else { 255 };
            for s in from + 1..to {
                m[s as usize] = HOLD;
            }
            any = true;
        }
    }
    if !any || m[0] == HOLD {
        return None; // a window starts with a note of its own, as the model's examples do
    }
    let (lo, hi) = (*pitches.iter().min()?, *pitches.iter().max()?);
    if hi - lo > HIGH - LOW {
        return None;
    }
    // Whole octaves up or down until the lowest note is in range, then check the highest.
    let mut shift: i32 = 0;
    while i32::from(lo) + shift < i32::from(LOW) {
        shift += 12;
    }
    while i32::from(lo) + shift - 12 >= i32::from(LOW) && i32::from(hi) + shift > i32::from(HIGH) {
        shift -= 12;
    }
    while i32::from(hi) + shift > i32::from(HIGH) {
        shift -= 12;
    }
    if i32::from(lo) + shift < i32::from(LOW) {
        return None;
    }
    let mut k = 0;
    for e in events {
        let (Some(p), Some(on)) = (e.pitch, sixteenths(e.start)) else { continue };
        if on < start || on >= start + STEPS as i64 {
            continue;
        }
        let shifted = u8::try_from(i32::from(p) + shift).ok()?;
        m[(on - start) as usize] = pitch_token(shifted)?;
        k += 1;
    }
    (k > 0).then_some(m)
}

/// A tune's split: one in ten tunes, by its position in the collection, is held out, so no
/// window of a test tune was seen in training.
pub fn is_test_tune(index: usize) -> bool {
    index % 10 == 9
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abc::read_book;

    #[test]
    fn a_reel_is_cut_at_every_bar_into_two_bar_windows() {
        let t = &read_book("X:1\nM:4/4\nL:1/8\nK:G\nGABc d2 B2|c4 z2 ed|G8|\n")[0];
        let w = windows(t);
        assert_eq!(w.len(), 2, "windows from bar 1 and bar 2 (bar 3 has no second bar, so it is short)");
        let first = w[0];
        // G A B c at eighths: tokens every two steps with holds between.
        let g = pitch_token(67).unwrap();
        assert_eq!(&first[..4], &[g, HOLD, pitch_token(69).unwrap(), HOLD]);
        assert_eq!(first[8], pitch_token(74).unwrap());
        assert_eq!(&first[16..24], &[pitch_token(72).unwrap(), HOLD, HOLD, HOLD, HOLD, HOLD, HOLD, HOLD]);
        assert_eq!(&first[24..28], &[REST; 4]);
    }

    #[test]
    fn triplets_jigs_and_held_starts_are_left_out() {
        let jig = &read_book("X:1\nM:6/8\nL:1/8\nK:D\nABA ABA|ABA ABA|ABA ABA|\n")[0];
        assert!(windows(jig).is_empty(), "6/8 bars are not 16 sixteenths");
        let triplets = &read_book("X:1\nM:4/4\nL:1/8\nK:D\n(3ABA A6|A8|A8|\n")[0];
        let w = windows(triplets);
        assert_eq!(w.len(), 1, "the window with the triplet is left out, the one after it kept");
        let a = pitch_token(69).unwrap();
        assert_eq!((w[0][0], w[0][1], w[0][16], w[0][31]), (a, HOLD, a, HOLD));
        let tied = &read_book("X:1\nM:4/4\nL:1/8\nK:D\nA8-|A8|A8|\n")[0];
        assert!(windows(tied).iter().all(|w| w[0] != HOLD), "a window never starts inside a held note");
    }

    #[test]
    fn melodies_move_by_octaves_into_range() {
        let low = &read_book("X:1\nM:4/4\nL:1/4\nK:C\nC, D, E, F,|G, A, B, C|\n")[0];
        let w = windows(low);
        assert_eq!(w.len(), 1);
        assert_eq!(token_pitch(w[0][0]), Some(60), "C, (48) comes up an octave to middle C");
        for p in LOW..=HIGH {
            assert_eq!(token_pitch(pitch_token(p).unwrap()), Some(p));
        }
        assert_eq!(pitch_token(LOW - 1), None);
        assert_eq!(token_pitch(HOLD), None);
    }
}
