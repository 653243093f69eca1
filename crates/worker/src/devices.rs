//! Compute devices in the worker: burn's WebGPU runtime when this is the `webgpu` build and the
//! browser gives an adapter, burn's flex CPU backend always.

use burn::prelude::Device;
#[cfg(feature = "webgpu")]
use wasm_bindgen::JsValue;

/// WebGPU can be initialised once per worker; keep the outcome, success or failure.
#[derive(Default)]
pub struct Devices {
    webgpu: Option<Result<Device, String>>,
}

#[cfg(feature = "webgpu")]
fn has_navigator_gpu() -> bool {
    let global = js_sys::global();
    js_sys::Reflect::get(&global, &JsValue::from_str("navigator"))
        .and_then(|nav| js_sys::Reflect::get(&nav, &JsValue::from_str("gpu")))
        .is_ok_and(|gpu| !gpu.is_undefined() && !gpu.is_null())
}

impl Devices {
    pub fn cpu() -> Device {
        Device::flex()
    }

    /// The WebGPU device, or why there is none.
    pub async fn webgpu(&mut self) -> Result<Device, String> {
        if let Some(outcome) = &self.webgpu {
            return outcome.clone();
        }
        #[cfg(feature = "webgpu")]
        let outcome = if has_navigator_gpu() {
            Device::wgpu_options().init_async().await.map_err(|e| format!("WebGPU could not start ({e})"))
        } else {
            Err("this browser offers no WebGPU (navigator.gpu is missing)".to_string())
        };
        // The page starts this build when the browser has no adapter (or the CPU was asked for).
        #[cfg(not(feature = "webgpu"))]
        let outcome = Err("this browser offers no WebGPU adapter".to_string());
        self.webgpu = Some(outcome.clone());
        outcome
    }
}
