//! The melody view's half of the reducer: a sequence VAE's latent space, heard. Its own model
//! (`models/melodies.json`), its own code and its own little gallery, beside the image model's,
//! which it never touches: opening the view and leaving it changes nothing an image view had.

use super::*;
use bundle::{MelodyEntry, MelodyManifest};
use latent::Mode;
use latent::rng::Rng;

/// Piano rolls in an interpolation row, ends included (MusicVAE's demo shows a handful).
pub const ROW_LENGTH: usize = 7;
/// The keyboard writes notes of this many steps by default: eighth notes, a fiddle tune's pulse.
pub const DEFAULT_NOTE_STEPS: usize = 2;

/// An interpolation row: its request id, its codes, and their melodies once decoded.
pub type Row = (u64, Vec<Vec<f32>>, Vec<Vec<u8>>);

/// A melody in the view's gallery: a shipped example, a played one or a dropped MIDI file.
#[derive(Clone, Debug, PartialEq)]
pub struct MelodyItem {
    pub key: u64,
    pub name: String,
    pub tokens: Vec<u8>,
    pub mu: Vec<f32>,
    pub example: bool,
}

/// A melody sent to the encoder, waiting for its μ.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingMelody {
    pub id: u64,
    pub name: String,
    pub tokens: Vec<u8>,
}

/// What is sounding (the page's synthesiser plays it; the reducer only says what to play).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Playing {
    /// The decode of the sliders' code.
    Current,
    /// The interpolation row, roll after roll.
    Row,
    /// What the keyboard has written so far.
    Keyboard,
}

/// The on-screen keyboard's melody being written: tokens so far and the length of the next note.
#[derive(Clone, Debug, PartialEq)]
pub struct Keyboard {
    pub tokens: Vec<u8>,
    pub note_steps: usize,
}

