//! Moving the crop square of a face photo re-encodes its item in place.

use super::*;
use image_input::crop::Crop;
use image_input::preprocess::{Rgba, prepare_face};

/// A model of 8×8 colour images.
fn faces() -> State {
    let mut m = manifest("faces", 2);
    m.image = bundle::ImageShape { width: 8, height: 8, channels: 3 };
    loaded_with(m)
}

/// A 16×8 photo: black on the left half, white on the right.
fn photo() -> Rc<Photo> {
    let data =
        (0..16 * 8).flat_map(|i| if i % 16 < 8 { [0, 0, 0, 255] } else { [255, 255, 255, 255] }).collect();
    Rc::new(Photo { rgba: Rc::new(Rgba { width: 16, height: 8, data }), crop: Crop::default() })
}

fn answer(s: &mut State, id: u64, mu: [f32; 2]) {
    s.apply(Action::Worker(FromWorker::Encoded {
        id,
        mu: mu.to_vec(),
        logvar: vec![0.0, 0.0],
        recon: vec![7; 192],
    }));
}

/// Upload the photo and let the worker encode it; returns the item's key.
fn upload(s: &mut State) -> u64 {
    let p = photo();
    let shape = s.model.as_ref().unwrap().image.clone();
    let prepared = prepare_face(&p.rgba, &shape, p.crop).unwrap();
    let input = worker_protocol::pixels::to_bytes(&prepared.pixels);
    s.apply(Action::EncodePhoto {
        name: "me.jpg · resize".into(), input, pixels: prepared.pixels, photo: p
    });
    let id = s.encoding.last().unwrap().id;
    answer(s, id, [0.1, 0.2]);
    id
}

#[test]
fn a_moved_crop_changes_the_input_at_once_and_the_code_when_encoded() {
    let mut s = faces();
    let key = upload(&mut s);
    s.apply(Action::MarkItem(key, Mark::With));
    s.apply(Action::EditCrop(Some(key)));
    assert_eq!(s.cropping, Some(key));
    let before = s.item(key).unwrap().input.clone();
    // Half grey (the centre square straddles both halves); moved right it is all white.
    let right = Crop::default().moved(0.5, 0.0, 16, 8);
    s.apply(Action::Recrop { key, crop: right });
    let item = s.item(key).unwrap();
    assert_ne!(item.input, before);
    assert!(item.input.iter().all(|&v| v == 255), "{:?}", item.input);
    assert_eq!(item.photo.as_ref().unwrap().crop, right);
    let pending = s.encoding.last().expect("the new cut is queued").clone();
    assert_eq!(pending.replaces, Some(key));
    assert!(pending.name.starts_with("me.jpg · crop 8×8 at (8, 0)"), "{}", pending.name);
    answer(&mut s, pending.id, [1.5, -1.0]);
    assert_eq!(s.gallery.len(), 1, "re-encoded in place, not added");
    let item = s.item(key).unwrap();
    assert_eq!((item.mu.clone(), item.mark), (vec![1.5, -1.0], Mark::With));
}

#[test]
fn only_the_newest_crop_of_an_item_is_encoded() {
    let mut s = faces();
    let key = upload(&mut s);
    s.apply(Action::Recrop { key, crop: Crop::default().zoomed(0.5) });
    let first = s.encoding.last().unwrap().id;
    s.apply(Action::Recrop { key, crop: Crop::default().zoomed(2.0) });
    assert_eq!(s.encoding.len(), 1);
    // The older answer arrives anyway: it is not applied.
    answer(&mut s, first, [9.0, 9.0]);
    assert_eq!(s.item(key).unwrap().mu, vec![0.1, 0.2]);
}

#[test]
fn deleting_the_item_closes_its_crop_and_drops_a_late_answer() {
    let mut s = faces();
    let key = upload(&mut s);
    s.apply(Action::EditCrop(Some(key)));
    s.apply(Action::Recrop { key, crop: Crop::default().zoomed(0.8) });
    let id = s.encoding.last().unwrap().id;
    s.apply(Action::Delete(key));
    assert_eq!(s.cropping, None);
    answer(&mut s, id, [1.0, 1.0]);
    assert!(s.gallery.is_empty());
}

#[test]
fn items_without_a_photo_have_no_crop() {
    let mut s = faces();
    s.apply(Action::Encode { name: "x".into(), input: vec![0; 192], pixels: vec![0.0; 192], example: false });
    let id = s.encoding[0].id;
    answer(&mut s, id, [0.0, 0.0]);
    s.apply(Action::EditCrop(Some(id)));
    assert_eq!(s.cropping, None);
    s.apply(Action::Recrop { key: id, crop: Crop::default().zoomed(0.5) });
    assert!(s.encoding.is_empty());
}
