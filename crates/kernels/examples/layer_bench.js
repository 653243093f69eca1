// Runs layer_bench.wasm (see layer_bench.rs) and returns each layer's mean time per way, as
// text. Shared by node (layer_bench_node.mjs) and Chromium (`cargo run -p e2e --bin layer_bench`).
export async function run(bytes, now) {
  const { instance } = await WebAssembly.instantiate(bytes, { env: { now } });
  const k = instance.exports;
  const names = ["col2im", "sub-pixel", "class GEMM", "chosen"];
  const layers = ["faces up.0", "faces up.1", "faces up.2", "faces up.3", "vanilla 0", "vanilla 1",
    "vanilla 2", "vanilla 3", "vanilla final", "vanilla final (again)"];
  const lines = [];
  for (const batch of [1, 64]) {
    const runs = batch === 1 ? 200 : 4;
    lines.push(`batch ${batch} (ms per call)`);
    for (let l = 0; l < layers.length; l++) {
      const row = names.map((n, way) => `${n} ${k.transposed(l, way, batch, runs).toFixed(3)}`);
      lines.push(`  ${layers[l].padEnd(22)} ${row.join("  ")}`);
    }
    lines.push(`  vanilla head conv ${k.head(batch, runs).toFixed(3)}   mnist MLP ${k.mlp(batch, runs).toFixed(3)}`);
  }
  lines.push("faces-vae's decoder, 64 codes (ms per batch)");
  for (const chunk of [64, 32, 16, 8, 4, 2, 1]) {
    lines.push(`  ${chunk} at a time: ${k.faces_decoder(64, chunk, 4).toFixed(2)}`);
  }
  lines.push(`64 faces to bytes: four passes ${k.faces_to_bytes(0, 10).toFixed(2)} ms, one pass ${k.faces_to_bytes(1, 10).toFixed(2)} ms, by pixel ${k.faces_to_bytes(2, 10).toFixed(2)} ms, bytes then interleave ${k.faces_to_bytes(3, 10).toFixed(2)} ms`);
  return lines.join("\n");
}