impl Default for Keyboard {
    fn default() -> Self {
        Keyboard { tokens: Vec::new(), note_steps: DEFAULT_NOTE_STEPS }
    }
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct MelodyLab {
    /// `models/melodies.json`, and the manifests fetched from it (for the comparison card).
    pub entries: Vec<MelodyEntry>,
    pub manifests: Vec<Rc<MelodyManifest>>,
    /// The model the sliders drive, once the worker has it; and the one loading.
    pub model: Option<Rc<MelodyManifest>>,
    pub loading: Option<(u64, Rc<MelodyManifest>)>,
    pub z: Vec<f32>,
    pub decode_id: u64,
    /// The decode of `z`: its id and tokens.
    pub melody: Option<(u64, Vec<u8>)>,
    pub items: Vec<MelodyItem>,
    pub pending: Vec<PendingMelody>,
    /// The interpolation's two ends (item keys), the newest row asked for and the row received.
    pub ends: [Option<u64>; 2],
    pub mode: Mode,
    pub row_id: u64,
    pub row: Option<Row>,
    /// The attribute vector applied (an index into the manifest's vectors) and its strength.
    pub vector: Option<usize>,
    pub strength: f32,
    pub keyboard: Keyboard,
    pub playing: Option<Playing>,
    /// Bumped on every press of a play button, so pressing it again replays.
    pub play_rev: u64,
}

/// Everything the melody view does.
#[derive(Clone, Debug, PartialEq)]
pub enum MelodyAction {
    /// `models/melodies.json` arrived.
    Index(Vec<MelodyEntry>),
    /// A melody model's manifest arrived (the view fetches each listed one); the first, or the
    /// one chosen, is loaded.
    Manifest(Box<MelodyManifest>),
    /// Load this model (its manifest must have arrived).
    Choose(String),
    SetLatent {
        dim: usize,
        value: f32,
    },
    Reset,
    /// A code from N(0, I), drawn from this seed (the page's random source, so tests can repeat it).
    Sample(u64),
    /// Set the sliders to an item's μ.
    UseItem(u64),
    SetEnd {
        end: usize,
        key: u64,
    },
    Mode(Mode),
    Vector(Option<usize>),
    Strength(f32),
    /// A melody from outside (a MIDI file, the keyboard): encode it and add it to the gallery.
    Input {
        name: String,
        tokens: Vec<u8>,
    },
    KeyNote(u8),
    KeyRest,
    KeyUndo,
    KeyClear,
    KeyNoteSteps(usize),
    /// Encode what the keyboard wrote (rests fill the rest of the two bars).
    KeyDone,
    Play(Playing),
    Stop,
}

impl State {
    pub(super) fn melody_action(&mut self, action: MelodyAction) {
        let lab = &mut self.melody;
        match action {
            MelodyAction::Index(entries) => lab.entries = entries,
            MelodyAction::Manifest(m) => {
                if !lab.manifests.iter().any(|k| k.name == m.name) {
                    let m = Rc::new(*m);
                    lab.manifests.push(m.clone());
                    // The first listed model that arrives is the one the view opens with.
                    let first = lab.entries.first().is_none_or(|e| e.name == m.name);
                    if lab.model.is_none() && lab.loading.is_none() && first {
                        self.melody_load(m);
                    }
                }
            }
            MelodyAction::Choose(name) => {
                let found = lab.manifests.iter().find(|m| m.name == name).cloned();
                match found {
                    Some(m) if self.melody.model.as_ref().is_none_or(|c| c.name != name) => {
                        self.melody_load(m)
                    }
                    Some(_) => {}
                    None => self.error(format!("The melody model {name} is not available.")),
                }
            }
            MelodyAction::SetLatent { dim, value } => {
                if let Some(slot) = lab.z.get_mut(dim)
                    && value.is_finite()
                {
                    *slot = value.clamp(-latent::url_state::MAX_ABS, latent::url_state::MAX_ABS);
                    self.melody_decode();
                }
            }
            MelodyAction::Reset => {
                lab.z.iter_mut().for_each(|v| *v = 0.0);
                lab.strength = 0.0;
                self.melody_decode();
            }
            MelodyAction::Sample(seed) => {
                let mut rng = Rng::new(seed);
                lab.z.iter_mut().for_each(|v| *v = rng.normal());
                lab.strength = 0.0;
                self.melody_decode();
            }
            MelodyAction::UseItem(key) => {
                if let Some(item) = lab.items.iter().find(|i| i.key == key)
                    && item.mu.len() == lab.z.len()
                {
                    lab.z = item.mu.clone();
                    lab.strength = 0.0;
                    self.melody_decode();
                }
            }
            MelodyAction::SetEnd { end, key } => {
                if end < 2 && lab.items.iter().any(|i| i.key == key) {
                    lab.ends[end] = Some(key);
                    self.melody_row();
                }
            }
            MelodyAction::Mode(mode) => {
                lab.mode = mode;
                self.melody_row();
            }
            MelodyAction::Vector(v) => {
                let fits = |i: usize| lab.model.as_ref().is_some_and(|m| i < m.vectors.len());
                if v.is_none_or(fits) {
                    lab.vector = v;
                    lab.strength = 0.0;
                }
            }
            MelodyAction::Strength(s) => self.melody_strength(s),
            MelodyAction::Input { name, tokens } => self.melody_input(name, tokens),
            MelodyAction::KeyNote(pitch) => {
                if let Some(token) = ::melody::grid::pitch_token(pitch) {
                    let kb = &mut lab.keyboard;
                    let room = STEPS.saturating_sub(kb.tokens.len());
                    let len = kb.note_steps.min(room);
                    if len > 0 {
                        kb.tokens.push(token);
                        kb.tokens.extend(std::iter::repeat_n(::melody::grid::HOLD, len - 1));
                    }
                }
            }
            MelodyAction::KeyRest => {
                let kb = &mut lab.keyboard;
                let len = kb.note_steps.min(STEPS.saturating_sub(kb.tokens.len()));
                kb.tokens.extend(std::iter::repeat_n(::melody::grid::REST, len));
            }
            MelodyAction::KeyUndo => {
                // Back to the start of the last note or rest run the keyboard wrote.
                let kb = &mut lab.keyboard;
                while kb.tokens.last() == Some(&::melody::grid::HOLD) {
                    kb.tokens.pop();
                }
                kb.tokens.pop();
            }
            MelodyAction::KeyClear => lab.keyboard.tokens.clear(),
            MelodyAction::KeyNoteSteps(n) => {
                if [1, 2, 4, 8].contains(&n) {
                    lab.keyboard.note_steps = n;
                }
            }
            MelodyAction::KeyDone => {
                let mut tokens = lab.keyboard.tokens.clone();
                if !tokens.iter().any(|t| ::melody::grid::token_pitch(*t).is_some()) {
                    return self
                        .error("Play a few notes on the keyboard first: there is nothing to encode.".into());
                }
                tokens.resize(STEPS, ::melody::grid::REST);
                lab.keyboard.tokens.clear();
                self.melody_input("played on the keyboard".into(), tokens);
            }
            MelodyAction::Play(what) => {
                lab.playing = Some(what);
                lab.play_rev += 1;
            }
            MelodyAction::Stop => lab.playing = None,
        }
    }

