//! "Is this input like anything the model learned?": each new gallery item's score
//! (`latent::ood`) placed among the model's test set, and the notice for an unusual one.

use super::{GalleryItem, Notice, NoticeKind, State};
use bundle::{Manifest, OOD_NOTICE_PERCENTILE};

/// The item's rarity among the test set (the higher of its two measures' percentiles,
/// `latent::ood::rarity`), when the manifest has the test set's scores.
pub fn ood_percentile(item: &GalleryItem, manifest: &Manifest) -> Option<f32> {
    let r = manifest.ood.as_ref()?;
    let p = latent::ood::rarity(
        &item.input,
        &item.recon,
        &item.mu,
        &item.sigma,
        &r.quantiles,
        &r.missed_quantiles,
    );
    p.is_finite().then_some(p as f32)
}

/// Above this the item is marked as unlike what the model learned.
pub fn is_unusual(percentile: f32) -> bool {
    f64::from(percentile) > OOD_NOTICE_PERCENTILE
}

/// What an item's score means, for its badge's tooltip.
pub fn describe(percentile: f32, manifest: &Manifest) -> String {
    let draws = manifest.ood.as_ref().map_or("image", |o| o.draws.as_str());
    format!(
        "By {}'s own measures (the negative ELBO of this input, and how much of it the reconstruction misses), \
         it is more unusual than {:.1}% of the test {draws}s. Above {OOD_NOTICE_PERCENTILE:.1}% the model has \
         learned nothing like it.",
        manifest.name, percentile
    )
}

impl State {
    /// Score a new item; a user's unusual input gets the notice (and still joins the gallery:
    /// the user decides what to do with it).
    pub(super) fn score_new_item(&mut self, item: &mut GalleryItem) {
        let Some(manifest) = self.model.clone().filter(|m| m.name == item.model) else { return };
        item.ood_percentile = ood_percentile(item, &manifest);
        let Some(reference) = &manifest.ood else { return };
        if !item.example && item.ood_percentile.is_some_and(is_unusual) {
            let (short, _) = item.name.split_once(" · ").unwrap_or((item.name.as_str(), ""));
            self.notice = Some(Notice {
                kind: NoticeKind::Info,
                text: format!(
                    "{short} is unlike the {} {} learned; what you see is the closest {} it can draw.",
                    reference.learned, manifest.name, reference.draws
                ),
            });
        }
    }
}
