//! Files the user can take away: the current image or a grid as PNG, a strip or a traversal as
//! an animated GIF. Plain Rust over model pixels, so it is tested natively; the page only hands
//! the bytes to the browser as a download.

use bundle::ImageShape;

/// Exported images are scaled up by this much with crisp pixels: 28×28 is too small to use.
pub const SCALE: usize = 8;
/// Gap between images in a grid or strip, in exported pixels.
const GAP: usize = 4;

/// An RGB picture.
#[derive(Clone, Debug, PartialEq)]
pub struct Picture {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

/// Lay model images (grey or RGB bytes, each `shape`) out in rows of `cols`, scaled by `scale`,
/// on a white background with gaps between them.
pub fn compose(images: &[&[u8]], cols: usize, shape: &ImageShape, scale: usize) -> Result<Picture, String> {
    if images.is_empty() || cols == 0 || scale == 0 {
        return Err("there is nothing to export yet".into());
    }
    if let Some(bad) = images.iter().find(|i| i.len() != shape.len()) {
        return Err(format!("an image has {} values, the model makes {}", bad.len(), shape.len()));
    }
    let cols = cols.min(images.len());
    let rows = images.len().div_ceil(cols);
    let (cw, ch) = (shape.width * scale, shape.height * scale);
    let width = cols * cw + (cols - 1) * GAP;
    let height = rows * ch + (rows - 1) * GAP;
    let mut rgb = vec![255u8; width * height * 3];
    for (i, img) in images.iter().enumerate() {
        let (x0, y0) = ((i % cols) * (cw + GAP), (i / cols) * (ch + GAP));
        for y in 0..ch {
            for x in 0..cw {
                let src = (y / scale) * shape.width + x / scale;
                let px = match shape.channels {
                    1 => [img[src]; 3],
                    _ => [img[src * 3], img[src * 3 + 1], img[src * 3 + 2]],
                };
                let dst = ((y0 + y) * width + x0 + x) * 3;
                rgb[dst..dst + 3].copy_from_slice(&px);
            }
        }
    }
    Ok(Picture { width, height, rgb })
}

/// The image as the page shows it with what a slider moves drawn over it in red
/// (`latent::sensitivity::blend`): RGB model pixels and their shape, ready for `compose`.
pub fn overlaid(pixels: &[u8], shape: &ImageShape, change: &[f32]) -> Result<(Vec<u8>, ImageShape), String> {
    let mut rgba = worker_protocol::pixels::to_rgba(pixels, shape.channels);
    if rgba.len() != shape.width * shape.height * 4 || change.len() != shape.width * shape.height {
        return Err("the overlay does not fit the image".into());
    }
    latent::sensitivity::blend(&mut rgba, change);
    let rgb = rgba.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    Ok((rgb, ImageShape { channels: 3, ..shape.clone() }))
}

pub fn png(picture: &Picture) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, picture.width as u32, picture.height as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| format!("PNG export failed: {e}"))?;
    writer.write_image_data(&picture.rgb).map_err(|e| format!("PNG export failed: {e}"))?;
    writer.finish().map_err(|e| format!("PNG export failed: {e}"))?;
    Ok(out)
}

/// An endlessly looping GIF, `delay_cs` hundredths of a second per frame. All frames must have
/// the first one's size.
pub fn gif(frames: &[Picture], delay_cs: u16) -> Result<Vec<u8>, String> {
    let first = frames.first().ok_or("there are no frames to export yet")?;
    let (w, h) = (u16::try_from(first.width), u16::try_from(first.height));
    let (Ok(w), Ok(h)) = (w, h) else { return Err("the animation is too large for a GIF".into()) };
    let failed = |e: gif::EncodingError| format!("GIF export failed: {e}");
    let mut out = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut out, w, h, &[]).map_err(failed)?;
        encoder.set_repeat(gif::Repeat::Infinite).map_err(failed)?;
        for f in frames {
            if (f.width, f.height) != (first.width, first.height) {
                return Err("the frames of an animation must have one size".into());
            }
            // Speed 10: a fine palette for grey digits and soft faces, in a few ms per frame.
            let mut frame = gif::Frame::from_rgb_speed(w, h, &f.rgb, 10);
            frame.delay = delay_cs;
            encoder.write_frame(&frame).map_err(failed)?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grey(w: usize, h: usize) -> ImageShape {
        ImageShape { width: w, height: h, channels: 1 }
    }

    #[test]
    fn compose_scales_and_lays_out_with_gaps() {
        let shape = grey(2, 1);
        let (a, b, c) = (vec![0u8, 100], vec![200u8, 50], vec![7u8, 7]);
        let p = compose(&[&a, &b, &c], 2, &shape, 3).unwrap();
        assert_eq!((p.width, p.height), (2 * 6 + GAP, 2 * 3 + GAP));
        let at = |x: usize, y: usize| p.rgb[(y * p.width + x) * 3];
        assert_eq!(at(0, 0), 0);
        assert_eq!(at(3, 2), 100);
        assert_eq!(at(6, 0), 255, "the gap is white");
        assert_eq!(at(6 + GAP, 0), 200);
        assert_eq!(at(0, 3 + GAP), 7);
        assert_eq!(at(6 + GAP, 3 + GAP), 255, "an empty cell stays white");
    }

    #[test]
    fn the_overlay_is_saved_as_it_is_shown() {
        let (rgb, shape) = overlaid(&[255, 255], &grey(2, 1), &[0.0, latent::sensitivity::FULL_RED]).unwrap();
        assert_eq!(shape.channels, 3);
        assert_eq!(rgb, vec![255, 255, 255, 230, 0, 20]);
        assert!(compose(&[&rgb], 1, &shape, 2).is_ok());
        assert!(overlaid(&[255, 255], &grey(2, 1), &[0.0]).is_err());
    }

    #[test]
    fn compose_refuses_what_it_cannot_draw() {
        assert!(compose(&[], 3, &grey(2, 2), 1).is_err());
        assert!(compose(&[&[1u8, 2, 3]], 1, &grey(2, 2), 1).is_err());
    }

    #[test]
    fn png_and_gif_decode_back_with_the_right_size_and_frames() {
        let shape = ImageShape { width: 3, height: 2, channels: 3 };
        let img: Vec<u8> = (0..18).map(|i| (i * 14) as u8).collect();
        let p = compose(&[&img], 1, &shape, SCALE).unwrap();
        let bytes = png(&p).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let reader = decoder.read_info().unwrap();
        assert_eq!((reader.info().width, reader.info().height), (24, 16));

        let frames = vec![p.clone(), p.clone(), p];
        let bytes = gif(&frames, 10).unwrap();
        let mut options = gif::DecodeOptions::new();
        options.set_color_output(gif::ColorOutput::RGBA);
        let mut decoder = options.read_info(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!((decoder.width(), decoder.height()), (24, 16));
        let mut n = 0;
        while decoder.read_next_frame().unwrap().is_some() {
            n += 1;
        }
        assert_eq!(n, 3);
        assert!(gif(&[], 10).is_err());
    }
}
