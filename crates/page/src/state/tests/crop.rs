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
    // Every first guess answered alike: without an OOD reference the first (1×) is kept.
    let ids: Vec<u64> = s.encoding.iter().map(|p| p.id).collect();
    assert_eq!(ids.len(), 3, "three first guesses");
    for &id in &ids {
        answer(s, id, [0.1, 0.2]);
    }
    assert_eq!(s.item(ids[0]).unwrap().photo.as_ref().unwrap().crop, Crop::default());
    ids[0]
}

/// The faces model with a test set whose ELBO ran 0..=10,000 nats and missed share 0..=1.
fn faces_with_reference() -> State {
    let mut s = faces();
    let m = Rc::make_mut(s.model.as_mut().unwrap());
    m.ood = Some(bundle::OodReference {
        quantiles: (0..=100).map(|p| f64::from(p) * 100.0).collect(),
        missed_quantiles: (0..=100).map(|p| f64::from(p) / 100.0).collect(),
        images: 101,
        learned: "the drawn faces".into(),
        draws: "face".into(),
    });
    s
}

#[test]
fn a_new_photo_is_tried_at_three_squares_and_the_least_unusual_becomes_the_item() {
    let mut s = faces_with_reference();
    let p = photo();
    let prepared = prepare_face(&p.rgba, &s.model.as_ref().unwrap().image, p.crop).unwrap();
    let input = worker_protocol::pixels::to_bytes(&prepared.pixels);
    s.apply(Action::EncodePhoto {
        name: "me.jpg · resize".into(), input, pixels: prepared.pixels, photo: p
    });
    let pending = s.encoding.clone();
    let sides: Vec<f32> = pending.iter().map(|p| p.photo.as_ref().unwrap().crop.side).collect();
    assert_eq!(sides, vec![1.0, 1.5, 2.0]);
    assert!(pending[2].name.contains("edges filled"), "{}", pending[2].name);
    // The model draws the 2× square back exactly and misses much of the others.
    for (i, p) in pending.iter().enumerate() {
        let recon = if i == 2 { p.input.to_vec() } else { p.input.iter().map(|v| 255 - v).collect() };
        assert!(s.gallery.is_empty(), "no item until every guess is in");
        s.apply(Action::Worker(FromWorker::Encoded {
            id: p.id,
            mu: vec![0.0, 0.0],
            logvar: vec![0.0, 0.0],
            recon,
        }));
    }
    assert_eq!(s.gallery.len(), 1, "one item for the photo");
    let item = &s.gallery[0];
    assert_eq!(item.photo.as_ref().unwrap().crop.side, 2.0);
    assert_eq!(item.input, pending[2].input);
    assert!(s.framing_trials.is_empty() && s.encoding.is_empty());
    assert!(s.notice.is_none(), "the kept square is typical: {:?}", s.notice);
}

#[test]
fn a_failed_first_guess_drops_out_and_the_others_still_make_the_item() {
    let mut s = faces();
    let p = photo();
    let prepared = prepare_face(&p.rgba, &s.model.as_ref().unwrap().image, p.crop).unwrap();
    let input = worker_protocol::pixels::to_bytes(&prepared.pixels);
    s.apply(Action::EncodePhoto {
        name: "me.jpg · resize".into(), input, pixels: prepared.pixels, photo: p
    });
    let ids: Vec<u64> = s.encoding.iter().map(|p| p.id).collect();
    answer(&mut s, ids[1], [0.3, 0.3]);
    answer(&mut s, ids[2], [0.4, 0.4]);
    assert!(s.gallery.is_empty());
    s.apply(Action::Worker(FromWorker::Failed { id: Some(ids[0]), message: "out of memory".into() }));
    assert_eq!(s.gallery.len(), 1);
    assert_eq!(s.gallery[0].photo.as_ref().unwrap().crop.side, 1.5, "the first that came back");
    assert_eq!(s.notice.as_ref().unwrap().text, "out of memory");
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
