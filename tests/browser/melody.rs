//! The melody view through the real page: its piano roll against a native decode of the same
//! code, the interpolation's ends against the encodings of its two melodies, playback rendered
//! offline and checked for the notes it should hold, MIDI files in, and bad MIDI files refused
//! with nothing changed. CPU path, `?audio=offline`.

use crate::lecture::LONG;
use e2e::{Mode, Page, native};

const MODEL: &str = "melody-vae";

fn open(name: &str) -> Page {
    let page = Page::open(name, Mode::Cpu, "?backend=cpu&audio=offline#m=mnist-vae&v=melody");
    page.wait_ready();
    wait_settled(&page);
    page
}

/// The melody on screen is the decode of the newest code.
fn wait_settled(page: &Page) {
    page.wait_for(
        "the melody to be decoded",
        "document.querySelector('[data-testid=melody-view]')?.dataset.settled === 'true'",
        LONG,
    );
}

fn numbers<T: std::str::FromStr>(s: &str) -> Vec<T> {
    s.split(',').filter(|p| !p.is_empty()).filter_map(|p| p.parse().ok()).collect()
}

fn attr(page: &Page, selector: &str, index: usize, name: &str) -> String {
    page.eval(&format!("document.querySelectorAll('{selector}')[{index}]?.dataset.{name} ?? ''"))
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn roll(page: &Page) -> (Vec<u8>, Vec<f32>) {
    let sel = "[data-testid=melody-roll]";
    (numbers(&attr(page, sel, 0, "tokens")), numbers(&attr(page, sel, 0, "z")))
}

fn close(a: &[f32], b: &[f32], tol: f32) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
}

fn items(page: &Page) -> usize {
    page.eval("document.querySelectorAll('[data-testid=melody-item]').length").as_u64().unwrap_or(0) as usize
}

fn set_slider(page: &Page, dim: usize, value: &str) {
    page.eval(&format!(
        "(() => {{ const s = document.querySelector('[data-testid=melody-slider][data-dim=\"{dim}\"]'); s.value = '{value}'; s.dispatchEvent(new Event('input', {{ bubbles: true }})); }})()"
    ));
}

#[test]
fn the_piano_roll_is_the_native_decode_of_the_sliders_code() {
    let page = open("melody-roll");
    let (tokens, z) = roll(&page);
    assert_eq!(tokens, native::melody_decode(MODEL, &z), "the origin's melody");
    // Values a float holds exactly, so the native decode sees the very code the worker did.
    for (dim, value) in [(0, "1.25"), (3, "-0.75"), (7, "2")] {
        set_slider(&page, dim, value);
    }
    page.wait_for(
        "the sliders' code",
        "(document.querySelector('[data-testid=melody-roll]')?.dataset.z ?? '').split(',')[7] === '2.000000'",
        LONG,
    );
    wait_settled(&page);
    let (tokens, z) = roll(&page);
    assert_eq!((z[0], z[3], z[7]), (1.25, -0.75, 2.0));
    assert_eq!(tokens, native::melody_decode(MODEL, &z));
    // A prior sample: a new code, and still the native decode of it.
    page.eval("document.querySelector('[data-testid=melody-sample]').click()");
    page.wait_for(
        "a sampled code",
        "(document.querySelector('[data-testid=melody-roll]')?.dataset.z ?? '').split(',')[7] !== '2.000000'",
        LONG,
    );
    wait_settled(&page);
    let (tokens, z) = roll(&page);
    let native = native::melody_decode(MODEL, &z);
    let same = tokens.iter().zip(&native).filter(|(a, b)| a == b).count();
    // The page shows z to six decimals; the decode it shows is of the exact code, so a step
    // whose two best tokens tie to that precision could differ. None did in practice.
    assert!(same >= 31, "{same} of 32 steps as the native decode: {tokens:?} vs {native:?}");
    page.screenshot("roll");
    page.finish();
}

