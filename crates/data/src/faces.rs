//! Procedural, labelled 64×64 RGB faces: our stand-in for CelebA, which cannot be had here.
//!
//! A face is a [`FaceSpec`] (labelled attributes plus geometry jitter) drawn by [`FaceSpec::render`].
//! Keeping the two apart lets a test or an evaluation toggle one attribute on the very same face
//! (same pose, same colours) and see exactly which pixels it owns: glasses live in the eye band.
//! Shapes are signed-distance tests, averaged over 4 sub-samples per pixel for smooth edges.

use latent::rng::Rng;

pub const SIZE: usize = 64;
/// An open smile's half-width and depth, as fractions of the head's horizontal radius.
const SMILE_HALF_WIDTH: f32 = 0.36;
const SMILE_DEPTH: f32 = 0.3;
/// Rows of teeth an open smile shows below the upper lip, in pixels.
const TEETH_ROWS: f32 = 3.0;
/// How far lenses pale towards the sky they reflect (1 = a mirror: the eye behind does not show),
/// and the half-width in pixels of their glint.
const LENS_SHEEN: f32 = 1.0;
const GLINT_HALF_WIDTH: f32 = 1.7;
/// What a sunglasses tint mixes into the lens.
const LENS_SHADE: [f32; 3] = [0.05, 0.05, 0.08];
/// Half-width of a frame's rim, in pixels.
const FRAME_HALF_WIDTH: f32 = 0.45;
// Why attributes carry both a dark and a light part (dark frames and pale lenses, a dark mouth
// and white teeth): a VAE's latent distances follow pixel distances, so an attribute that
// changes many more pixels on light skin than on dark is encoded as a longer step on lighter
// faces. One vector, the mean step, then overshoots on dark faces and falls short on light ones:
// dark frames alone made 10x the squared pixel change on the lightest skin as on the darkest;
// with a faint sheen (4x), a trained model needed 1.33 glasses vectors on light faces and 0.70
// on dark ones, and the vector at strength 1 put glasses on 99% of dark faces but 55% of light
// ones. Smiles (2.9x) split the same way. The light parts, and thinner rims, brought the ratios
// to about 1.4 for both (smile: split gone; glasses: 93% dark / 86% light at strength 1).
// Mirror lenses (sheen 1.0) then took glasses to 99%, where a sheen of 0.9, eyes faintly
// showing through, reached 85% at a similar ratio: the likely reason is that a mirror looks the
// same on every face, so the step from a face to it varies less from face to face.

