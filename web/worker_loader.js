// Classic-worker bootstrap for the inference worker that trunk builds with wasm-bindgen's
// no-modules target: load the glue, then instantiate the wasm next to it.
importScripts("./worker.js");
wasm_bindgen("./worker_bg.wasm");
