//! The reducer's half for the workbench: gallery items, interpolation and latent vectors.
//! `State::apply` hands every action it does not handle itself to `explore`.

use super::*;

impl State {
    /// Gallery, interpolation and vectors.
    pub(super) fn explore(&mut self, action: Action) {
        match action {
            Action::Encode { name, input, pixels, example } => {
                let Some(m) = self.model.clone() else { return };
                if pixels.len() != m.image.len() {
                    return self.error(format!("{name} was not prepared for {}", m.name));
                }
                let (id, model) = (self.fresh_id(), m.name.clone());
                let (input, pixels) = (Rc::new(input), Rc::new(pixels));
                self.encoding.push(PendingEncode {
                    id,
                    model,
                    name,
                    input,
                    pixels,
                    example,
                    known: None,
                    photo: None,
                    replaces: None,
                    trial: None,
                });
            }
            Action::EncodeKnown { name, input, mu, logvar } => {
                let Some(m) = self.model.clone() else { return };
                let dim = m.latent_dim;
                if mu.len() != dim || logvar.len() != dim {
                    return self.error(format!("{name} has no encoding for {}", m.name));
                }
                let (id, model, pixels) = (self.fresh_id(), m.name.clone(), Rc::new(Vec::new()));
                let known = Some(Rc::new((mu, logvar)));
                self.encoding.push(PendingEncode {
                    id,
                    model,
                    name,
                    input: Rc::new(input),
                    pixels,
                    example: true,
                    known,
                    photo: None,
                    replaces: None,
                    trial: None,
                });
            }
            Action::Restore { gallery, vectors } => {
                // Keys must stay unique: new ids start above every restored key.
                self.next_id = self.next_id.max(gallery.iter().map(|g| g.key).max().unwrap_or(0));
                let known: Vec<u64> = self.gallery.iter().map(|g| g.key).collect();
                let (items, vecs) = (self.gallery.len(), self.custom_vectors.len());
                self.gallery.extend(gallery.into_iter().filter(|g| !g.example && !known.contains(&g.key)));
                for v in vectors {
                    if !self.custom_vectors.iter().any(|c| c.model == v.model && c.name == v.name) {
                        self.custom_vectors.push(v);
                    }
                }
                // Merged with what was made before the restore (or imported): store the union.
                if self.gallery.len() != items || self.custom_vectors.len() != vecs {
                    self.saved();
                }
            }
            Action::Select(key) => {
                if let Some(mu) = self.item(key).map(|i| i.mu.clone()) {
                    self.selected = Some(key);
                    self.set_z(mu);
                }
            }
            Action::Delete(key) => {
                let before = self.gallery.len();
                self.gallery.retain(|g| g.key != key);
                if self.gallery.len() != before {
                    if self.selected == Some(key) {
                        self.selected = None;
                    }
                    if self.cropping == Some(key) {
                        self.cropping = None;
                    }
                    for end in
                        [&mut self.interp.a, &mut self.interp.b, &mut self.interp.c, &mut self.interp.d]
                    {
                        if *end == Some(key) {
                            *end = None;
                        }
                    }
                    self.interp.playing = false;
                    self.request_strip();
                    self.saved();
                }
            }
            Action::MarkItem(key, mark) => {
                if let Some(item) = self.gallery.iter_mut().find(|g| g.key == key) {
                    item.mark = mark;
                    self.saved();
                }
            }
            Action::SetEnd { b, key } => {
                let key = key.filter(|k| self.item(*k).is_some());
                if b {
                    self.interp.b = key
                } else {
                    self.interp.a = key
                }
                self.request_strip();
            }
            Action::SetCorner { d, key } => {
                let key = key.filter(|k| self.item(*k).is_some());
                if d {
                    self.interp.d = key
                } else {
                    self.interp.c = key
                }
                self.request_strip();
            }
            Action::InterpMode(mode) => {
                self.interp.mode = mode;
                self.request_strip();
            }
            Action::InterpFrames(n) => {
                self.interp.frames = n.clamp(MIN_FRAMES, MAX_FRAMES);
                self.request_strip();
            }
            Action::Scrub(t) if t.is_finite() => {
                self.interp.t = t.clamp(0.0, 1.0);
                if let Some(z) = self.point_on_path(self.interp.t) {
                    self.set_z(z);
                }
            }
            Action::Scrub(_) => {}
            Action::Play(on) => self.interp.playing = on && self.strip_codes().is_some(),
            Action::Tick if self.interp.playing => {
                let t = self.interp.t + 1.0 / 60.0;
                self.explore(Action::Scrub(if t > 1.0 { 0.0 } else { t }));
            }
            Action::ChooseVector(choice) => {
                self.vector = choice.filter(|c| self.vector_of(c).is_some());
                self.strength = 0.0;
                self.request_sense();
            }
            Action::SetStrength(s) if s.is_finite() => {
                let s = s.clamp(-3.0, 3.0);
                if let Some(v) = self.vector.as_ref().and_then(|c| self.vector_of(c)) {
                    let z = latent::add_scaled(&self.z, &v, s - self.strength);
                    self.strength = s;
                    self.set_z(z);
                }
            }
            Action::SetStrength(_) => {}
            Action::SaveVector(name) => self.save_vector(name),
            Action::DeleteVector(name) => {
                let model = self.model_name().map(str::to_string);
                self.custom_vectors.retain(|v| !(Some(&v.model) == model.as_ref() && v.name == name));
                if self.vector == Some(VectorChoice::Named(name)) {
                    self.vector = None;
                }
                self.saved();
            }
            Action::Analogy([a, b, c]) => {
                if let (Some(a), Some(b), Some(c)) = (self.item(a), self.item(b), self.item(c)) {
                    let z = latent::analogy(&a.mu, &b.mu, &c.mu);
                    self.set_z(z);
                }
            }
            _ => {}
        }
    }

