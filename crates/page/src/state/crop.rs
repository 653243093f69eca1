//! Face photos keep the picture they came from, so the square they were cut at can be moved
//! afterwards: the item's prepared input changes at once, and its code and reconstruction when
//! the worker has encoded the new input (the item keeps its key, mark and place). A new photo is
//! first encoded at a few squares (`image_input::crop::first_guesses`) and the one the model
//! draws back best becomes the item: a tight crop of a face gets zoomed out to the framing
//! the model learned, a portrait keeps its full square.

use super::*;
use image_input::crop::{Crop, GuessScore, first_guesses, pick_guess};
use image_input::preprocess::{Rgba, prepare_face};

/// A user's face photo as read (at most `WORKING_SIZE` on its long side) and where it is cut.
#[derive(Clone, Debug, PartialEq)]
pub struct Photo {
    pub rgba: Rc<Rgba>,
    pub crop: Crop,
}

impl State {
    pub(super) fn crop(&mut self, action: Action) {
        match action {
            Action::EncodePhoto { name, input, pixels, photo } => {
                let Some(m) = self.model.clone() else { return };
                if pixels.len() != m.image.len() {
                    return self.error(format!("{name} was not prepared for {}", m.name));
                }
                self.encode_first_guesses(&m, name, input, pixels, photo);
            }
            Action::EditCrop(key) => {
                self.cropping = key.filter(|k| self.item(*k).is_some_and(|i| i.photo.is_some()));
            }
            Action::Recrop { key, crop } => self.recrop(key, crop),
            _ => {}
        }
    }

    /// Queue a new photo at each of `first_guesses` (the square it was read at, `photo.crop`,
    /// included as it came: `input` and `pixels`); the one drawn back best becomes the item.
    fn encode_first_guesses(
        &mut self,
        m: &Manifest,
        name: String,
        input: Vec<u8>,
        pixels: Vec<f32>,
        photo: Rc<Photo>,
    ) {
        let short = name.split_once(" · ").map_or(name.as_str(), |(s, _)| s).to_string();
        let group = self.fresh_id();
        for (place, crop) in first_guesses().into_iter().enumerate() {
            let (name, input, pixels) = if crop == photo.crop {
                (name.clone(), input.clone(), pixels.clone())
            } else {
                let Ok(p) = prepare_face(&photo.rgba, &m.image, crop) else { continue };
                let name = format!("{short} · {}", p.steps.join(" → "));
                (name, worker_protocol::pixels::to_bytes(&p.pixels), p.pixels)
            };
            let id = if place == 0 { group } else { self.fresh_id() };
            self.encoding.push(PendingEncode {
                id,
                model: m.name.clone(),
                name,
                input: Rc::new(input),
                pixels: Rc::new(pixels),
                example: false,
                known: None,
                photo: Some(Rc::new(Photo { rgba: photo.rgba.clone(), crop })),
                replaces: None,
                trial: Some((group, place)),
            });
        }
    }

    /// One first guess is back (`item`, scored but not announced). Returns the chosen item once
    /// the whole group is in, and nothing while others are still out.
    pub(super) fn first_guess_back(
        &mut self,
        (group, place): (u64, usize),
        item: GalleryItem,
    ) -> Option<GalleryItem> {
        self.framing_trials.push((group, place, item));
        self.first_guesses_done(group)
    }

    /// The chosen item of `group` when no guess of it is still being encoded (a failed guess
    /// simply drops out).
    pub(super) fn first_guesses_done(&mut self, group: u64) -> Option<GalleryItem> {
        if self.encoding.iter().any(|p| p.trial.is_some_and(|(g, _)| g == group)) {
            return None;
        }
        let mut tried: Vec<(usize, GalleryItem)> = Vec::new();
        self.framing_trials.retain(|(g, place, item)| {
            if *g == group {
                tried.push((*place, item.clone()));
            }
            *g != group
        });
        tried.sort_by_key(|(place, _)| *place);
        let scores: Vec<Option<GuessScore>> = tried
            .iter()
            .map(|(_, item)| {
                let missed = latent::ood::missed_share_seen(&item.input, &item.recon, 3) as f32;
                item.ood_percentile.map(|rarity| [missed, rarity])
            })
            .collect();
        let pick = pick_guess(&scores);
        tried.into_iter().nth(pick).map(|(_, item)| item)
    }

    /// Cut the item's photo at `crop`: its input shows the new cut now, and the new input is
    /// queued for encoding (an older re-encode of the same item still waiting is dropped).
    fn recrop(&mut self, key: u64, crop: Crop) {
        let Some(m) = self.model.clone() else { return };
        let Some(item) = self.gallery.iter_mut().find(|g| g.key == key && g.model == m.name) else { return };
        let Some(photo) = item.photo.clone() else { return };
        let short = item.name.split_once(" · ").map_or(item.name.as_str(), |(s, _)| s).to_string();
        let prepared = match prepare_face(&photo.rgba, &m.image, crop) {
            Ok(p) => p,
            Err(e) => return self.error(format!("{short}: {e}")),
        };
        let input = Rc::new(worker_protocol::pixels::to_bytes(&prepared.pixels));
        let name = format!("{short} · {}", prepared.steps.join(" → "));
        let photo = Rc::new(Photo { rgba: photo.rgba.clone(), crop });
        item.input = input.clone();
        item.photo = Some(photo.clone());
        self.encoding.retain(|p| p.replaces != Some(key));
        let id = self.fresh_id();
        self.encoding.push(PendingEncode {
            id,
            model: m.name.clone(),
            name,
            input,
            pixels: Rc::new(prepared.pixels),
            example: false,
            known: None,
            photo: Some(photo),
            replaces: Some(key),
            trial: None,
        });
    }

    /// A re-encode of item `key` is back: the item takes the new code in place. Returns false
    /// when the item is gone (deleted meanwhile), and nothing changes.
    pub(super) fn replace_encoding(&mut self, key: u64, fresh: GalleryItem) -> bool {
        let Some(item) = self.gallery.iter_mut().find(|g| g.key == key) else { return false };
        let selected = self.selected == Some(key);
        let mu = fresh.mu.clone();
        *item = GalleryItem { key, mark: item.mark, ..fresh };
        if selected {
            self.set_z(mu);
        }
        self.saved();
        self.refresh_view();
        true
    }
}
