//! Monophonic melodies out of ABC tune books (the music21 wheel's public-domain collections).
//!
//! Written here rather than taken from `abc-parser` (0.4, a PEG grammar marked work in
//! progress): a strict grammar rejects a whole file at the first construct it lacks, and the
//! volunteer transcriptions use many. This reader keeps what a melody grid needs (pitches with
//! key signature and accidentals, lengths, broken rhythm, ties, rests, bars, inline key, metre
//! and length changes) and steps over the rest (chord symbols, decorations, grace notes,
//! slurs), taking the top note of a chord. Tunes with several voices are left out.

/// Time in whole notes, as a fraction, so triplets and dotted notes stay exact until the grid.
pub type Time = (i64, i64);

fn reduce((n, d): Time) -> Time {
    fn gcd(a: i64, b: i64) -> i64 {
        if b == 0 { a.abs().max(1) } else { gcd(b, a % b) }
    }
    let g = gcd(n, d);
    (n / g, d / g)
}

fn add(a: Time, b: Time) -> Time {
    reduce((a.0 * b.1 + b.0 * a.1, a.1 * b.1))
}

fn mul(a: Time, b: Time) -> Time {
    reduce((a.0 * b.0, a.1 * b.1))
}

/// One sounding note or a rest: `pitch` is a MIDI number (60 = middle C), `None` for a rest.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub pitch: Option<u8>,
    pub start: Time,
    pub length: Time,
}

/// When an event stops sounding.
pub fn end(e: &Event) -> Time {
    add(e.start, e.length)
}

/// A tune as read: its title, metre and notes in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Tune {
    pub title: String,
    /// The metre as (beats, beat unit); "C" is 4/4 and "C|" is 2/2.
    pub metre: (u32, u32),
    pub events: Vec<Event>,
    /// Where each bar line fell (time since the start), so segments can start on a bar.
    pub bars: Vec<Time>,
}

/// Every tune in a tune book's text that has one voice and at least one note.
pub fn read_book(text: &str) -> Vec<Tune> {
    let mut tunes = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in text.lines() {
        if line.starts_with("X:") {
            if let Some(lines) = current.take() {
                tunes.extend(read_tune(&lines));
            }
            current = Some(vec![line]);
        } else if let Some(lines) = current.as_mut() {
            lines.push(line);
        }
    }
    if let Some(lines) = current {
        tunes.extend(read_tune(&lines));
    }
    tunes
}

/// Semitone offsets of the natural notes C D E F G A B.
const NATURAL: [i32; 7] = [0, 2, 4, 5, 7, 9, 11];

/// Sharps (+1) or flats (−1) the key signature gives each letter C..B.
fn key_signature(key: &str) -> [i32; 7] {
    let key = key.trim();
    let mut chars = key.chars();
    let Some(tonic) = chars.next().filter(|c| ('A'..='G').contains(c)) else { return [0; 7] };
    let rest: String = chars.collect();
    let (accidental, mode) = match rest.chars().next() {
        Some('#') => (1, &rest[1..]),
        Some('b') => (-1, &rest[1..]),
        _ => (0, rest.as_str()),
    };
    let mode = mode.trim().to_ascii_lowercase();
    // Fifths from C major of the tonic's major key, then shifted by the mode.
    let major_fifths = match tonic {
        'C' => 0,
        'G' => 1,
        'D' => 2,
        'A' => 3,
        'E' => 4,
        'B' => 5,
        _ => -1, // F
    } + 7 * accidental;
    let shift = if mode.starts_with("maj") {
        0
    } else if mode.starts_with('m') && !mode.starts_with("mix") {
        -3
    } else if mode.starts_with("dor") {
        -2
    } else if mode.starts_with("mix") {
        -1
    } else if mode.starts_with("lyd") {
        1
    } else if mode.starts_with("phr") {
        -4
    } else if mode.starts_with("loc") {
        -5
    } else {
        0
    };
    let fifths = major_fifths + shift;
    // Order of sharps F C G D A E B; flats the reverse. Letters indexed C=0 .. B=6.
    let sharps = [3, 0, 4, 1, 5, 2, 6];
    let mut sig = [0; 7];
    if fifths > 0 {
        for &l in sharps.iter().take(fifths.min(7) as usize) {
            sig[l] = 1;
        }
    } else {
        for &l in sharps.iter().rev().take((-fifths).min(7) as usize) {
            sig[l] = -1;
        }
    }
    sig
}

