//! Offline use (`web/sw.js`): whether the page itself opens without a network, which models are
//! saved on this device, whether a newer build waits, and what a model that is not saved says
//! when the network is gone. The service worker's messages arrive as actions; the hook
//! (`hooks/offline.rs`) asks it to save the model on screen, whatever `model_to_save` names.

use super::{Action, State};
use bundle::Manifest;
use std::collections::BTreeSet;
use std::rc::Rc;

#[derive(Clone, Debug, PartialEq)]
pub struct Offline {
    /// A service worker controls this page: reloading it needs no network.
    pub ready: bool,
    /// Models every file of which is cached (the service worker says so, not the page).
    pub saved: BTreeSet<String>,
    /// Asked to be saved, not confirmed yet.
    pub saving: Option<String>,
    /// A newer build is installed and waits for the user to reload.
    pub update_ready: bool,
    /// `navigator.onLine`, kept current by the browser's online and offline events.
    pub online: bool,
}

impl Default for Offline {
    fn default() -> Self {
        Offline { ready: false, saved: BTreeSet::new(), saving: None, update_ready: false, online: true }
    }
}

/// What the badge in the toolbar says, and its longer explanation.
#[derive(Clone, Debug, PartialEq)]
pub struct OfflineBadge {
    pub text: String,
    pub title: String,
    pub available: bool,
}

impl State {
    pub(super) fn offline(&mut self, action: Action) {
        let o = &mut self.offline;
        match action {
            Action::OfflineReady => o.ready = true,
            Action::OfflineSaved(names) => {
                if o.saving.as_ref().is_some_and(|s| names.contains(s)) {
                    o.saving = None;
                }
                o.saved.extend(names);
            }
            Action::OfflineSaving(name) => o.saving = Some(name),
            Action::OfflineNotSaved { name, reason } => {
                o.saving = None;
                self.error(format!("{name} could not be saved for offline use: {reason}."));
            }
            Action::UpdateReady => o.update_ready = true,
            Action::Connectivity(online) => o.online = online,
            Action::ModelUnavailable { name, error } => {
                let text = self.unavailable(&name, &error);
                self.error(text);
            }
            _ => {}
        }
    }

    /// The model on screen, when the service worker should be asked to save it: the page is
    /// offline-capable, the model is one of ours (an imported model lives in IndexedDB already)
    /// and it is neither saved nor being saved.
    pub fn model_to_save(&self) -> Option<Rc<Manifest>> {
        let m = self.model.as_ref()?;
        let o = &self.offline;
        let wanted = o.ready
            && o.online
            && !m.architecture.is_imported()
            && !o.saved.contains(&m.name)
            && o.saving.as_deref() != Some(m.name.as_str());
        wanted.then(|| m.clone())
    }

    /// Why `name` could not be opened. Offline, a model that was never saved says so instead of
    /// showing the browser's network error.
    pub(super) fn unavailable(&self, name: &str, error: &str) -> String {
        let current = self.model_name().map_or(String::new(), |n| format!(" {n} stays open."));
        if !self.offline.online && !self.offline.saved.contains(name) {
            let saved: Vec<&str> = self.offline.saved.iter().map(String::as_str).collect();
            let which = if saved.is_empty() {
                String::new()
            } else {
                format!(" Saved on this device: {}.", saved.join(", "))
            };
            return format!(
                "{name} is not saved for offline use on this device, and there is no network: it opens once you are online again (and is saved then).{current}{which}"
            );
        }
        format!("Model {name} could not be opened: {error}.{current}")
    }

    /// The toolbar's offline badge, once there is something to say.
    pub fn offline_badge(&self) -> Option<OfflineBadge> {
        let o = &self.offline;
        let model = self.model_name()?;
        let saved: Vec<&str> = o.saved.iter().map(String::as_str).collect();
        let list = if saved.is_empty() { "none yet".to_string() } else { saved.join(", ") };
        // An imported model is kept in this browser's storage, so it needs no network either.
        let kept =
            o.saved.contains(model) || self.model.as_ref().is_some_and(|m| m.architecture.is_imported());
        if !o.online {
            return Some(OfflineBadge {
                text: "Offline".into(),
                title: format!("No network. Models saved on this device: {list}."),
                available: kept,
            });
        }
        if !o.ready {
            return None;
        }
        if kept {
            Some(OfflineBadge {
                text: "Available offline".into(),
                title: format!(
                    "This page and {model} open without a network from now on. Models saved on this device: {list}."
                ),
                available: true,
            })
        } else if o.saving.as_deref() == Some(model) {
            Some(OfflineBadge {
                text: "Saving for offline…".into(),
                title: format!("Keeping every file of {model} on this device."),
                available: false,
            })
        } else {
            None
        }
    }
}