    fn save_vector(&mut self, name: String) {
        let Some(model) = self.model_name().map(str::to_string) else { return };
        let name = name.trim().to_string();
        if name.is_empty() {
            return self.error("Give the vector a name first.".into());
        }
        if self.named_vectors().iter().any(|(n, _)| *n == name) {
            return self.error(format!("A vector named \"{name}\" exists already; choose another name."));
        }
        let items = self.items();
        let with: Vec<&[f32]> =
            items.iter().filter(|i| i.mark == Mark::With).map(|i| i.mu.as_slice()).collect();
        let without: Vec<&[f32]> =
            items.iter().filter(|i| i.mark == Mark::Without).map(|i| i.mu.as_slice()).collect();
        let support = [with.len(), without.len()];
        match latent::mean_difference(with, without) {
            Ok(vector) => {
                self.custom_vectors.push(CustomVector { model, name: name.clone(), vector, support });
                self.vector = Some(VectorChoice::Named(name));
                self.strength = 0.0;
                self.saved();
            }
            Err(e) => self.error(format!(
                "Mark at least one item \"with\" and one \"without\" to build a vector ({e})."
            )),
        }
    }
}

/// Queries the workbench answers from the state: vectors, the interpolation path, the grid.
impl State {
    /// The current model's own vectors, from its manifest and from the user.
    pub fn named_vectors(&self) -> Vec<(String, Vec<f32>)> {
        let Some(m) = &self.model else { return vec![] };
        let from_manifest = m.vectors.iter().map(|v| (v.name.clone(), v.vector.clone()));
        let custom = self
            .custom_vectors
            .iter()
            .filter(|v| v.model == m.name)
            .map(|v| (v.name.clone(), v.vector.clone()));
        from_manifest.chain(custom).collect()
    }

    pub fn vector_of(&self, choice: &VectorChoice) -> Option<Vec<f32>> {
        let m = self.model.as_ref()?;
        let v = match choice {
            VectorChoice::Named(name) => self.named_vectors().into_iter().find(|(n, _)| n == name)?.1,
            VectorChoice::Classes { from, to } => latent::mean_difference(
                [m.label_means.get(*to)?.as_slice()],
                [m.label_means.get(*from)?.as_slice()],
            )
            .ok()?,
        };
        (v.len() == m.latent_dim).then_some(v)
    }

    /// The codes of the interpolation strip, when both ends are chosen.
    pub fn strip_codes(&self) -> Option<Vec<Vec<f32>>> {
        let (a, b) = (self.item(self.interp.a?)?, self.item(self.interp.b?)?);
        Some(latent::path(&a.mu, &b.mu, self.interp.frames, self.interp.mode))
    }

    pub(super) fn point_on_path(&self, t: f32) -> Option<Vec<f32>> {
        let (a, b) = (self.item(self.interp.a?)?, self.item(self.interp.b?)?);
        Some(match self.interp.mode {
            Mode::Linear => latent::lerp(&a.mu, &b.mu, t),
            Mode::Spherical => latent::slerp(&a.mu, &b.mu, t),
        })
    }

    pub(super) fn request_strip(&mut self) {
        if self.strip_codes().is_some() {
            self.strip_id = self.fresh_id();
        } else {
            self.strip = None;
        }
        self.request_strip_drift();
        if self.corner_codes().is_some() {
            self.corners_id = self.fresh_id();
        } else {
            self.corners = None;
        }
    }

    /// Side of the 4-corner grid: the strip's frame count, at most `MAX_CORNER_GRID`.
    pub fn corner_side(&self) -> usize {
        self.interp.frames.min(MAX_CORNER_GRID)
    }

    /// The 4-corner grid's codes, when all four corners are chosen.
    pub fn corner_codes(&self) -> Option<Vec<Vec<f32>>> {
        let i = &self.interp;
        let (a, b, c, d) = (self.item(i.a?)?, self.item(i.b?)?, self.item(i.c?)?, self.item(i.d?)?);
        Some(latent::bilinear(&a.mu, &b.mu, &c.mu, &d.mu, self.corner_side()))
    }
}
