//! The code's units view: which units fire for the current code (a bar per unit, how many are
//! on) and what each unit draws alone (a picture per unit, decoded in one batch). It is the
//! sparse autoencoder's lesson (a few of many units per digit), and on any other model it shows
//! the contrast (a plain autoencoder or a VAE uses every unit for every image).

use super::*;

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Units {
    pub id: u64,
    /// One picture per unit, in unit order, for the request `id`. Each is shared, so the view
    /// (redrawn on every slider move) hands its thumbnails pointers, not copies.
    pub pictures: Option<Rc<Vec<Rc<Vec<u8>>>>>,
}

/// What the view shows of the units, from the model and its test codes.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitStats {
    /// Whether the code is a ReLU code (units are off at 0).
    pub relu: bool,
    /// The share of test images each unit fires for (empty without test codes).
    pub rate: Vec<f32>,
    /// The value each unit's picture is drawn at.
    pub typical: Vec<f32>,
    /// Units firing per test image, on average (`None` without test codes).
    pub mean_on: Option<f32>,
}

impl State {
    pub fn unit_stats(&self) -> Option<UnitStats> {
        let m = self.model.as_ref()?;
        let relu = m.architecture.has_relu_code();
        let Some(c) = self.current_test_codes() else {
            return Some(UnitStats { relu, rate: vec![], typical: vec![1.0; m.latent_dim], mean_on: None });
        };
        let (rate, typical) = latent::units::statistics(&c.codes.mu, m.latent_dim, relu);
        let mean_on = Some(rate.iter().sum());
        Some(UnitStats { relu, rate, typical, mean_on })
    }

    /// The codes whose pictures the view shows: each unit alone at its typical value.
    pub fn unit_codes(&self) -> Option<Vec<Vec<f32>>> {
        let stats = self.unit_stats().filter(|_| self.view == View::Units)?;
        Some(latent::units::one_hot_codes(&stats.typical))
    }

    /// Ask for the units' pictures (the view opened, the model or its test codes changed).
    pub(super) fn request_units(&mut self) {
        self.units.pictures = None;
        self.units.id = if self.view == View::Units && self.model.is_some() { self.fresh_id() } else { 0 };
    }

    pub(super) fn units_decoded(&mut self, id: u64, images: Vec<Vec<u8>>) {
        let dim = self.model.as_ref().map_or(0, |m| m.latent_dim);
        if id == self.units.id && id > 0 && images.len() == dim {
            self.units.pictures = Some(Rc::new(images.into_iter().map(Rc::new).collect()));
        }
    }
}
