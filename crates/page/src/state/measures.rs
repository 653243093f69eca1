//! The views that measure the latent space instead of only showing it: holes in the prior on
//! the latent map, each gallery item's σ drawn there with the overlap of two posteriors, and
//! how well each attribute vector separates the codes with its attribute from those without.
//! The maths is `latent`'s; this file picks what it runs on (the test set's codes when the
//! model ships them, the user's own images otherwise) and keeps what the link remembers.

use super::*;
use bundle::{Codes, LabelKind, ModelFiles};
use latent::posterior::{Ellipse, Gaussian2};

/// What the latent map draws on its plane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MapLayer {
    /// The test images' μ, coloured by label.
    #[default]
    Points,
    /// The aggregate posterior against the prior, with the prior's holes marked.
    Holes,
    /// How far each point of the plane drifts on a round trip through decoder and encoder.
    Drift,
}

impl MapLayer {
    pub const ALL: [MapLayer; 3] = [MapLayer::Points, MapLayer::Holes, MapLayer::Drift];

    /// How a link names it (`o=holes`); the default layer is not written.
    pub fn key(self) -> &'static str {
        match self {
            MapLayer::Points => "points",
            MapLayer::Holes => "holes",
            MapLayer::Drift => "drift",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            MapLayer::Points => "Test images",
            MapLayer::Holes => "Holes in the prior",
            MapLayer::Drift => "Round-trip drift",
        }
    }

    pub fn parse(key: &str) -> Option<MapLayer> {
        MapLayer::ALL.into_iter().find(|l| l.key() == key)
    }
}

/// A model's test codes (`codes.bin`), once fetched.
#[derive(Clone, Debug, PartialEq)]
pub struct TestCodes {
    pub model: String,
    pub codes: Rc<Codes>,
    pub labels: LabelKind,
}

/// The posteriors the holes layer mixes, projected on the map's plane.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanePosteriors {
    pub components: Vec<Gaussian2>,
    /// From the model's test images (true) or from the user's own gallery (false: an imported
    /// model ships no test codes).
    pub test_set: bool,
}

/// One gallery item's q(z|x) on the map: its 2σ ellipse, and whether it is end A or B.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemEllipse {
    pub key: u64,
    pub name: String,
    pub ellipse: Ellipse,
    pub end: Option<char>,
}

/// How well a vector's projection z·v tells the codes with its attribute from those without.
#[derive(Clone, Debug, PartialEq)]
pub struct VectorQuality {
    pub name: String,
    /// ROC AUC: 1 separates perfectly, 0.5 is a coin toss. `None` when there is nothing
    /// labelled to score it on.
    pub auc: Option<f64>,
    /// What it was scored on, in words ("1,000 test faces", "the 6 items you marked").
    pub basis: String,
}

/// Ellipses are drawn at two standard deviations: about 86% of a 2-D Gaussian's mass.
pub const ELLIPSE_SIGMAS: f32 = 2.0;

fn logvar_of(sigma: &[f32]) -> Vec<f32> {
    sigma.iter().map(|s| 2.0 * s.max(1e-6).ln()).collect()
}

impl State {
    pub(super) fn measures(&mut self, action: Action) {
        match action {
            Action::MapLayer(layer) => {
                self.map_layer = layer;
                self.request_plane_drift();
            }
            Action::TestCodes { model, codes } => {
                let Some(m) = self.model.as_ref().filter(|m| m.name == model) else { return };
                let Some(file) = &m.codes else { return };
                let fits = codes.len() == file.count && codes.mu.iter().all(|c| c.len() == m.latent_dim);
                if fits {
                    self.test_codes = Some(TestCodes { model, codes, labels: file.labels });
                    // The units' pictures are drawn at values the test codes give.
                    if self.view == View::Units {
                        self.request_units();
                    }
                } else {
                    self.error(format!(
                        "{model}'s test codes do not fit its manifest ({} codes, not {}); the holes and separation views use your own images instead.",
                        codes.len(),
                        file.count
                    ));
                }
            }
            _ => {}
        }
    }

    /// The current model's test codes to fetch now, as (model, URL): when a view that uses
    /// them is open (the map, or the workbench of a model with attribute vectors) and they
    /// are not here yet. Fetched once per model, not with the first image.
    pub fn test_codes_wanted(&self) -> Option<(String, String)> {
        let m = self.model.as_ref()?;
        let file = m.codes.as_ref()?;
        let needed = matches!(self.view, View::Map | View::Units)
            || (self.view == View::Workbench && !m.vectors.is_empty());
        let here = self.test_codes.as_ref().is_some_and(|c| c.model == m.name);
        (needed && !here).then(|| (m.name.clone(), ModelFiles::of(&m.name).file(&file.file)))
    }

    /// The current model's test codes, when fetched.
    pub fn current_test_codes(&self) -> Option<&TestCodes> {
        self.test_codes.as_ref().filter(|c| Some(c.model.as_str()) == self.model_name())
    }

