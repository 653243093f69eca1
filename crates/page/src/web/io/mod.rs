//! The page's I/O: what it fetches at start, how images get in, and the messages that load a
//! model. No hooks and no markup.

pub mod canvas_draw;
pub mod imports;
pub mod ingest;
pub mod offline;
pub mod requests;
pub mod startup;
pub mod synth;
