//! Writes a contact sheet of generated faces to a PNG, to look at the generator as a person would.
//! `cargo run -p data --example face_sheet -- out.png [count] [first_seed]`

use data::faces::{FaceSpec, SIZE};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let out = args.get(1).map(String::as_str).unwrap_or("faces.png");
    let count: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(48);
    let first: u64 = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(0);
    let cols = 8;
    let rows = count.div_ceil(cols);
    let (w, h) = (cols * SIZE, rows * SIZE);
    let mut sheet = vec![255u8; w * h * 3];
    for i in 0..count {
        let face = FaceSpec::random(first + i as u64).render();
        let (ox, oy) = ((i % cols) * SIZE, (i / cols) * SIZE);
        for y in 0..SIZE {
            let src = &face[y * SIZE * 3..(y + 1) * SIZE * 3];
            let dst = ((oy + y) * w + ox) * 3;
            sheet[dst..dst + SIZE * 3].copy_from_slice(src);
        }
    }
    let file = std::io::BufWriter::new(std::fs::File::create(out)?);
    let mut enc = png::Encoder::new(file, w as u32, h as u32);
    enc.set_color(png::ColorType::Rgb);
    enc.write_header()?.write_image_data(&sheet)?;
    println!("wrote {out}");
    Ok(())
}