    /// The posteriors the holes layer mixes: the test set's when the model ships them, else
    /// the gallery's own (three or more, as for the gallery's own map).
    pub fn plane_posteriors(&self) -> Option<PlanePosteriors> {
        let projection = &self.map()?.projection;
        if let Some(c) = self.current_test_codes() {
            let components = c
                .codes
                .mu
                .iter()
                .zip(&c.codes.logvar)
                .filter_map(|(mu, logvar)| latent::posterior::on_plane(projection, mu, logvar))
                .collect();
            return Some(PlanePosteriors { components, test_set: true });
        }
        let items = self.items();
        let components: Vec<Gaussian2> = items
            .iter()
            .filter_map(|i| latent::posterior::on_plane(projection, &i.mu, &logvar_of(&i.sigma)))
            .collect();
        (components.len() >= 3).then_some(PlanePosteriors { components, test_set: false })
    }

    /// Every gallery item's posterior on the map, interpolation ends A and B marked.
    pub fn item_ellipses(&self) -> Vec<ItemEllipse> {
        let Some(map) = self.map() else { return vec![] };
        self.items()
            .into_iter()
            .filter_map(|i| {
                let g = latent::posterior::on_plane(&map.projection, &i.mu, &logvar_of(&i.sigma))?;
                let end = if self.interp.a == Some(i.key) {
                    Some('A')
                } else if self.interp.b == Some(i.key) {
                    Some('B')
                } else {
                    None
                };
                Some(ItemEllipse {
                    key: i.key,
                    name: i.name.clone(),
                    ellipse: latent::posterior::ellipse(&g, ELLIPSE_SIGMAS),
                    end,
                })
            })
            .collect()
    }

    /// How much the posteriors of the interpolation's ends overlap in the full latent space
    /// (the Bhattacharyya coefficient: 1 for the same posterior, near 0 when no code is likely
    /// under both).
    pub fn ends_overlap(&self) -> Option<f64> {
        let (a, b) = (self.item(self.interp.a?)?, self.item(self.interp.b?)?);
        latent::posterior::overlap(&a.mu, &logvar_of(&a.sigma), &b.mu, &logvar_of(&b.sigma))
    }

    /// Each named vector's ROC AUC: a bundled vector named after a label on the test codes, a
    /// vector of the user's on the items marked with and without now.
    pub fn vector_quality(&self) -> Vec<VectorQuality> {
        let Some(m) = &self.model else { return vec![] };
        let codes = self.current_test_codes();
        let marked: Vec<(&[f32], bool)> = self
            .items()
            .into_iter()
            .filter_map(|i| match i.mark {
                Mark::With => Some((i.mu.as_slice(), true)),
                Mark::Without => Some((i.mu.as_slice(), false)),
                Mark::None => None,
            })
            .collect();
        let draws = m.ood.as_ref().map_or("image", |o| o.draws.as_str());
        let on_test = |name: &str, v: &[f32]| {
            let c = codes?;
            let label = m.label_names.iter().position(|l| l == name)?;
            let has = c.codes.has(c.labels, label);
            let auc = latent::separation::vector_auc(&c.codes.mu, &has, v)?;
            Some((auc, format!("{} test {draws}s", group_thousands(c.codes.len()))))
        };
        self.named_vectors()
            .into_iter()
            .map(|(name, v)| {
                let bundled = m.vectors.iter().any(|b| b.name == name);
                let scored = if bundled {
                    on_test(&name, &v)
                } else {
                    let codes: Vec<Vec<f32>> = marked.iter().map(|(mu, _)| mu.to_vec()).collect();
                    let has: Vec<bool> = marked.iter().map(|(_, h)| *h).collect();
                    latent::separation::vector_auc(&codes, &has, &v)
                        .map(|auc| (auc, format!("the {} items marked now", marked.len())))
                };
                let (auc, basis) = match scored {
                    Some((auc, basis)) => (Some(auc), basis),
                    None if bundled => (None, "no labelled test codes for this model".into()),
                    None => (None, "mark items with and without to score it".into()),
                };
                VectorQuality { name, auc, basis }
            })
            .collect()
    }

    /// The cosine between every two named vectors, in the order `named_vectors` lists them: a
    /// vector that leans on another (glasses on dark skin) shows as a large value.
    pub fn vector_cosines(&self) -> Vec<(String, String, f32)> {
        let named = self.named_vectors();
        let mut out = Vec::new();
        for (i, (a, va)) in named.iter().enumerate() {
            for (b, vb) in &named[i + 1..] {
                if let Some(c) = latent::separation::cosine(va, vb) {
                    out.push((a.clone(), b.clone(), c));
                }
            }
        }
        out
    }
}

/// 1000 as "1,000": the way the captions write counts.
fn group_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
