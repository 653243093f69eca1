//! Where a face photo is cut before it is resized to the model: a square the user can move and
//! size over the picture. The model learned faces drawn at one framing (head and shoulders,
//! centred); a photo matches it only when the square is put round the face at that scale, which
//! no fixed rule can do for every photo. So the page tries a few centred squares
//! ([`first_guesses`]: a portrait's face fills a 1× square, a tight crop's needs zooming out) and
//! keeps the one the model itself draws back best ([`GuessScore`]), then shows the square and
//! lets the user move it.

/// A square centred at (`cx`, `cy`) (fractions of the image's width and height) whose side is
/// `side` times the image's short side. It may reach past the picture's edges (to zoom out on
/// a tight crop): what lies outside is filled with the picture's mean border colour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Crop {
    pub cx: f32,
    pub cy: f32,
    pub side: f32,
}

/// The smallest and largest square, in short sides: below a fifth there are too few pixels
/// to draw a face from; above three the photo is a speck in a flat frame.
pub const MIN_SIDE: f32 = 0.2;
pub const MAX_SIDE: f32 = 3.0;

impl Default for Crop {
    /// The first guess: the largest centred square, what the page always did.
    fn default() -> Self {
        Crop { cx: 0.5, cy: 0.5, side: 1.0 }
    }
}

/// The centred squares a new face photo is tried at, in short sides: the largest square, and
/// zoomed out 1.5× and 2× for photos cropped tight on the face (as Labeled Faces in the Wild's
/// are), which then sit in the frame as the drawn faces do. The first is the fallback when the
/// model has no out-of-distribution reference to choose by.
pub fn first_guesses() -> [Crop; 3] {
    [Crop::default(), Crop { side: 1.5, ..Crop::default() }, Crop { side: 2.0, ..Crop::default() }]
}

/// How well the model meets one guess: the share of it the reconstruction misses
/// (`latent::ood::missed_share`), then its rarity for guesses drawn back equally well. Not the
/// rarity first: a photo is usually rarer than every test image at each square, and the
/// negative ELBO charges a zoomed-out square for its flat grey border (a grey pixel costs its own
/// entropy however well it is drawn), which kept half of the LFW photos at 1× (bench/PHOTOS.md).
pub type GuessScore = [f32; 2];

/// The guess to keep: the lowest score wins, compared in order; ties, and scores that are
/// missing or not numbers, go to the earlier guess.
pub fn pick_guess(scores: &[Option<GuessScore>]) -> usize {
    let mut best: Option<(usize, GuessScore)> = None;
    for (i, s) in scores.iter().enumerate() {
        if let Some(s) = s.filter(|s| s.iter().all(|v| v.is_finite()))
            && best.is_none_or(|(_, b)| s < b)
        {
            best = Some((i, s));
        }
    }
    best.map_or(0, |(i, _)| i)
}

impl Crop {
    /// Moved by (`dx`, `dy`) short sides, keeping the centre on the picture.
    pub fn moved(self, dx: f32, dy: f32, width: usize, height: usize) -> Crop {
        let short = width.min(height).max(1) as f32;
        Crop {
            cx: (self.cx + dx * short / width.max(1) as f32).clamp(0.0, 1.0),
            cy: (self.cy + dy * short / height.max(1) as f32).clamp(0.0, 1.0),
            ..self
        }
    }

    /// Sized by `factor` about its centre, within [`MIN_SIDE`, `MAX_SIDE`].
    pub fn zoomed(self, factor: f32) -> Crop {
        Crop { side: (self.side * factor).clamp(MIN_SIDE, MAX_SIDE), ..self }
    }

    /// The square in pixels of a `width`×`height` picture: left, top, side.
    pub fn in_pixels(self, width: usize, height: usize) -> (f32, f32, f32) {
        let side = self.side * width.min(height) as f32;
        (self.cx * width as f32 - side / 2.0, self.cy * height as f32 - side / 2.0, side)
    }
}