#[test]
fn the_interpolation_row_runs_from_one_encoding_to_the_other() {
    let page = open("melody-row");
    page.wait_for("the examples", "document.querySelectorAll('[data-testid=melody-item]').length >= 2", LONG);
    page.eval("document.querySelectorAll('[data-testid=melody-end-a]')[0].click()");
    page.eval("document.querySelectorAll('[data-testid=melody-end-b]')[1].click()");
    page.wait_for(
        "the row's melodies",
        "(() => { const r = document.querySelectorAll('[data-testid=melody-row-roll]'); return r.length === 7 && Array.from(r).every(x => x.dataset.tokens.length > 0); })()",
        LONG,
    );
    let item = |k: usize, name: &str| attr(&page, "[data-testid=melody-item]", k, name);
    let (mu_a, mu_b): (Vec<f32>, Vec<f32>) = (numbers(&item(0, "mu")), numbers(&item(1, "mu")));
    // The ends are the encodings of the two melodies, as the encoder gives them natively.
    for (k, mu) in [(0, &mu_a), (1, &mu_b)] {
        let tokens: Vec<u8> =
            numbers(&attr(&page, "[data-testid=melody-item] [data-testid=piano-roll]", k, "tokens"));
        assert!(close(mu, &native::melody_encode(MODEL, &tokens), 1e-4), "item {k}'s code is its encoding");
    }
    let row = "[data-testid=melody-row-roll]";
    let first: Vec<f32> = numbers(&attr(&page, row, 0, "z"));
    let last: Vec<f32> = numbers(&attr(&page, row, 6, "z"));
    assert!(close(&first, &mu_a, 1e-5) && close(&last, &mu_b, 1e-5), "the row runs from A's code to B's");
    for k in [0, 3, 6] {
        let z: Vec<f32> = numbers(&attr(&page, row, k, "z"));
        let tokens: Vec<u8> = numbers(&attr(&page, row, k, "tokens"));
        let native = native::melody_decode(MODEL, &z);
        let same = tokens.iter().zip(&native).filter(|(a, b)| a == b).count();
        assert!(same >= 31, "roll {k}: {same} of 32 steps as the native decode");
    }
    page.screenshot("row");
    page.finish();
}

