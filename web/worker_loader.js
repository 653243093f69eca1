// Classic-worker bootstrap for the inference worker that trunk builds with wasm-bindgen's
// no-modules target: load the glue, then instantiate the wasm next to it. `worker_loader.js`
// loads a CPU-only module (two builds, below); `worker_loader.js?gpu` the one with WebGPU, which
// the page asks for only when the browser offers an adapter (it is several times larger).
//
// It also watches every GPU device the worker creates: when one is lost (driver reset, GPU
// process crash) burn cannot go on with it, so the page is told and restarts the worker on the
// CPU. `destroy()` on purpose reports as reason "destroyed" and is ignored, except from the test
// hook below, which destroys the devices to cause a real loss on demand.
let lossOnPurpose = false;
const devices = [];
if (self.GPUAdapter) {
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (...args) {
    const device = await requestDevice.apply(this, args);
    devices.push(device);
    device.lost.then((info) => {
      if (info.reason !== "destroyed" || lossOnPurpose) {
        const detail = (info.message || "").replace(/[.\s]+$/, "");
        self.postMessage({ Lost: { message: `The GPU device was lost (${info.reason || "unknown"}${detail ? ": " + detail : ""})` } });
      }
    });
    return device;
  };
}
// Registered before the wasm's own handler, so the hook's message never reaches it.
self.addEventListener("message", (event) => {
  if (event.data === "test:lose-gpu-device") {
    event.stopImmediatePropagation();
    lossOnPurpose = true;
    devices.forEach((d) => d.destroy());
  }
});
// The CPU module comes in two builds: with wasm relaxed SIMD (fused multiply-adds in the decoder
// kernels, bench/OPTIMISATION.md) where this browser validates it, and without, which every
// browser with wasm SIMD runs. `?baseline` (the page's `?simd=baseline`) asks for the second.
// The bytes: a function returning i8x16.relaxed_swizzle of two splats (wasm-feature-detect's test).
const params = new URLSearchParams(self.location.search);
const relaxed = WebAssembly.validate(new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 65, 1, 253, 15, 65, 2, 253, 15,
  253, 128, 2, 11,
]));
const module = params.has("gpu") ? "worker_gpu" : relaxed && !params.has("baseline") ? "worker_relaxed" : "worker";
importScripts(`./${module}.js`);
wasm_bindgen(`./${module}_bg.wasm`);