/// Cut `crop` out of `rgb` (`width`×`height`, 3 values a pixel) at the picture's own
/// resolution, by nearest pixel; returns the square's pixels (3 values each), its side in
/// pixels, and whether it reached past an edge.
pub fn cut(rgb: &[[f32; 3]], width: usize, height: usize, crop: Crop) -> (Vec<f32>, usize, bool) {
    let (left, top, side) = crop.in_pixels(width, height);
    let n = (side.round() as usize).max(1);
    let fill = border_mean(rgb, width, height);
    let step = side / n as f32;
    let mut out = Vec::with_capacity(n * n * 3);
    let mut padded = false;
    for j in 0..n {
        let y = (top + (j as f32 + 0.5) * step).floor();
        for i in 0..n {
            let x = (left + (i as f32 + 0.5) * step).floor();
            let inside = x >= 0.0 && y >= 0.0 && (x as usize) < width && (y as usize) < height;
            padded |= !inside;
            out.extend_from_slice(if inside { &rgb[y as usize * width + x as usize] } else { &fill });
        }
    }
    (out, n, padded)
}

/// The mean colour of the picture's outermost ring of pixels.
fn border_mean(rgb: &[[f32; 3]], width: usize, height: usize) -> [f32; 3] {
    let mut sum = [0.0f32; 3];
    let mut n = 0.0f32;
    for y in 0..height {
        for x in 0..width {
            if x == 0 || y == 0 || x + 1 == width || y + 1 == height {
                let p = rgb[y * width + x];
                (0..3).for_each(|c| sum[c] += p[c]);
                n += 1.0;
            }
        }
    }
    sum.map(|s| if n > 0.0 { s / n } else { 0.5 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guess_drawn_back_best_is_kept_and_ties_or_missing_scores_keep_the_first() {
        assert_eq!(first_guesses()[0], Crop::default());
        assert_eq!(pick_guess(&[Some([80.0, 0.1]), Some([40.0, 0.5]), Some([60.0, 0.0])]), 1);
        // Equally rare: the one drawn back best.
        assert_eq!(pick_guess(&[Some([100.0, 0.3]), Some([100.0, 0.2]), Some([100.0, 0.25])]), 1);
        assert_eq!(pick_guess(&[Some([50.0, 0.1]), Some([50.0, 0.1])]), 0);
        assert_eq!(pick_guess(&[None, None, None]), 0);
        assert_eq!(pick_guess(&[Some([f32::NAN, 0.0]), Some([99.0, 0.9]), None]), 1);
        assert_eq!(pick_guess(&[]), 0);
    }

    /// A 4×2 picture: the left half black, the right half white.
    fn halves() -> Vec<[f32; 3]> {
        (0..8).map(|i| if i % 4 < 2 { [0.0; 3] } else { [1.0; 3] }).collect()
    }

    #[test]
    fn the_first_guess_is_the_largest_centred_square() {
        let (px, n, padded) = cut(&halves(), 4, 2, Crop::default());
        // The middle 2×2: one black and one white column.
        assert_eq!((n, padded), (2, false));
        assert_eq!(px, vec![0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
    }

    #[test]
    fn moving_and_zooming_change_what_is_cut() {
        // Half a short side (one pixel of this 4×2 picture) to the right.
        let right = Crop::default().moved(0.5, 0.0, 4, 2);
        assert_eq!(right.cx, 0.75);
        let (px, _, _) = cut(&halves(), 4, 2, right);
        assert!(px.iter().all(|v| *v == 1.0), "{px:?}");
        // Zoomed out past the edges: the outside takes the border's mean colour (half grey).
        let (px, n, padded) = cut(&halves(), 4, 2, Crop::default().zoomed(2.0));
        assert_eq!((n, padded), (4, true));
        assert_eq!(&px[..3], &[0.5, 0.5, 0.5]);
    }

    #[test]
    fn the_square_stays_sized_and_centred_within_limits() {
        let c = Crop::default().zoomed(100.0);
        assert_eq!(c.side, MAX_SIDE);
        assert_eq!(Crop::default().zoomed(0.0).side, MIN_SIDE);
        let far = Crop::default().moved(-9.0, 9.0, 300, 100);
        assert_eq!((far.cx, far.cy), (0.0, 1.0));
    }
}
