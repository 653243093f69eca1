//! The view as a link: what the address bar says for what is on screen, and opening a link
//! (parts that need the model or its examples wait until they are there).

use super::*;

impl State {
    /// What the address bar should say for what is on screen.
    pub fn link(&self) -> UrlState {
        let example_name = |key: Option<u64>| {
            let item = self.item(key?)?;
            item.example.then(|| item.short_name().to_string())
        };
        UrlState {
            model: self.model_name().map(str::to_string),
            z: Some(self.z.clone()),
            view: (self.view != View::Workbench).then(|| self.view.key().to_string()),
            layer: (self.map_layer != MapLayer::default()).then(|| self.map_layer.key().to_string()),
            vector: self.vector.as_ref().map(VectorChoice::key),
            strength: self.vector.as_ref().map(|_| self.strength),
            ends: [example_name(self.interp.a), example_name(self.interp.b)],
            moves: self.sensitivity.enabled,
            present: self.present,
        }
    }

    /// Open what a link describes. The model itself is loaded by the page (it must fetch the
    /// manifest); everything else waits here until that model is on screen.
    pub(super) fn apply_link(&mut self, link: UrlState) {
        if let Some(key) = &link.view {
            match View::parse(key) {
                Some(v) => self.view = v,
                None => {
                    self.notice = Some(Notice {
                        kind: NoticeKind::Info,
                        text: format!(
                            "The link asks for a view \"{key}\" this version does not have; showing the workbench."
                        ),
                    })
                }
            }
        }
        self.present = link.present;
        self.sensitivity.enabled = link.moves;
        self.map_layer = match link.layer.as_deref() {
            None => MapLayer::default(),
            Some(key) => MapLayer::parse(key).unwrap_or_else(|| {
                self.notice = Some(Notice {
                    kind: NoticeKind::Info,
                    text: format!("The link asks the map for a layer \"{key}\" this version does not draw; showing the test images."),
                });
                MapLayer::default()
            }),
        };
        let same_model = link.model.is_none() || link.model.as_deref() == self.model_name();
        if same_model && self.model.is_some() {
            if let Some(z) = link.z.clone() {
                self.set_z(z);
            }
            self.pending_link = Some(link);
            self.settle_link();
        } else {
            self.pending_link = Some(link);
        }
        self.refresh_view();
    }

    /// Apply the parts of a pending link that need the model (the vector) or its examples (the
    /// interpolation ends); the rest of the link stays pending until its examples arrive.
    pub(super) fn settle_link(&mut self) {
        let Some(mut link) = self.pending_link.take() else { return };
        if link.model.as_deref().is_some_and(|m| Some(m) != self.model_name()) {
            self.pending_link = Some(link);
            return;
        }
        if let Some(key) = link.vector.take() {
            match VectorChoice::parse(&key).filter(|c| self.vector_of(c).is_some()) {
                // z in the link already has the vector added: remember how much, change nothing.
                Some(choice) => {
                    self.vector = Some(choice);
                    self.strength = link.strength.unwrap_or(0.0);
                }
                None => {
                    self.notice = Some(Notice {
                        kind: NoticeKind::Info,
                        text: format!("The link's vector \"{key}\" does not exist for this model."),
                    })
                }
            }
        }
        for (b, end) in [false, true].into_iter().zip(link.ends.iter_mut()) {
            let found = end.as_ref().and_then(|name| {
                self.items().iter().find(|i| i.example && i.short_name() == name).map(|i| i.key)
            });
            if let Some(key) = found {
                *end = None;
                if b {
                    self.interp.b = Some(key)
                } else {
                    self.interp.a = Some(key)
                }
                self.request_strip();
            }
        }
        if link.ends.iter().any(Option::is_some) {
            link.model = self.model_name().map(str::to_string);
            link.z = None;
            self.pending_link = Some(link);
        }
    }
}