/// Power at `freq` in `samples` (Goertzel, Hann window).
fn power(samples: &[f32], rate: f32, freq: f32) -> f32 {
    let n = samples.len() as f32;
    let w = 2.0 * std::f32::consts::PI * freq / rate;
    let (mut s1, mut s2) = (0.0f32, 0.0f32);
    for (i, x) in samples.iter().enumerate() {
        let hann = 0.5 - 0.5 * (2.0 * std::f32::consts::PI * i as f32 / n).cos();
        let s = x * hann + 2.0 * w.cos() * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    s1 * s1 + s2 * s2 - 2.0 * w.cos() * s1 * s2
}

/// The strongest pitch (MIDI number) of a stretch of sound, among the grid's pitches.
fn strongest_pitch(samples: &[f32], rate: f32) -> u8 {
    (melody::grid::LOW..=melody::grid::HIGH)
        .max_by(|a, b| {
            let f = |p: u8| power(samples, rate, 440.0 * 2f32.powf((f32::from(p) - 69.0) / 12.0));
            f(*a).total_cmp(&f(*b))
        })
        .unwrap_or(0)
}

/// The samples the page's last offline render left, and their rate.
fn rendered(page: &Page) -> Vec<f32> {
    page.eval("Array.from(window.latentLabAudio)")
        .as_array()
        .expect("samples")
        .iter()
        .map(|v| v.as_f64().unwrap_or(0.0) as f32)
        .collect()
}

fn rms(samples: &[f32]) -> f32 {
    (samples.iter().map(|x| x * x).sum::<f32>() / samples.len().max(1) as f32).sqrt()
}

/// The offline render is done (or a notice says why it could not be).
fn wait_audio(page: &Page) {
    page.wait_for(
        "the rendered audio",
        "!!window.latentLabAudio || !!document.querySelector('[data-testid=notice]')",
        LONG,
    );
    assert_eq!(page.text("notice"), None, "playing gave a notice");
}

#[test]
fn playback_renders_the_notes_it_shows() {
    let page = open("melody-audio");
    // Three quarter notes from the on-screen keyboard, then a quarter's rest: G4, C5, E5.
    page.eval("(() => { const s = document.querySelector('[data-testid=melody-note-steps]'); s.value = '4'; s.dispatchEvent(new Event('change', { bubbles: true })); })()");
    for pitch in [67, 72, 76] {
        page.eval(&format!(
            "document.querySelector('[data-testid=melody-key][data-pitch=\"{pitch}\"]').click()"
        ));
    }
    page.eval("document.querySelector('[data-testid=melody-key-rest]').click()");
    page.wait_for(
        "the keyboard's melody",
        "document.querySelector('[data-testid=melody-keys-roll]')?.dataset.notes === '3'",
        LONG,
    );
    page.eval(
        "delete window.latentLabAudio, document.querySelector('[data-testid=melody-key-play]').click()",
    );
    wait_audio(&page);
    let samples = rendered(&page);
    let rate = page.eval("window.latentLabAudioRate").as_f64().unwrap_or(0.0) as f32;
    assert!(rate > 8000.0, "sample rate {rate}");
    let step = (0.125 * rate) as usize;
    let lead = (0.05 * rate) as usize;
    // Each quarter note, its middle half: the pitch played is the strongest.
    for (k, pitch) in [67u8, 72, 76].into_iter().enumerate() {
        let start = lead + k * 4 * step + step;
        let part = &samples[start..start + 2 * step];
        assert!(rms(part) > 0.02, "note {k} is silent ({})", rms(part));
        assert_eq!(strongest_pitch(part, rate), pitch, "note {k}");
    }
    // The rest after them, and everything after the keyboard's steps, is silence.
    let rest = &samples[lead + 12 * step + step / 2..lead + 16 * step];
    assert!(rms(rest) < 0.002, "the rest sounds ({})", rms(rest));
    assert!(rms(&samples[..lead / 2]) < 1e-4, "sound before the first note");

    // The decoded melody's notes, as its roll draws them, are what plays.
    page.eval("delete window.latentLabAudio, document.querySelector('[data-testid=melody-play]').click()");
    wait_audio(&page);
    let samples = rendered(&page);
    let notes = page.eval(
        "Array.from(document.querySelectorAll('[data-testid=melody-roll] .note')).map(n => [Number(n.dataset.start), Number(n.dataset.len), Number(n.dataset.pitch)])",
    );
    let notes: Vec<[u64; 3]> = serde_json::from_value(notes).expect("notes");
    let long: Vec<&[u64; 3]> = notes.iter().filter(|n| n[1] >= 2).collect();
    assert!(!long.is_empty(), "the origin's melody has notes of an eighth or longer: {notes:?}");
    for n in long {
        let start = lead + n[0] as usize * step + step / 4;
        let end = lead + (n[0] + n[1]) as usize * step - step / 4;
        assert_eq!(strongest_pitch(&samples[start..end], rate), n[2] as u8, "the note at step {}", n[0]);
    }
    page.finish();
}

/// Drop files (name, bytes) on the melody view's drop zone, as a user's drag does.
fn drop_files(page: &Page, files: &[(&str, Vec<u8>)]) {
    let list: Vec<String> = files
        .iter()
        .map(|(name, bytes)| format!("['{name}', {}]", serde_json::to_string(bytes).unwrap_or_default()))
        .collect();
    page.eval(&format!(
        "(() => {{ const dt = new DataTransfer();
            for (const [name, bytes] of [{}]) dt.items.add(new File([new Uint8Array(bytes)], name, {{ type: 'audio/midi' }}));
            document.querySelector('[data-testid=melody-midi-drop]').dispatchEvent(new DragEvent('drop', {{ dataTransfer: dt, bubbles: true, cancelable: true }})); }})()",
        list.join(",")
    ));
}

fn a_phrase() -> melody::grid::Melody {
    let mut m = [melody::grid::REST; melody::grid::STEPS];
    for (k, pitch) in [62u8, 66, 69, 74, 73, 71, 69, 66].into_iter().enumerate() {
        m[k * 4] = melody::grid::pitch_token(pitch).unwrap_or(0);
        m[k * 4 + 1] = melody::grid::HOLD;
    }
    m
}

#[test]
fn a_dropped_midi_file_becomes_a_gallery_item() {
    let page = open("melody-midi");
    page.wait_for("the examples", "document.querySelectorAll('[data-testid=melody-item]').length >= 2", LONG);
    let before = items(&page);
    let phrase = a_phrase();
    drop_files(&page, &[("d-major.mid", melody::midi::midi_from_melody(&phrase, 120.0))]);
    page.wait_for(
        "the new item",
        &format!("document.querySelectorAll('[data-testid=melody-item]').length === {}", before + 1),
        LONG,
    );
    let k = before;
    let tokens: Vec<u8> =
        numbers(&attr(&page, "[data-testid=melody-item] [data-testid=piano-roll]", k, "tokens"));
    assert_eq!(tokens, phrase.to_vec(), "the file's notes on the grid");
    let mu: Vec<f32> = numbers(&attr(&page, "[data-testid=melody-item]", k, "mu"));
    assert!(close(&mu, &native::melody_encode(MODEL, &tokens), 1e-4), "its code is its encoding");
    wait_settled(&page);
    let (_, z) = roll(&page);
    assert!(close(&z, &mu, 1e-5), "the sliders moved to it");
    page.finish();
}

