//! The root component's hooks: effects that turn state changes into worker messages, storage
//! writes and address-bar updates. No markup here; the views are in `components`.

pub mod denoiser_requests;
pub mod imports;
pub mod lecture_requests;
pub mod melody_requests;
pub mod navigation;
pub mod offline;
pub mod paste;
pub mod persist;
pub mod playback;
pub mod test_codes;
pub mod workbench_requests;
pub mod worker;