fn metre(text: &str) -> Option<(u32, u32)> {
    match text.trim() {
        "C" => Some((4, 4)),
        "C|" => Some((2, 2)),
        t => {
            let (a, b) = t.split_once('/')?;
            Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
        }
    }
}

fn unit(text: &str) -> Option<Time> {
    let (a, b) = text.trim().split_once('/')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

/// Reading state across a tune's body.
struct Reader {
    unit: Time,
    key: [i32; 7],
    /// Accidentals written in the current bar, by (letter, octave).
    bar_accidentals: Vec<((usize, i32), i32)>,
    now: Time,
    events: Vec<Event>,
    bars: Vec<Time>,
    /// A `>` or `<` waiting for the next note: the factor its length gets.
    pending_broken: Option<Time>,
    /// A tuplet in progress: notes left and the factor each gets.
    tuplet: Option<(u32, Time)>,
    tie: bool,
}

impl Reader {
    fn push(&mut self, pitch: Option<u8>, mut length: Time) {
        if let Some(f) = self.pending_broken.take() {
            length = mul(length, f);
        }
        if let Some((left, f)) = self.tuplet {
            length = mul(length, f);
            self.tuplet = (left > 1).then_some((left - 1, f));
        }
        // A tie joins this note to the previous one of the same pitch.
        if self.tie {
            self.tie = false;
            if let Some(last) = self.events.last_mut().filter(|e| e.pitch == pitch && pitch.is_some()) {
                last.length = add(last.length, length);
                self.now = add(self.now, length);
                return;
            }
        }
        self.events.push(Event { pitch, start: self.now, length });
        self.now = add(self.now, length);
    }
}

fn read_tune(lines: &[&str]) -> Option<Tune> {
    let mut title = String::new();
    let mut tune_metre = (4, 4);
    let mut r = Reader {
        unit: (1, 8),
        key: [0; 7],
        bar_accidentals: Vec::new(),
        now: (0, 1),
        events: Vec::new(),
        bars: vec![(0, 1)],
        pending_broken: None,
        tuplet: None,
        tie: false,
    };
    let mut in_body = false;
    let mut unit_given = false;
    for raw in lines {
        let line = raw.split('%').next().unwrap_or("");
        let header =
            line.len() >= 2 && line.as_bytes()[1] == b':' && line.as_bytes()[0].is_ascii_alphabetic();
        if header {
            let (field, value) = (line.as_bytes()[0], line[2..].trim());
            match field {
                b'T' if title.is_empty() => title = value.to_string(),
                b'M' => {
                    if let Some(m) = metre(value) {
                        tune_metre = m;
                        // The default unit: 1/16 for metres below 3/4, 1/8 otherwise.
                        if !unit_given {
                            r.unit = if (m.0 as f32 / m.1 as f32) < 0.75 { (1, 16) } else { (1, 8) };
                        }
                    }
                }
                b'L' => {
                    if let Some(u) = unit(value) {
                        r.unit = u;
                        unit_given = true;
                    }
                }
                b'K' => {
                    r.key = key_signature(value);
                    in_body = true;
                }
                b'V' if in_body => return None,
                _ => {}
            }
            continue;
        }
        if in_body {
            read_body_line(line, &mut r);
        }
    }
    (!r.events.iter().all(|e| e.pitch.is_none())).then_some(Tune {
        title,
        metre: tune_metre,
        events: r.events,
        bars: r.bars,
    })
}

fn read_body_line(line: &str, r: &mut Reader) {
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            // Skipped spans: chord symbols and annotations, decorations, grace notes, inline
            // fields (a key, metre or length change is applied).
            '"' => i = skip_to(&chars, i + 1, '"'),
            '!' | '+' => i = skip_to(&chars, i + 1, c),
            '{' => i = skip_to(&chars, i + 1, '}'),
            '[' if chars.get(i + 2) == Some(&':') => {
                let end = skip_to(&chars, i + 1, ']');
                let field: String = chars[i + 1..end.saturating_sub(1).max(i + 1)].iter().collect();
                if let Some(v) = field.strip_prefix("K:") {
                    r.key = key_signature(v);
                } else if let Some(u) = field.strip_prefix("L:").and_then(unit) {
                    r.unit = u;
                }
                i = end;
            }
            '[' if chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()) => i += 2, // [1 [2 endings
            '[' => {
                // A chord: its top note sounds, with the chord's length (the first note's).
                let end = skip_to(&chars, i + 1, ']');
                let inner: Vec<char> = chars[i + 1..end.saturating_sub(1).max(i + 1)].to_vec();
                let mut j = 0;
                let mut best: Option<(u8, Time)> = None;
                while j < inner.len() {
                    if let Some((pitch, len, next)) = note(&inner, j, r) {
                        if best.is_none_or(|(p, _)| pitch > p) {
                            best = Some((pitch, best.map_or(len, |b| b.1)));
                        }
                        j = next;
                    } else {
                        j += 1;
                    }
                }
                let (mult, next) = length(&chars, end);
                i = next;
                if let Some((pitch, len)) = best {
                    let len = if mult != (1, 1) { mul(r.unit, mult) } else { len };
                    r.push(Some(pitch), len);
                }
            }
            '|' | ':' => {
                // A bar line (and repeats): accidentals end, the bar is recorded once.
                r.bar_accidentals.clear();
                if r.bars.last() != Some(&r.now) {
                    r.bars.push(r.now);
                }
                i += 1;
            }
            '>' | '<' => {
                // Broken rhythm: the previous note dotted, the next halved (or the reverse).
                let mut n = 1;
                while chars.get(i + n) == Some(&c) {
                    n += 1;
                }
                let short: Time = (1, 1 << n);
                let long: Time = add((2, 1), (-1, 1 << n));
                let (prev, next) = if c == '>' { (long, short) } else { (short, long) };
                if let Some(last) = r.events.last_mut() {
                    let old = last.length;
                    last.length = mul(old, prev);
                    r.now = add(r.now, add(last.length, (-old.0, old.1)));
                }
                r.pending_broken = Some(next);
                i += n;
            }
            '(' if chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()) => {
                // (3abc: three notes in the time of two; (2 in 3, (4 in 3.
                let p = chars[i + 1].to_digit(10).unwrap_or(3);
                let q = match p {
                    2 | 4 | 8 => 3,
                    3 | 6 => 2,
                    _ => 2,
                };
                r.tuplet = Some((p, reduce((i64::from(q), i64::from(p)))));
                i += 2;
            }
            '-' => {
                r.tie = true;
                i += 1;
            }
            'z' | 'x' | 'Z' => {
                let (mult, next) = length(&chars, i + 1);
                // Z is a whole-bar rest, rare here; read as its written length.
                r.push(None, mul(r.unit, mult));
                i = next;
            }
            _ => {
                if let Some((pitch, len, next)) = note(&chars, i, r) {
                    remember_accidental(&chars, i, r);
                    r.push(Some(pitch), len);
                    i = next;
                } else {
                    i += 1;
                }
            }
        }
    }
}

