//! Models imported from PyTorch: they load like any other, join the picker marked as imported
//! once the worker has built them, and leave it when removed. The files themselves live in the
//! I/O layer (`web/io/imports.rs`), which keeps them in IndexedDB when told to here.

use super::*;

/// What the storage hook must do for the imported models, newest last; `rev` changes with each.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportEvents {
    pub rev: u64,
    pub last: Option<ImportEvent>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ImportEvent {
    /// Loaded: keep its files under this name.
    Keep(String),
    /// Removed: forget them.
    Forget(String),
}

impl State {
    pub(super) fn imports(&mut self, action: Action) {
        match action {
            Action::ImportModel(manifest) => {
                let id = self.fresh_id();
                let stage = format!("building {} from its graph", manifest.name);
                self.loading = Some(Loading {
                    id,
                    manifest: Rc::new(*manifest),
                    stage,
                    z: None,
                    fraction: None,
                    import: true,
                });
            }
            Action::ImportsRestored(entries) => {
                for e in entries {
                    if !self.models.iter().any(|m| m.name == e.name) {
                        self.models.push(e);
                    }
                }
            }
            Action::RemoveImported(name) => {
                let before = self.models.len();
                self.models.retain(|m| !(m.imported && m.name == name));
                if self.models.len() != before {
                    self.gallery.retain(|g| g.model != name);
                    self.saved();
                    self.import_event(ImportEvent::Forget(name));
                }
            }
            _ => {}
        }
    }

    /// An import's model has loaded: it joins the picker (replacing an older import of the same
    /// name) and is kept.
    pub(super) fn import_loaded(&mut self, manifest: &Manifest, note: Option<&str>) {
        let entry = IndexEntry {
            name: manifest.name.clone(),
            description: manifest.description.clone(),
            latent_dim: manifest.latent_dim,
            imported: true,
        };
        match self.models.iter_mut().find(|m| m.name == entry.name) {
            Some(m) => *m = entry,
            None => self.models.push(entry),
        }
        self.import_event(ImportEvent::Keep(manifest.name.clone()));
        // What the worker found in the weights (applied, missing, unused), said on screen.
        let order = match manifest.slider_order {
            bundle::SliderOrder::Kl => "sliders ordered by KL",
            bundle::SliderOrder::OutputChange => {
                "sliders ordered by how much each dimension moves the picture"
            }
        };
        let text = format!(
            "Opened {} from your files: {}; {order}. It is kept in this browser only.",
            manifest.name,
            note.unwrap_or("its weights were applied")
        );
        self.notice = Some(Notice { kind: NoticeKind::Info, text });
    }

    fn import_event(&mut self, event: ImportEvent) {
        self.imports.rev += 1;
        self.imports.last = Some(event);
    }

    /// Whether the current model is one the user imported.
    pub fn current_is_imported(&self) -> bool {
        self.model.as_ref().is_some_and(|m| m.architecture.is_imported())
    }
}
