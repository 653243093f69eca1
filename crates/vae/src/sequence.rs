//! The melody VAE (MusicVAE's idea at two bars): tokens of a 16th-note grid (`data::melody`)
//! embedded, read both ways by a bidirectional GRU whose two final states give μ and log σ²,
//! and an autoregressive GRU decoder that starts from a state made from z and sees z and the
//! previous token at every step. Without `logvar` it is the plain sequence autoencoder the
//! melody figures compare against. GRU rather than LSTM: one state instead of two, the same
//! job at this length, and burn has both.

use burn::nn::{BiGru, BiGruConfig, Embedding, EmbeddingConfig, Gru, GruConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::{log_softmax, tanh};

/// The sizes of a melody model: the bundle's own description of them, so a manifest and the
/// model it builds cannot disagree.
pub type SequenceShape = bundle::SequenceArchitecture;

/// Build the model a melody manifest describes and load its burnpack weights (cast to f32 as
/// the image models are: a damaged file must be an error, not a panic in the worker).
pub fn load_sequence(
    manifest: &bundle::MelodyManifest,
    weights: Vec<u8>,
    device: &Device,
) -> Result<SequenceVae, bundle::BundleError> {
    use burn::module::Module;
    use burn::store::ModuleRecord;
    let record = ModuleRecord::from_bytes(burn::tensor::Bytes::from_bytes_vec(weights))
        .map_err(|e| bundle::BundleError::Weights(e.to_string()))?
        .cast_to_module_dtype();
    SequenceVae::new(manifest.architecture, device)
        .try_load_record(record)
        .map_err(|e| bundle::BundleError::Weights(e.to_string()))
}

#[derive(Module, Debug)]
pub struct SequenceVae {
    /// `vocab + 1` rows: the last is the start token the decoder's first step sees.
    embed: Embedding,
    encoder: BiGru,
    mu: Linear,
    logvar: Option<Linear>,
    from_z: Linear,
    decoder: Gru,
    out: Linear,
    steps: usize,
    vocab: usize,
}

impl SequenceVae {
    pub fn new(s: SequenceShape, device: &Device) -> Self {
        SequenceVae {
            embed: EmbeddingConfig::new(s.vocab + 1, s.embed).init(device),
            encoder: BiGruConfig::new(s.embed, s.hidden, true).init(device),
            mu: LinearConfig::new(2 * s.hidden, s.latent).init(device),
            logvar: s.variational.then(|| LinearConfig::new(2 * s.hidden, s.latent).init(device)),
            from_z: LinearConfig::new(s.latent, s.hidden).init(device),
            decoder: GruConfig::new(s.embed + s.latent, s.hidden, true).init(device),
            out: LinearConfig::new(s.hidden, s.vocab).init(device),
            steps: s.steps,
            vocab: s.vocab,
        }
    }

    pub fn steps(&self) -> usize {
        self.steps
    }

    pub fn vocab(&self) -> usize {
        self.vocab
    }

    pub fn latent(&self) -> usize {
        self.mu.weight.dims()[1]
    }

    /// μ and log σ² of q(z|melody) for `tokens` `[batch, steps]`. The autoencoder reports the
    /// same tiny σ as the image autoencoders (`model::AE_LOGVAR`).
    pub fn encode(&self, tokens: Tensor<2, Int>) -> (Tensor<2>, Tensor<2>) {
        let [b, _] = tokens.dims();
        let (_, state) = self.encoder.forward(self.embed.forward(tokens), None);
        // The final forward and backward states, side by side.
        let h: Tensor<2> = state.swap_dims(0, 1).reshape([b as i32, -1]);
        let mu = self.mu.forward(h.clone());
        let logvar = match &self.logvar {
            Some(l) => l.forward(h),
            None => mu.zeros_like() + crate::model::AE_LOGVAR,
        };
        (mu, logvar)
    }

    fn first_state(&self, z: Tensor<2>) -> Tensor<2> {
        tanh(self.from_z.forward(z))
    }

    fn step_inputs(&self, previous: Tensor<2, Int>, z: &Tensor<2>) -> Tensor<3> {
        let [b, t] = previous.dims();
        let e = self.embed.forward(previous);
        let zs = z.clone().unsqueeze_dim::<3>(1).expand([b, t, z.dims()[1]]);
        Tensor::cat(vec![e, zs], 2)
    }

    /// Log-probabilities of every token at every step `[batch, steps, vocab]`, each step seeing
    /// the true previous token (teacher forcing, for training and for the likelihood).
    pub fn log_probs(&self, z: Tensor<2>, tokens: Tensor<2, Int>) -> Tensor<3> {
        let [b, t] = tokens.dims();
        let device = tokens.device();
        let start = Tensor::<2, Int>::full([b, 1], self.vocab as i64, &device);
        let previous = Tensor::cat(vec![start, tokens.slice([0..b, 0..t - 1])], 1);
        let h = self.decoder.forward(self.step_inputs(previous, &z), Some(self.first_state(z)));
        log_softmax(self.out.forward(h), 2)
    }

    /// The melody z decodes to: at each step the most likely token, fed back as the next
    /// step's input. Deterministic, so the page and a native decode of the same z agree.
    pub fn decode_greedy(&self, z: Tensor<2>) -> Vec<Vec<u8>> {
        let steps = self.steps;
        let all: Vec<i64> =
            self.decode_tokens(z).into_data().convert::<i64>().try_to_vec().unwrap_or_default();
        all.chunks(steps).map(|row| row.iter().map(|t| *t as u8).collect()).collect()
    }

    /// `decode_greedy`'s tokens as a `[batch, steps]` tensor, for a caller that reads it
    /// asynchronously (the worker, on the web).
    pub fn decode_tokens(&self, z: Tensor<2>) -> Tensor<2, Int> {
        let [b, _] = z.dims();
        let device = z.device();
        let mut state = self.first_state(z.clone());
        let mut previous = Tensor::<2, Int>::full([b, 1], self.vocab as i64, &device);
        let mut chosen: Vec<Tensor<2, Int>> = Vec::with_capacity(self.steps);
        for _ in 0..self.steps {
            let h = self.decoder.forward(self.step_inputs(previous, &z), Some(state));
            let h2: Tensor<2> = h.reshape([b as i32, -1]);
            let token = self.out.forward(h2.clone()).argmax(1);
            state = h2;
            previous = token.clone();
            chosen.push(token);
        }
        Tensor::cat(chosen, 1)
    }
}

/// Negative log-likelihood of each melody (nats, summed over steps), `[batch]`.
pub fn melody_nll(log_probs: Tensor<3>, tokens: Tensor<2, Int>) -> Tensor<1> {
    let [b, t, _] = log_probs.dims();
    let picked: Tensor<3> = log_probs.gather(2, tokens.reshape([b, t, 1]));
    picked.reshape([b, t]).sum_dim(1).squeeze_dim::<1>(1).neg()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(variational: bool) -> SequenceShape {
        SequenceShape { steps: 8, vocab: 5, embed: 4, hidden: 6, latent: 3, variational }
    }

    #[test]
    fn shapes_and_a_proper_distribution_per_step() {
        let device = Device::flex();
        let m = SequenceVae::new(shape(true), &device);
        let tokens =
            Tensor::<2, Int>::from_ints([[0, 1, 2, 3, 4, 0, 1, 2], [4, 4, 4, 4, 0, 0, 0, 0]], &device);
        let (mu, lv) = m.encode(tokens.clone());
        assert_eq!((mu.dims(), lv.dims()), ([2, 3], [2, 3]));
        let lp = m.log_probs(mu.clone(), tokens.clone());
        assert_eq!(lp.dims(), [2, 8, 5]);
        let sums: Vec<f32> = lp.clone().exp().sum_dim(2).reshape([16]).into_data().try_to_vec().unwrap();
        assert!(sums.iter().all(|s| (s - 1.0).abs() < 1e-5), "{sums:?}");
        let nll: Vec<f32> = melody_nll(lp, tokens).into_data().try_to_vec().unwrap();
        assert!(nll.iter().all(|n| *n > 0.0 && n.is_finite()));
        let decoded = m.decode_greedy(mu);
        assert_eq!(decoded.len(), 2);
        assert!(decoded.iter().all(|d| d.len() == 8 && d.iter().all(|t| *t < 5)));
    }

    #[test]
    fn greedy_decoding_follows_the_teacher_forced_argmax() {
        // Feeding the greedy melody back as the teacher must give the same argmax at every
        // step: the two paths run the same network.
        let device = Device::flex();
        device.seed(2);
        let m = SequenceVae::new(shape(true), &device);
        let z = Tensor::<2>::from_floats([[0.5, -1.0, 2.0]], &device);
        let greedy = m.decode_greedy(z.clone());
        let ints: Vec<i64> = greedy[0].iter().map(|t| i64::from(*t)).collect();
        let tokens = Tensor::<1, Int>::from_ints(ints.as_slice(), &device).reshape([1, 8]);
        let again: Vec<i64> =
            m.log_probs(z, tokens).argmax(2).reshape([8]).into_data().convert::<i64>().try_to_vec().unwrap();
        assert_eq!(again, ints);
    }

    #[test]
    fn the_autoencoder_has_no_spread() {
        let device = Device::flex();
        let m = SequenceVae::new(shape(false), &device);
        let (_, lv) = m.encode(Tensor::<2, Int>::zeros([1, 8], &device));
        let lv: Vec<f32> = lv.into_data().try_to_vec().unwrap();
        assert!(lv.iter().all(|v| *v == crate::model::AE_LOGVAR));
    }
}
