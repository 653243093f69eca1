//! Whether a melody stays in one key: the figure the melody models are judged by (how many
//! prior samples sound like a tune rather than a chromatic wander).

/// Whether every pitch class in `pitches` lies in one of the twelve major scales (so also in its
/// relative minor, which has the same notes). No pitches at all is trivially in one key: callers
/// that count melodies count the empty ones apart.
pub fn in_one_key(pitches: &[u8]) -> bool {
    const MAJOR: [u8; 7] = [0, 2, 4, 5, 7, 9, 11];
    // `p % 12` first: any u8 is a pitch class, and `p + 12` would overflow above 243.
    (0..12u8).any(|tonic| pitches.iter().all(|p| MAJOR.contains(&((p % 12 + 12 - tonic) % 12))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_key_means_one_major_scale_holds_every_pitch() {
        assert!(in_one_key(&[60, 62, 64, 65, 67, 69, 71, 72]), "C major");
        assert!(in_one_key(&[62, 66, 69, 73]), "D major's F# and C#");
        assert!(!in_one_key(&[60, 61, 62, 63]), "a chromatic run");
        assert!(!in_one_key(&[60, 63, 64]), "C, E flat and E share no major scale");
        assert!(in_one_key(&[60, 66, 61]), "C# major spells C as B#");
        assert!(in_one_key(&[]), "no notes: trivially, which the measure counts apart");
        assert!(
            in_one_key(&[255, 254]),
            "any byte is a pitch class (E flat and D: E flat major), without overflow"
        );
    }
}
