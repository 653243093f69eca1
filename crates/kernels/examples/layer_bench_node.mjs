// `node layer_bench_node.mjs layer_bench.wasm`: the layer timings in node's wasm engine.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { run } from "./layer_bench.js";

console.log(await run(readFileSync(process.argv[2]), () => performance.now()));
