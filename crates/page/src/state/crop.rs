//! Face photos keep the picture they came from, so the square they were cut at can be moved
//! afterwards: the item's prepared input changes at once, and its code and reconstruction when
//! the worker has encoded the new input (the item keeps its key, mark and place).

use super::*;
use image_input::crop::Crop;
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
                let id = self.fresh_id();
                self.encoding.push(PendingEncode {
                    id,
                    model: m.name.clone(),
                    name,
                    input: Rc::new(input),
                    pixels: Rc::new(pixels),
                    example: false,
                    known: None,
                    photo: Some(photo),
                    replaces: None,
                });
            }
            Action::EditCrop(key) => {
                self.cropping = key.filter(|k| self.item(*k).is_some_and(|i| i.photo.is_some()));
            }
            Action::Recrop { key, crop } => self.recrop(key, crop),
            _ => {}
        }
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
