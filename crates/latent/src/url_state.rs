//! The view's shareable state, encoded in the URL hash.
//!
//! Format: `#m=<model>&z=<f>,<f>,…&v=<view>&o=<layer>&vec=<vector>&s=<strength>&a=<item>&b=<item>&w=1&p=1`
//! (keys in any order, unknown keys ignored so newer links still open in older builds). Names
//! (view, vector, interpolation ends) are percent-encoded. Decoding never panics: anything malformed is an
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
    /// Which view is open below the sliders (`map`, `traversal`, …).
    pub view: Option<String>,
    /// What the latent map draws over its plane when not the test images alone (`holes`).
    pub layer: Option<String>,
    /// The chosen latent vector and the strength it was applied with.
    pub vector: Option<String>,
    pub strength: Option<f32>,
    /// Interpolation ends, by the name of a bundled example (uploads exist in one browser only).
    pub ends: [Option<String>; 2],
    /// Whether the decoded image shows what the focused slider moves (`w=1`).
    pub moves: bool,
    /// Presentation mode (large type and controls).
    pub present: bool,
}

/// Names in a link are at most this long, decoded.
pub const MAX_NAME: usize = 64;
/// Vector strengths are applied within ±3.
pub const MAX_STRENGTH: f32 = 3.0;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlStateError {
    BadModelName(String),
    BadNumber {
        index: usize,
        text: String,
    },
    OutOfRange {
        index: usize,
    },
    TooManyDims(usize),
    BadName {
        key: String,
    },
    BadStrength(String),
    /// A part that is not `key=value`.
    Malformed(String),
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
            UrlStateError::BadName { key } => {
                write!(f, "the link's \"{}\" is not a valid name", truncate(key))
            }
            UrlStateError::Malformed(part) => {
                write!(f, "the link's part \"{}\" is not of the form key=value", truncate(part))
            }
            UrlStateError::BadStrength(text) => {
                write!(f, "the link's strength \"{}\" is not a number within ±{MAX_STRENGTH}", truncate(text))
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
        if let Some(v) = &self.view {
            parts.push(format!("v={}", escape(v)));
        }
        if let Some(l) = &self.layer {
            parts.push(format!("o={}", escape(l)));
        }
        if let Some(v) = &self.vector {
            parts.push(format!("vec={}", escape(v)));
            if let Some(s) = self.strength {
                parts.push(format!("s={}", format_value(s)));
            }
        }
        for (key, end) in ["a", "b"].iter().zip(&self.ends) {
            if let Some(name) = end {
                parts.push(format!("{key}={}", escape(name)));
            }
        }
        if self.moves {
            parts.push("w=1".into());
        }
        if self.present {
            parts.push("p=1".into());
        }
        parts.join("&")
    }

    /// Decode a hash fragment, with or without the leading `#`.
    pub fn decode(hash: &str) -> Result<Self, UrlStateError> {
        let hash = hash.strip_prefix('#').unwrap_or(hash);
        let mut state = UrlState::default();
        for pair in hash.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = match pair.split_once('=') {
                Some((k, v)) if !k.is_empty() => (k, v),
                _ => return Err(UrlStateError::Malformed(pair.to_string())),
            };
            match key {
                "m" => {
                    if !valid_model_name(value) {
                        return Err(UrlStateError::BadModelName(value.to_string()));
                    }
                    state.model = Some(value.to_string());
                }
                "z" => state.z = Some(decode_z(value)?),
                "v" => state.view = Some(unescape(key, value)?),
                "o" => state.layer = Some(unescape(key, value)?),
                "vec" => state.vector = Some(unescape(key, value)?),
                "a" => state.ends[0] = Some(unescape(key, value)?),
                "b" => state.ends[1] = Some(unescape(key, value)?),
                "s" => {
                    let s: f32 = value.parse().map_err(|_| UrlStateError::BadStrength(value.to_string()))?;
                    if !s.is_finite() || s.abs() > MAX_STRENGTH {
                        return Err(UrlStateError::BadStrength(value.to_string()));
                    }
                    state.strength = Some(s);
                }
                "p" => state.present = value == "1",
                "w" => state.moves = value == "1",
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

/// Percent-encode everything but `[A-Za-z0-9._-]`, so a name cannot break the `&`/`=` syntax.
fn escape(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn unescape(key: &str, value: &str) -> Result<String, UrlStateError> {
    let bad = || UrlStateError::BadName { key: key.to_string() };
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = value.get(i + 1..i + 3).ok_or_else(bad)?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let name = String::from_utf8(out).map_err(|_| bad())?;
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(bad());
    }
    Ok(name)
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
        let s = UrlState {
            model: Some("mnist-vae".into()),
            z: Some(vec![0.0, -1.25, 2.5, 0.00004]),
            ..Default::default()
        };
        let text = s.encode();
        assert_eq!(text, "m=mnist-vae&z=0,-1.25,2.5,0");
        let back = UrlState::decode(&format!("#{text}")).unwrap();
        assert_eq!(back.model.as_deref(), Some("mnist-vae"));
        assert_eq!(back.z, Some(vec![0.0, -1.25, 2.5, 0.0]));
    }

    #[test]
    fn the_whole_view_round_trips() {
        let s = UrlState {
            model: Some("faces-vae".into()),
            z: Some(vec![1.0]),
            view: Some("map".into()),
            layer: Some("holes".into()),
            vector: Some("3 → 8".into()),
            strength: Some(-1.5),
            ends: [Some("example: 7".into()), None],
            moves: true,
            present: true,
        };
        let text = s.encode();
        assert!(!text.contains(' ') && !text.contains('→'), "{text}");
        assert_eq!(UrlState::decode(&text).unwrap(), s);
        // A strength without a vector means nothing and is not written.
        let lone = UrlState { strength: Some(1.0), ..Default::default() };
        assert_eq!(lone.encode(), "");
    }

    #[test]
    fn bad_names_and_strengths_are_errors() {
        for bad in ["v=%", "v=%zz", "a=", "vec=%FF%FE", "b=%0A", "o=%0A"] {
            assert!(matches!(UrlState::decode(bad), Err(UrlStateError::BadName { .. })), "{bad}");
        }
        let long = format!("v={}", "x".repeat(MAX_NAME + 1));
        assert!(UrlState::decode(&long).is_err());
        for bad in ["s=abc", "s=NaN", "s=4", "s=-1e30"] {
            assert!(matches!(UrlState::decode(bad), Err(UrlStateError::BadStrength(_))), "{bad}");
        }
        assert!(!UrlState::decode("p=0").unwrap().present);
    }

    #[test]
    fn empty_and_unknown_keys_are_fine() {
        assert_eq!(UrlState::decode("").unwrap(), UrlState::default());
        assert_eq!(UrlState::decode("#x=1&&y=").unwrap(), UrlState::default());
        for garbage in ["y", "%00%ff&&&==", "=1", "m=mnist-vae&junk"] {
            assert!(matches!(UrlState::decode(garbage), Err(UrlStateError::Malformed(_))), "{garbage}");
        }
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