fn skip_to(chars: &[char], from: usize, end: char) -> usize {
    chars[from.min(chars.len())..].iter().position(|c| *c == end).map_or(chars.len(), |p| from + p + 1)
}

/// A length suffix at `i`: 2, /2, /, 3/2, //. Returns the multiplier and where it ends.
fn length(chars: &[char], mut i: usize) -> (Time, usize) {
    let digits = |i: &mut usize| {
        let start = *i;
        while chars.get(*i).is_some_and(|c| c.is_ascii_digit()) {
            *i += 1;
        }
        chars[start..*i].iter().collect::<String>().parse::<i64>().ok()
    };
    let num = digits(&mut i).unwrap_or(1);
    let mut den = 1;
    while chars.get(i) == Some(&'/') {
        i += 1;
        den *= digits(&mut i).unwrap_or(2);
    }
    (reduce((num.max(1), den.max(1))), i)
}

/// The letter, octave and written accidental of a note at `i`, if one starts there.
fn parse_note(chars: &[char], i: usize) -> Option<(usize, i32, Option<i32>, usize)> {
    let mut j = i;
    let mut acc: Option<i32> = None;
    while let Some(c) = chars.get(j) {
        match c {
            '^' => acc = Some(acc.unwrap_or(0) + 1),
            '_' => acc = Some(acc.unwrap_or(0) - 1),
            '=' => acc = Some(0),
            _ => break,
        }
        j += 1;
    }
    let c = *chars.get(j)?;
    let letter = "CDEFGAB".find(c.to_ascii_uppercase()).filter(|_| c.is_ascii_alphabetic())?;
    if !"CDEFGABcdefgab".contains(c) {
        return None;
    }
    let mut octave = if c.is_ascii_lowercase() { 1 } else { 0 };
    j += 1;
    while let Some(m) = chars.get(j) {
        match m {
            '\'' => octave += 1,
            ',' => octave -= 1,
            _ => break,
        }
        j += 1;
    }
    Some((letter, octave, acc, j))
}

