// The benchmark's peer: the same decoder weights (`<model>.onnx`, written by `train onnx`) run by
// onnxruntime-web, in the app's own page, on the latent inputs the benchmark hands in.
// `tests/bench/peer.rs` copies this file, the ONNX model and onnxruntime-web's files next to the
// built app and loads this module with a dynamic import; it never ships with the app.
import * as ort from '../ort/ort.all.min.mjs';

const ms = () => performance.now();

// One execution provider ('wasm' or 'webgpu'): outputs for `check` codes, then `reps` timed
// single-code runs and `reps / 4` timed runs of a batch of `batch` codes.
export async function measure({ ep, dim, file, check, reps, batch }) {
  // One thread, as our worker has: the comparison is per core, not per machine.
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = new URL('../ort/', import.meta.url).href;
  const t0 = ms();
  const session = await ort.InferenceSession.create(new URL(file, import.meta.url).href, {
    executionProviders: [ep],
    graphOptimizationLevel: 'all',
  });
  const loadMs = ms() - t0;
  const run = async (flat, n) =>
    (await session.run({ z: new ort.Tensor('float32', flat, [n, dim]) })).pixels.getData();
  const outputs = [];
  for (const z of check) outputs.push(Array.from(await run(Float32Array.from(z), 1)));
  // Codes that change every call, as a dragged slider's do.
  const code = i => Float32Array.from({ length: dim }, (_, k) => Math.sin(i * 0.37 + k) * 2.5);
  for (let i = 0; i < 20; i++) await run(code(i), 1); // warm-up
  const single = [];
  for (let i = 0; i < reps; i++) {
    const z = code(i);
    const t = ms();
    await run(z, 1);
    single.push(ms() - t);
  }
  const many = new Float32Array(batch * dim).map((_, j) => Math.sin(j * 0.11) * 2);
  await run(many, batch);
  const batched = [];
  for (let i = 0; i < reps / 4; i++) {
    const t = ms();
    await run(many, batch);
    batched.push(ms() - t);
  }
  await session.release();
  return { ep, loadMs, outputs, single, batched, isolated: self.crossOriginIsolated };
}
