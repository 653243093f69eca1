//! Melody grid maths, shared by the trainer, the data readers and the page (so pure Rust: no
//! burn, no web): the token grid (`grid`), keys (`key`), per-melody attributes for attribute
//! vectors (`attributes`), and MIDI files in and out (`midi`).

pub mod attributes;
pub mod grid;
pub mod key;
pub mod midi;
