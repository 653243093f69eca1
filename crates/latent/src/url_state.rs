//! The view's shareable state, encoded in the URL hash.
//!
//! Format: `#m=<model>&z=<f>,<f>,…&t=<temperature>` (keys in any order, unknown keys ignored so
//! newer links still open in older builds). Decoding never panics: anything malformed is an
//! error that says what was wrong, and the caller shows it and keeps its defaults.

use std::fmt;

/// Latent codes longer than this are refused (no shipped model comes close).
pub const MAX_DIMS: usize = 512;
/// Coordinates beyond this many prior standard deviations are refused: they decode to nothing
/// meaningful and usually mean a corrupted link.
pub const MAX_ABS: f32 = 10.0;

#[derive(Clone, Debug, PartialEq, Default)]
pub struct UrlState {
    pub model: Option<String>,
    pub z: Option<Vec<f32>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlStateError {
    BadModelName(String),
    BadNumber { index: usize, text: String },
    OutOfRange { index: usize },
    TooManyDims(usize),
}

impl fmt::Display for UrlStateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlStateError::BadModelName(name) => {
                write!(f, "the link names a model \"{}\" that is not a valid model name", truncate(name))
            }
            UrlStateError::BadNumber { index, text } => {
                write!(f, "latent {index} in the link is \"{}\", not a number", truncate(text))
            }
            UrlStateError::OutOfRange { index } => {
                write!(f, "latent {index} in the link is outside ±{MAX_ABS}")
            }
            UrlStateError::TooManyDims(n) => {
                write!(f, "the link has {n} latents; at most {MAX_DIMS} are allowed")
            }
        }
    }
}

impl std::error::Error for UrlStateError {}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

fn valid_model_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

impl UrlState {
    /// Encode as a hash fragment without the leading `#`. Values keep 4 decimals: enough that
    /// the decoded image is indistinguishable, short enough to paste.
    pub fn encode(&self) -> String {
        let mut parts = Vec::new();
        if let Some(m) = &self.model {
            parts.push(format!("m={m}"));
        }
        if let Some(z) = &self.z {
            let values: Vec<String> = z.iter().map(|v| format_value(*v)).collect();
            parts.push(format!("z={}", values.join(",")));
        }
        parts.join("&")
    }

    /// Decode a hash fragment, with or without the leading `#`.
    pub fn decode(hash: &str) -> Result<Self, UrlStateError> {
        let hash = hash.strip_prefix('#').unwrap_or(hash);
        let mut state = UrlState::default();
        for pair in hash.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "m" => {
                    if !valid_model_name(value) {
                        return Err(UrlStateError::BadModelName(value.to_string()));
                    }
                    state.model = Some(value.to_string());
                }
                "z" => state.z = Some(decode_z(value)?),
                _ => {}
            }
        }
        Ok(state)
    }
}

fn format_value(v: f32) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() { "0".to_string() } else { s.to_string() }
}

fn decode_z(value: &str) -> Result<Vec<f32>, UrlStateError> {
    if value.is_empty() {
        return Ok(Vec::new());
    }
    // Count before parsing so a hostile link cannot make us allocate a huge vector.
    let n = value.split(',').count();
    if n > MAX_DIMS {
        return Err(UrlStateError::TooManyDims(n));
    }
    value
        .split(',')
        .enumerate()
        .map(|(index, text)| {
            let v: f32 =
                text.parse().map_err(|_| UrlStateError::BadNumber { index, text: text.to_string() })?;
            if !v.is_finite() || v.abs() > MAX_ABS {
                return Err(UrlStateError::OutOfRange { index });
            }
            Ok(v)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let s = UrlState { model: Some("mnist-vae".into()), z: Some(vec![0.0, -1.25, 2.5, 0.00004]) };
        let text = s.encode();
        assert_eq!(text, "m=mnist-vae&z=0,-1.25,2.5,0");
        let back = UrlState::decode(&format!("#{text}")).unwrap();
        assert_eq!(back.model.as_deref(), Some("mnist-vae"));
        assert_eq!(back.z, Some(vec![0.0, -1.25, 2.5, 0.0]));
    }

    #[test]
    fn empty_and_unknown_keys_are_fine() {
        assert_eq!(UrlState::decode("").unwrap(), UrlState::default());
        assert_eq!(UrlState::decode("#x=1&&y").unwrap(), UrlState::default());
    }

    #[test]
    fn malformed_hashes_are_errors_with_reasons() {
        assert!(matches!(UrlState::decode("z=1,abc"), Err(UrlStateError::BadNumber { index: 1, .. })));
        for bad in ["z=NaN", "z=inf", "z=-Infinity", "z=1e308", "z=0,11"] {
            assert!(matches!(UrlState::decode(bad), Err(UrlStateError::OutOfRange { .. })), "{bad}");
        }
        assert!(matches!(UrlState::decode("m=../../etc"), Err(UrlStateError::BadModelName(_))));
        assert!(matches!(UrlState::decode("m="), Err(UrlStateError::BadModelName(_))));
        let many = format!("z={}", vec!["0"; MAX_DIMS + 1].join(","));
        assert_eq!(UrlState::decode(&many), Err(UrlStateError::TooManyDims(MAX_DIMS + 1)));
        let msg = UrlState::decode("z=1,abc").unwrap_err().to_string();
        assert!(msg.contains("latent 1") && msg.contains("abc"), "{msg}");
    }
}