fn remember_accidental(chars: &[char], i: usize, r: &mut Reader) {
    if let Some((letter, octave, Some(acc), _)) = parse_note(chars, i) {
        r.bar_accidentals.retain(|(k, _)| *k != (letter, octave));
        r.bar_accidentals.push(((letter, octave), acc));
    }
}

/// A note at `i`: its MIDI pitch, its length and where it ends.
fn note(chars: &[char], i: usize, r: &Reader) -> Option<(u8, Time, usize)> {
    let (letter, octave, written, j) = parse_note(chars, i)?;
    let acc = written
        .or_else(|| r.bar_accidentals.iter().find(|(k, _)| *k == (letter, octave)).map(|(_, a)| *a))
        .unwrap_or(r.key[letter]);
    let midi = 60 + 12 * octave + NATURAL[letter] + acc;
    let (mult, end) = length(chars, j);
    u8::try_from(midi).ok().filter(|p| *p < 128).map(|p| (p, mul(r.unit, mult), end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pitches(t: &Tune) -> Vec<Option<u8>> {
        t.events.iter().map(|e| e.pitch).collect()
    }

    #[test]
    fn a_reel_reads_with_its_key_signature_and_lengths() {
        let book = "X:1\nT:Test Reel\nM:4/4\nL:1/8\nK:D\nFA d2 fd cA|B,C z2 c'2 ^c=c|\n";
        let tunes = read_book(book);
        assert_eq!(tunes.len(), 1);
        let t = &tunes[0];
        assert_eq!((t.title.as_str(), t.metre), ("Test Reel", (4, 4)));
        // D major: F and C sharp. F=66 A=69 d=74 f=78 d=74 c=73 A=69 | B,=59 C=61 rest c'=85 ^c=73 =c=72
        assert_eq!(
            pitches(t),
            [66, 69, 74, 78, 74, 73, 69, 59, 61]
                .iter()
                .map(|p| Some(*p))
                .chain([None, Some(85), Some(73), Some(72)])
                .collect::<Vec<_>>()
        );
        assert_eq!(t.events[2].length, (1, 4), "d2 at L:1/8 is a quarter");
        assert_eq!(t.bars, vec![(0, 1), (1, 1), (2, 1)]);
    }

    #[test]
    fn accidentals_last_to_the_bar_line() {
        let t = &read_book("X:1\nM:4/4\nL:1/4\nK:C\n^F F F2|F4|\n")[0];
        assert_eq!(pitches(t), vec![Some(66), Some(66), Some(66), Some(65)]);
    }

    #[test]
    fn broken_rhythm_ties_triplets_and_chords() {
        let t = &read_book("X:1\nM:4/4\nL:1/8\nK:C\nA>B c<d e2-e2 (3gfe [CEG]2 \"Am\"!trill!{g}a|\n")[0];
        let lens: Vec<Time> = t.events.iter().map(|e| e.length).collect();
        assert_eq!(&lens[..4], &[(3, 16), (1, 16), (1, 16), (3, 16)]);
        assert_eq!(
            t.events[4],
            Event { pitch: Some(76), start: (1, 2), length: (1, 2) },
            "the tie joins e2-e2"
        );
        assert_eq!(&lens[5..8], &[(1, 12), (1, 12), (1, 12)]);
        assert_eq!(t.events[8].pitch, Some(67), "a chord sounds its top note");
        assert_eq!(t.events[8].length, (1, 4));
        assert_eq!(t.events[9].pitch, Some(81), "a chord symbol, a decoration and a grace note are skipped");
    }

    #[test]
    fn keys_and_modes_give_their_signatures() {
        assert_eq!(key_signature("G"), [0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(key_signature("Ador"), [0, 0, 0, 1, 0, 0, 0], "A dorian: G major's F sharp");
        assert_eq!(key_signature("Amaj"), [1, 0, 0, 1, 1, 0, 0]);
        assert_eq!(key_signature("Bb"), [0, 0, -1, 0, 0, 0, -1]);
        assert_eq!(key_signature("Em"), [0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(key_signature("Dmix"), [0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(key_signature("none"), [0; 7]);
    }

    #[test]
    fn several_voices_or_no_notes_are_left_out_and_books_split_on_x() {
        let book = "X:1\nK:C\nV:1\nCDE|\nX:2\nK:C\nz4|\nX:3\nT:Ok\nK:C\nC|\n";
        let tunes = read_book(book);
        assert_eq!(tunes.len(), 1);
        assert_eq!(tunes[0].title, "Ok");
    }
}