/// A standard MIDI file written byte by byte (deltas under 128 ticks, so each is one byte):
/// `division` ticks a quarter, one chunk per track of (delta, status, data, data) events.
fn smf(division: u8, tracks: &[Vec<[u8; 4]>], meta: &[u8]) -> Vec<u8> {
    let mut out = b"MThd".to_vec();
    out.extend([0, 0, 0, 6, 0, u8::from(tracks.len() > 1), 0, tracks.len() as u8, 0, division]);
    for (k, events) in tracks.iter().enumerate() {
        let mut body: Vec<u8> = if k == 0 { meta.to_vec() } else { vec![] };
        events.iter().for_each(|e| body.extend(e));
        body.extend([0, 0xFF, 0x2F, 0]);
        out.extend(b"MTrk");
        out.extend((body.len() as u32).to_be_bytes());
        out.extend(body);
    }
    out
}

/// Notes (onset tick, length in ticks, key) on `channel`, as delta-timed on/off events.
fn track(channel: u8, notes: &[(u8, u8, u8)]) -> Vec<[u8; 4]> {
    let mut events = Vec::new();
    let mut now = 0u8;
    for &(on, len, key) in notes {
        events.push([on - now, 0x90 | channel, key, 100]);
        events.push([len, 0x80 | channel, key, 0]);
        now = on + len;
    }
    events
}

#[test]
fn bad_midi_files_are_refused_and_nothing_changes() {
    let page = open("melody-bad-midi");
    page.wait_for("the examples", "document.querySelectorAll('[data-testid=melody-item]').length >= 2", LONG);
    set_slider(&page, 0, "1.5");
    wait_settled(&page);
    let good = melody::midi::midi_from_melody(&a_phrase(), 120.0);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("random.mid", (0..400u32).map(|i| (i * 7919 % 251) as u8).collect(), "MIDI"),
        ("truncated.mid", good[..good.len() / 2].to_vec(), "MIDI"),
        (
            "silence.mid",
            melody::midi::midi_from_melody(&[melody::grid::REST; melody::grid::STEPS], 120.0),
            "no notes",
        ),
        // A sixteenth is one tick at 4 ticks a quarter.
        ("drums.mid", smf(4, &[track(9, &[(0, 2, 36), (4, 2, 38), (8, 2, 36)])], &[]), "drum"),
        (
            "two-parts.mid",
            smf(4, &[track(0, &[(0, 2, 67), (2, 2, 69)]), track(1, &[(0, 4, 48)])], &[]),
            "tracks",
        ),
        // Triplet eighths: 12 ticks a quarter, onsets every 4 ticks, between the sixteenths.
        (
            "triplets.mid",
            smf(12, &[track(0, &[(0, 4, 67), (4, 4, 69), (8, 4, 71), (12, 4, 72), (16, 4, 74)])], &[]),
            "grid",
        ),
        (
            "waltz.mid",
            smf(4, &[track(0, &[(0, 4, 67), (4, 4, 69), (8, 4, 71)])], &[0, 0xFF, 0x58, 4, 3, 2, 24, 8]),
            "3/4",
        ),
    ];
    // A file too large to be a two-bar phrase, made in the page (3 MB through the test's own
    // channel would take longer than the page does).
    let huge = ("huge.mid", None, "MiB");
    let cases = cases.into_iter().map(|(n, b, s)| (n, Some(b), s)).chain([huge]);
    for (name, bytes, says) in cases {
        let held = (items(&page), roll(&page));
        match bytes {
            Some(bytes) => drop_files(&page, &[(name, bytes)]),
            None => {
                page.eval("(() => { const dt = new DataTransfer(); dt.items.add(new File([new Uint8Array(3 << 20)], 'huge.mid'));
                    document.querySelector('[data-testid=melody-midi-drop]').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true })); })()");
            }
        }
        page.wait_for(
            &format!("a notice about {name}"),
            "!!document.querySelector('[data-testid=notice]')",
            LONG,
        );
        let text = page.text("notice").unwrap_or_default();
        assert!(
            text.contains(name) && text.contains(says) && text.contains("Nothing was changed"),
            "{name}: {text}"
        );
        assert_eq!((items(&page), roll(&page)), held, "{name} changed what was there");
        page.eval("document.querySelector('[data-testid=notice] button')?.click()");
        page.wait_for("the notice to go", "!document.querySelector('[data-testid=notice]')", LONG);
    }
    page.finish();
}
