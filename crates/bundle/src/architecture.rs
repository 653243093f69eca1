//! What a model is built from, as the manifest declares it: enough for the worker to rebuild the
//! same burn modules, and checked before any memory is allocated for them.

use crate::exported::Runnable;
use serde::{Deserialize, Serialize};

/// What to build; stored in every bundle's manifest so the app can rebuild the same modules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Architecture {
    /// Fully connected encoder and decoder. `variational: false` is the plain autoencoder:
    /// the same layers, a deterministic code and no KL term. `relu_code` passes the code through
    /// a ReLU, so a unit is either off (exactly 0) or firing: the sparse autoencoder's code.
    Mlp {
        input: usize,
        hidden: Vec<usize>,
        latent_dim: usize,
        variational: bool,
        #[serde(default, skip_serializing_if = "is_false")]
        relu_code: bool,
    },
    /// Convolutional VAE for square RGB images: stride-2 convolutions down to 4×4, mirrored up.
    Conv {
        size: usize,
        channels: usize,
        widths: Vec<usize>,
        latent_dim: usize,
        /// Channels of a full-resolution head: the last up-sampling stage ends in this many
        /// feature maps and a 3×3 convolution paints the image from them. 0 (the default, and
        /// the form of bundles before it existed) paints straight from the last up-sampling.
        /// Tried at 16 on faces-vae: the same training loss within 0.1% at twice the cost, so
        /// no preset uses it; it is there for trying sharper decoders.
        #[serde(default, skip_serializing_if = "is_zero")]
        head: usize,
    },
    /// A model trained elsewhere and exported by `tools/export_torch.py`: its layer graphs,
    /// built at run time by `vae::imported`.
    Imported(Box<Runnable>),
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The side of the feature grid a conv model's encoder ends in (and its decoder starts from):
/// `size` halved once per stage. 4 for the 64×64 faces in four stages, 7 for 28×28 digits in
/// two; `None` when the halvings do not divide evenly or leave a side outside 2..=8.
pub fn conv_base(size: usize, stages: usize) -> Option<usize> {
    let step = 1usize.checked_shl(u32::try_from(stages).ok()?)?;
    let base = size / step;
    (size.is_multiple_of(step) && (2..=8).contains(&base)).then_some(base)
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Architecture {
    pub fn latent_dim(&self) -> usize {
        match self {
            Architecture::Mlp { latent_dim, .. } | Architecture::Conv { latent_dim, .. } => *latent_dim,
            Architecture::Imported(r) => r.latent_dim,
        }
    }

    /// Flattened input (and output) length.
    pub fn input_len(&self) -> usize {
        match self {
            Architecture::Mlp { input, .. } => *input,
            Architecture::Conv { size, channels, .. } => size * size * channels,
            Architecture::Imported(r) => r.image.channels * r.image.height * r.image.width,
        }
    }

    pub fn is_variational(&self) -> bool {
        !matches!(self, Architecture::Mlp { variational: false, .. })
    }

    /// Whether the model can encode: ours always can; an imported model exported decoder-only
    /// cannot.
    pub fn has_encoder(&self) -> bool {
        match self {
            Architecture::Imported(r) => r.encoder.is_some(),
            _ => true,
        }
    }

    /// Whether the code is non-negative with exact zeros (a ReLU code): the sparse autoencoder.
    pub fn has_relu_code(&self) -> bool {
        matches!(self, Architecture::Mlp { relu_code: true, .. })
    }

    pub fn is_imported(&self) -> bool {
        matches!(self, Architecture::Imported(_))
    }

    /// Checks what a manifest declares before any memory is allocated for it.
    pub fn validate(&self) -> Result<(), String> {
        if let Architecture::Imported(r) = self {
            return r.validate();
        }
        let sane = |n: usize, what: &str, max: usize| {
            if n == 0 || n > max { Err(format!("{what} is {n}, outside 1..={max}")) } else { Ok(()) }
        };
        sane(self.latent_dim(), "latent_dim", 512)?;
        match self {
            Architecture::Mlp { input, hidden, .. } => {
                sane(*input, "input", 64 * 64 * 3)?;
                sane(hidden.len(), "number of hidden layers", 8)?;
                hidden.iter().try_for_each(|h| sane(*h, "hidden width", 4096))
            }
            Architecture::Conv { size, channels, widths, head, .. } => {
                sane(*channels, "channels", 4)?;
                if *head > 512 {
                    return Err(format!("head width is {head}, outside 0..=512"));
                }
                sane(widths.len(), "number of conv stages", 6)?;
                widths.iter().try_for_each(|w| sane(*w, "conv width", 512))?;
                match conv_base(*size, widths.len()) {
                    Some(_) => Ok(()),
                    None => Err(format!(
                        "image size {size} does not halve {} times to a side of 2 to 8",
                        widths.len()
                    )),
                }
            }
            Architecture::Imported(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_rejects_absurd_declarations() {
        let huge = Architecture::Mlp {
            input: 784,
            hidden: vec![1 << 30],
            latent_dim: 8,
            variational: true,
            relu_code: false,
        };
        assert!(huge.validate().unwrap_err().contains("hidden width"));
        let zero = Architecture::Mlp {
            input: 784,
            hidden: vec![],
            latent_dim: 0,
            variational: true,
            relu_code: false,
        };
        assert!(zero.validate().is_err());
        let bad =
            Architecture::Conv { size: 60, channels: 3, widths: vec![8, 8, 8, 8], latent_dim: 16, head: 0 };
        assert!(bad.validate().unwrap_err().contains("does not halve 4 times"));
        // Digits: 28 halves twice to 7; three times would leave 3.5.
        let digits = |stages: usize| Architecture::Conv {
            size: 28,
            channels: 1,
            widths: vec![8; stages],
            latent_dim: 4,
            head: 0,
        };
        assert!(digits(2).validate().is_ok());
        assert!(digits(3).validate().is_err());
        assert_eq!((conv_base(64, 4), conv_base(28, 2), conv_base(16, 4)), (Some(4), Some(7), None));
    }

    #[test]
    fn conv_manifests_without_a_head_still_parse_and_print_without_one() {
        let old = r#"{"type":"conv","size":64,"channels":3,"widths":[8,8,8,8],"latent_dim":16}"#;
        let arch: Architecture = serde_json::from_str(old).unwrap();
        assert!(matches!(arch, Architecture::Conv { head: 0, .. }));
        assert_eq!(serde_json::to_string(&arch).unwrap(), old);
        let with = Architecture::Conv { size: 64, channels: 3, widths: vec![8; 4], latent_dim: 16, head: 8 };
        assert!(serde_json::to_string(&with).unwrap().contains(r#""head":8"#));
    }
}
