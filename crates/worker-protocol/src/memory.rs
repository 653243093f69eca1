//! How much wasm linear memory a thread (page or worker) holds, reported with every decode.

/// Bytes of this thread's wasm linear memory. It only grows, so a leak shows as growth; the soak
/// benchmark reads it. 0 off wasm32.
pub fn wasm_memory_bytes() -> u32 {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        wasm_bindgen::memory()
            .dyn_into::<js_sys::WebAssembly::Memory>()
            .ok()
            .and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
            .map_or(0, |b| b.byte_length())
    }
    #[cfg(not(target_arch = "wasm32"))]
    0
}