    fn melody_load(&mut self, m: Rc<MelodyManifest>) {
        let id = self.fresh_id();
        self.melody.loading = Some((id, m));
    }

    /// The sliders' code changed: decode it.
    fn melody_decode(&mut self) {
        if self.melody.model.is_some() {
            self.melody.decode_id = self.fresh_id();
        }
    }

    /// The interpolation row between the two ends, when both are set.
    fn melody_row(&mut self) {
        let lab = &self.melody;
        let mu = |end: usize| {
            lab.ends[end].and_then(|k| lab.items.iter().find(|i| i.key == k)).map(|i| i.mu.clone())
        };
        if let (Some(a), Some(b)) = (mu(0), mu(1)) {
            let zs = latent::interp::path(&a, &b, ROW_LENGTH, lab.mode);
            let id = self.fresh_id();
            self.melody.row_id = id;
            self.melody.row = Some((id, zs, Vec::new()));
        }
    }

    /// The codes the row asked for: `row.1` while its melodies are on their way.
    pub fn melody_row_codes(&self) -> Option<&Vec<Vec<f32>>> {
        self.melody.row.as_ref().filter(|r| r.0 == self.melody.row_id).map(|r| &r.1)
    }

    /// Move along the chosen vector: the strength already added is taken back first, so the
    /// slider's value is always the distance from where the code was before it moved.
    fn melody_strength(&mut self, s: f32) {
        let lab = &mut self.melody;
        let (Some(i), Some(m)) = (lab.vector, lab.model.as_ref()) else { return };
        let Some(v) = m.vectors.get(i) else { return };
        if !s.is_finite() || v.vector.len() != lab.z.len() {
            return;
        }
        let s = s.clamp(-3.0, 3.0);
        let delta = s - lab.strength;
        for (z, d) in lab.z.iter_mut().zip(&v.vector) {
            *z += delta * d;
        }
        lab.strength = s;
        self.melody_decode();
    }

    fn melody_input(&mut self, name: String, tokens: Vec<u8>) {
        let Some(m) = self.melody.model.clone() else {
            return self.error("The melody model is still loading: try again in a moment.".into());
        };
        if tokens.len() != m.architecture.steps
            || tokens.iter().any(|t| usize::from(*t) >= m.architecture.vocab)
        {
            return self.error(format!("{name} is not a melody {} can read. Nothing was changed.", m.name));
        }
        let id = self.fresh_id();
        self.melody.pending.push(PendingMelody { id, name, tokens });
    }