/// Binary labels, in the order of [`FaceSpec::labels`]. Attribute vectors are computed for each.
pub const ATTRIBUTES: [&str; 9] = [
    "glasses",
    "smile",
    "long_hair",
    "blond_hair",
    "dark_hair",
    "beard",
    "hat",
    "dark_skin",
    "warm_background",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameShape {
    Round,
    Square,
    Aviator,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Glasses {
    pub shape: FrameShape,
    pub colour: [f32; 3],
    /// 0 = clear lenses, up to ~0.6 = sunglasses.
    pub tint: f32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HairColour {
    Black,
    Brown,
    Blond,
    Red,
    Grey,
}

impl HairColour {
    fn rgb(self) -> [f32; 3] {
        match self {
            HairColour::Black => [0.10, 0.08, 0.07],
            HairColour::Brown => [0.36, 0.22, 0.12],
            HairColour::Blond => [0.90, 0.78, 0.45],
            HairColour::Red => [0.70, 0.28, 0.12],
            HairColour::Grey => [0.68, 0.68, 0.70],
        }
    }
}

/// Everything that decides one face.
#[derive(Clone, Debug, PartialEq)]
pub struct FaceSpec {
    pub glasses: Option<Glasses>,
    pub smile: bool,
    pub hair: HairColour,
    pub long_hair: bool,
    /// 0 = lightest, 1 = darkest skin tone.
    pub skin: f32,
    pub beard: bool,
    pub hat: Option<[f32; 3]>,
    pub background: [f32; 3],
    pub shirt: [f32; 3],
    /// Head centre and radii in pixels, and a horizontal turn of the features (pose).
    pub cx: f32,
    pub cy: f32,
    pub rx: f32,
    pub ry: f32,
    pub yaw: f32,
}

const BACKGROUNDS: [[f32; 3]; 6] = [
    [0.93, 0.55, 0.35], // warm
    [0.95, 0.80, 0.45], // warm
    [0.85, 0.45, 0.50], // warm
    [0.40, 0.60, 0.85], // cool
    [0.45, 0.75, 0.60], // cool
    [0.70, 0.72, 0.80], // cool
];
/// Frames are dark, as most real eyeglasses are (CelebA's "Eyeglasses" among them). Bright
/// frames in opposite hues (gold, blue) made "glasses" a class whose members a VAE encodes in
/// opposite latent directions (cosine −0.92 between gold and blue in one trained model), so
/// their mean difference, the glasses vector, added only a faint grey frame.
const FRAME_COLOURS: [[f32; 3]; 5] =
    [[0.05, 0.05, 0.05], [0.22, 0.12, 0.06], [0.32, 0.18, 0.08], [0.20, 0.20, 0.24], [0.08, 0.10, 0.26]];

fn pick<T: Copy>(rng: &mut Rng, items: &[T]) -> T {
    items[rng.below(items.len())]
}

impl FaceSpec {
    /// A random face, the same for the same seed on every platform.
    pub fn random(seed: u64) -> Self {
        let mut r = Rng::new(seed);
        let glasses = r.chance(0.4).then(|| Glasses {
            shape: pick(&mut r, &[FrameShape::Round, FrameShape::Square, FrameShape::Aviator]),
            colour: pick(&mut r, &FRAME_COLOURS),
            tint: if r.chance(0.25) { r.range(0.3, 0.6) } else { 0.0 },
        });
        let hair = pick(
            &mut r,
            &[HairColour::Black, HairColour::Brown, HairColour::Blond, HairColour::Red, HairColour::Grey],
        );
        let shirt = [r.range(0.1, 0.9), r.range(0.1, 0.9), r.range(0.1, 0.9)];
        FaceSpec {
            glasses,
            smile: r.chance(0.5),
            hair,
            long_hair: r.chance(0.45),
            skin: r.unit(),
            beard: r.chance(0.25),
            hat: r.chance(0.2).then(|| [r.range(0.1, 0.9), r.range(0.1, 0.9), r.range(0.1, 0.9)]),
            background: pick(&mut r, &BACKGROUNDS),
            shirt,
            cx: 32.0 + r.range(-3.0, 3.0),
            cy: 33.0 + r.range(-2.5, 2.5),
            rx: r.range(13.0, 16.0),
            ry: r.range(16.5, 19.5),
            yaw: r.range(-0.12, 0.12),
        }
    }

    /// The binary labels named by [`ATTRIBUTES`].
    pub fn labels(&self) -> [bool; 9] {
        [
            self.glasses.is_some(),
            self.smile,
            self.long_hair,
            self.hair == HairColour::Blond,
            matches!(self.hair, HairColour::Black | HairColour::Brown),
            self.beard,
            self.hat.is_some(),
            self.skin > 0.5,
            self.background[0] > self.background[2],
        ]
    }

    /// The rows holding the eyes (and any glasses), for measuring where an edit changed pixels.
    pub fn eye_band(&self) -> std::ops::Range<usize> {
        let y = self.eye_y();
        // Lens radius is 0.27 rx; aviators reach 0.35 rx below; frames add a pixel each side.
        let lo = (y - 0.27 * self.rx - 1.5).floor().max(0.0) as usize;
        let hi = (y + 0.36 * self.rx + 1.5).ceil().min(SIZE as f32) as usize;
        lo..hi
    }

    /// The rows the mouth can occupy, smiling or not: where a smile edit should act.
    pub fn mouth_band(&self) -> std::ops::Range<usize> {
        let mouth_y = self.cy + 0.48 * self.ry;
        let lo = (mouth_y - 2.5).floor().max(0.0) as usize;
        let hi = (mouth_y + SMILE_DEPTH * self.rx + 2.0).ceil().min(SIZE as f32) as usize;
        lo..hi
    }

    fn eye_y(&self) -> f32 {
        self.cy - 0.12 * self.ry
    }

    fn skin_rgb(&self) -> [f32; 3] {
        let light = [0.98, 0.84, 0.72];
        let dark = [0.42, 0.27, 0.17];
        mix(light, dark, self.skin)
    }

    /// Render as interleaved RGB bytes, `SIZE × SIZE × 3`.
    pub fn render(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(SIZE * SIZE * 3);
        const SUB: [(f32, f32); 4] = [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)];
        for y in 0..SIZE {
            for x in 0..SIZE {
                let mut acc = [0.0f32; 3];
                for (dx, dy) in SUB {
                    let c = self.colour_at(x as f32 + dx, y as f32 + dy);
                    for k in 0..3 {
                        acc[k] += c[k] / 4.0;
                    }
                }
                out.extend(acc.iter().map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8));
            }
        }
        out
    }

    /// The colour at one point: layers painted back to front.
    fn colour_at(&self, x: f32, y: f32) -> [f32; 3] {
        let (cx, cy, rx, ry) = (self.cx, self.cy, self.rx, self.ry);
        let hair = self.hair.rgb();
        // Background with a soft vertical gradient.
        let mut c = scale(self.background, 1.05 - 0.15 * y / SIZE as f32);

        // Long hair falls behind the head onto the shoulders.
        if self.long_hair
            && inside_ellipse(x, y, cx, cy + 0.25 * ry, 1.28 * rx, 1.15 * ry)
            && y < cy + 1.25 * ry
        {
            c = scale(hair, 0.9);
        }
        // Shoulders and neck.
        if inside_ellipse(x, y, cx, SIZE as f32 + 6.0, 27.0, 16.0) {
            c = self.shirt;
        }
        let skin = self.skin_rgb();
        if (x - cx).abs() < 0.42 * rx && y > cy && y < cy + 1.35 * ry {
            c = scale(skin, 0.85);
        }
        if self.long_hair
            && inside_ellipse(x, y, cx, cy + 0.25 * ry, 1.28 * rx, 1.15 * ry)
            && y < cy + 1.25 * ry
            && (x - cx).abs() > 0.8 * rx
        {
            c = scale(hair, 0.95);
        }

        // Head, shaded towards the rim.
        let (u, v) = ((x - cx) / rx, (y - cy) / ry);
        let r2 = u * u + v * v;
        if r2 > 1.0 {
            return self.hat_over(x, y, c);
        }
        c = scale(skin, 1.0 - 0.18 * r2);
        // Features turn with the pose.
        let fx = cx + self.yaw * rx;
        let ey = self.eye_y();

        // Beard covers the lower face, moustache above the mouth.
        let mouth_y = cy + 0.48 * ry;
        if self.beard
            && (v > 0.22 && r2 > 0.0 && !(v < 0.7 && (x - fx).abs() < 0.28 * rx && y > mouth_y - 1.5))
        {
            c = mix(c, scale(hair, 0.8), 0.9);
        }
        // Nose.
        if (x - fx).abs() < 0.9 && y > ey + 2.0 && y < cy + 0.25 * ry {
            c = scale(c, 0.85);
        }
        // Eyebrows.
        for side in [-1.0, 1.0] {
            let ex = fx + side * 0.38 * rx;
            if (x - ex).abs() < 0.2 * rx && (y - (ey - 0.17 * rx)).abs() < 0.6 {
                c = scale(hair, 0.7);
            }
        }
        // Eyes: white, then iris.
        for side in [-1.0, 1.0] {
            let ex = fx + side * 0.38 * rx;
            if inside_ellipse(x, y, ex, ey, 2.4, 1.5) {
                c = [0.96, 0.96, 0.96];
            }
            if inside_ellipse(x, y, ex, ey, 1.2, 1.2) {
                c = [0.12, 0.10, 0.10];
            }
        }
        // Mouth: a closed straight line, or an open smile, the lower half of an ellipse with lips
        // round a dark mouth and a row of teeth. (A 1-pixel upward arc, the first design, was
        // lost in every VAE's blur: no model reconstructed it, so no vector could add it.)
        let lips = [0.62, 0.16, 0.18];
        let half = 0.3 * rx;
        if self.smile {
            let (w, h) = (SMILE_HALF_WIDTH * rx, SMILE_DEPTH * rx);
            let top = mouth_y - 0.8;
            let e = ((x - fx) / w).powi(2) + ((y - top) / h).powi(2);
            if y >= top - 0.8 && e <= 1.0 {
                let rim = 1.0 - 1.6 / h.min(w);
                c = if e > rim * rim || y < top {
                    lips
                } else if y < top + TEETH_ROWS {
                    [0.95, 0.94, 0.90]
                } else {
                    [0.30, 0.05, 0.07]
                };
            }
        } else if (x - fx).abs() < 0.75 * half && (y - mouth_y).abs() < 0.75 {
            c = lips;
        }
        // Glasses: lenses, frames, bridge and temples.
        if let Some(g) = self.glasses {
            let lens_r = 0.27 * rx;
            for side in [-1.0f32, 1.0] {
                let ex = fx + side * 0.38 * rx;
                let d = match g.shape {
                    FrameShape::Round => ((x - ex).powi(2) + (y - ey).powi(2)).sqrt() - lens_r,
                    FrameShape::Square => {
                        let qx = (x - ex).abs() - 1.1 * lens_r;
                        let qy = (y - ey).abs() - 0.8 * lens_r;
                        qx.max(qy)
                    }
                    FrameShape::Aviator => {
                        let dy = y - (ey + 0.2 * lens_r);
                        let ryy = if dy > 0.0 { 1.1 * lens_r } else { 0.8 * lens_r };
                        (((x - ex) / (1.1 * lens_r)).powi(2) + (dy / ryy).powi(2)).sqrt() * lens_r - lens_r
                    }
                };
                if d < 0.0 && g.tint > 0.0 {
                    c = mix(c, LENS_SHADE, g.tint);
                }
                // Light on the glass: a pale sheen (darkened by a sunglasses tint) and a diagonal
                // glint across the upper lens, what makes glasses show on dark skin (see
                // LENS_SHEEN). A thin clear ring is left inside the rim.
                if d < -0.75 {
                    c = mix(c, mix([0.88, 0.93, 1.0], LENS_SHADE, g.tint), LENS_SHEEN);
                    if ((x - ex) + (y - ey) + 0.4 * lens_r).abs() < GLINT_HALF_WIDTH {
                        c = mix(c, [1.0, 1.0, 1.0], 0.8);
                    }
                }
                if d.abs() < FRAME_HALF_WIDTH {
                    c = g.colour;
                }
                // Temple arm from the outer rim towards the ear.
                let outer = ex + side * 1.1 * lens_r;
                if (y - ey).abs() < 0.6 && (x - outer) * side > 0.0 && (x - outer) * side < rx * 0.5 {
                    c = g.colour;
                }
            }
            let inner = 0.38 * rx - lens_r;
            if (x - fx).abs() < inner + 0.5 && (y - (ey - 0.2)).abs() < 0.6 {
                c = g.colour;
            }
        }
        // Hair on top of the head, framing the forehead.
        if v < -0.42 + 0.12 * (u * 3.0).cos() * 0.3 || (self.long_hair && u.abs() > 0.82 && v < 0.4) {
            c = scale(hair, 1.0 - 0.2 * r2);
        }
        self.hat_over(x, y, c)
    }

    fn hat_over(&self, x: f32, y: f32, c: [f32; 3]) -> [f32; 3] {
        let Some(hat) = self.hat else { return c };
        let (cx, cy, rx, ry) = (self.cx, self.cy, self.rx, self.ry);
        let brim_y = cy - 0.62 * ry;
        let crown = (x - cx).abs() < 0.88 * rx && y < brim_y && y > cy - 1.35 * ry;
        let brim = (x - cx).abs() < 1.35 * rx && (y - brim_y).abs() < 1.4;
        if brim {
            scale(hat, 0.8)
        } else if crown {
            hat
        } else {
            c
        }
    }
}

fn inside_ellipse(x: f32, y: f32, cx: f32, cy: f32, rx: f32, ry: f32) -> bool {
    let u = (x - cx) / rx;
    let v = (y - cy) / ry;
    u * u + v * v <= 1.0
}

fn mix(a: [f32; 3], b: [f32; 3], t: f32) -> [f32; 3] {
    [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), a[2] + t * (b[2] - a[2])]
}

fn scale(a: [f32; 3], s: f32) -> [f32; 3] {
    [a[0] * s, a[1] * s, a[2] * s]
}
