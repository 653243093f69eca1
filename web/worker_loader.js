// Classic-worker bootstrap for the inference worker that trunk builds with wasm-bindgen's
// no-modules target: load the glue, then instantiate the wasm next to it. `worker_loader.js`
// loads the CPU-only module; `worker_loader.js?gpu` the one with WebGPU, which the page asks for
// only when the browser offers an adapter (it is several times larger).
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
const module = self.location.search === "?gpu" ? "worker_gpu" : "worker";
importScripts(`./${module}.js`);
wasm_bindgen(`./${module}_bg.wasm`);