    /// The worker's answers about melodies; false when the message is about something else.
    pub(super) fn melody_worker(&mut self, msg: &FromWorker) -> bool {
        let lab = &mut self.melody;
        match msg {
            FromWorker::MelodyLoaded { id, .. } => {
                let Some((_, m)) = lab.loading.take_if(|(l, _)| *l == *id) else { return true };
                let same = lab.model.as_ref().is_some_and(|c| c.name == m.name);
                if !same {
                    lab.z = vec![0.0; m.architecture.latent];
                    lab.melody = None;
                    lab.ends = [None, None];
                    lab.row = None;
                    lab.vector = None;
                    lab.strength = 0.0;
                    // The examples' codes are the new model's; items of another model's are not.
                    lab.items = m
                        .examples
                        .iter()
                        .enumerate()
                        .map(|(k, e)| MelodyItem {
                            key: k as u64 + 1,
                            name: e.label.clone(),
                            tokens: e.tokens.clone(),
                            mu: e.mu.clone(),
                            example: true,
                        })
                        .collect();
                    let re_encode: Vec<PendingMelody> = std::mem::take(&mut lab.pending);
                    lab.model = Some(m);
                    for p in re_encode {
                        self.melody_input(p.name, p.tokens);
                    }
                } else {
                    lab.model = Some(m);
                }
                self.melody_decode();
                true
            }
            FromWorker::MelodiesDecoded { id, melodies } => {
                if *id == lab.decode_id {
                    if let Some(first) = melodies.first() {
                        lab.melody = Some((*id, first.clone()));
                    }
                } else if let Some(row) =
                    lab.row.as_mut().filter(|r| r.0 == *id && r.1.len() == melodies.len())
                {
                    row.2 = melodies.clone();
                }
                // An older decode (the hand moved on) is dropped: only the newest is shown.
                true
            }
            FromWorker::MelodyEncoded { id, mu } => {
                let Some(pos) = lab.pending.iter().position(|p| p.id == *id) else { return true };
                let p = lab.pending.remove(pos);
                if lab.model.as_ref().is_some_and(|m| m.architecture.latent == mu.len()) {
                    lab.items.push(MelodyItem {
                        key: *id,
                        name: p.name,
                        tokens: p.tokens,
                        mu: mu.clone(),
                        example: false,
                    });
                    lab.z = mu.clone();
                    lab.strength = 0.0;
                    self.melody_decode();
                }
                true
            }
            FromWorker::Failed { id: Some(id), message } => {
                if let Some((_, m)) = lab.loading.take_if(|(l, _)| *l == *id) {
                    let stays =
                        lab.model.as_ref().map_or(String::new(), |c| format!(" {} stays open.", c.name));
                    self.error(format!(
                        "The melody model {} could not be opened: {message}. Nothing was changed;{stays}",
                        m.name
                    ));
                    return true;
                }
                if let Some(pos) = lab.pending.iter().position(|p| p.id == *id) {
                    let p = lab.pending.remove(pos);
                    self.error(format!("{} could not be encoded: {message}. Nothing was changed.", p.name));
                    return true;
                }
                if *id == lab.decode_id || *id == lab.row_id {
                    self.error(format!("A melody could not be decoded: {message}."));
                    return true;
                }
                false
            }
            _ => false,
        }
    }

    /// The tokens the play button sounds: the current decode, the row's melodies in turn, or
    /// the keyboard's melody.
    pub fn melody_to_play(&self) -> Vec<Vec<u8>> {
        let lab = &self.melody;
        match lab.playing {
            Some(Playing::Current) => lab.melody.iter().map(|(_, t)| t.clone()).collect(),
            Some(Playing::Row) => lab.row.as_ref().map(|r| r.2.clone()).unwrap_or_default(),
            Some(Playing::Keyboard) => vec![lab.keyboard.tokens.clone()],
            None => vec![],
        }
    }
}

use ::melody::grid::STEPS;
