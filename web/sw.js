// Latent Lab's service worker: after one visit the page, its workers and every model the user
// opened work without a network (a lecture hall's wifi drops). Same origin only; it never
// contacts anything the page could not.
//
// One cache per build. `cargo xtask` stamps BUILD (a hash of dist/) and SHELL (the files a first
// visit on the CPU path needs) into this file after trunk builds, so a new deployment is a new
// service worker: the browser installs it beside the running one, and the page offers a reload
// (the page posts "skip-waiting") instead of swapping code under an open lecture.
const BUILD = "__LATENT_LAB_BUILD__";
const SHELL = __LATENT_LAB_SHELL__;
// Whether this browser validates wasm relaxed SIMD: the same test as `worker_loader.js`.
const RELAXED_SIMD = WebAssembly.validate(new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 65, 1, 253, 15, 65, 2, 253, 15,
  253, 128, 2, 11,
]));
const CACHE = `latent-lab-${BUILD}`;
// A model is saved for offline use when every file the page listed for it is cached; this entry
// records that list, so "saved" survives reloads and is checked against what is really cached.
const SAVED = "offline-models/";

const scope = () => new URL(self.registration.scope);
const url = (path) => new URL(path, scope()).href;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // `no-cache`: revalidated, so the files the page has just downloaded cost a 304, and a new build's are fetched anew.
    // Of the two CPU modules (`worker_loader.js`), only the one this browser runs.
    const shell = SHELL.filter((p) => !(RELAXED_SIMD ? /^worker(\.js|_bg\.wasm)$/ : /^worker_relaxed/).test(p));
    await cache.addAll(shell.map((p) => new Request(url(p), { cache: "no-cache" })));
    // Models saved under the previous build come along, fetched anew: their files may have changed.
    for (const name of await caches.keys()) {
      if (name === CACHE || !name.startsWith("latent-lab-")) continue;
      const old = await caches.open(name);
      for (const marker of await old.keys()) {
        if (!marker.url.startsWith(url(SAVED))) continue;
        const files = await (await old.match(marker)).json();
        try {
          await cache.addAll(files.map((f) => new Request(f, { cache: "no-cache" })));
          await cache.put(marker.url, listing(files));
        } catch (e) {
          // A model the new build no longer has stays behind with the old cache.
        }
      }
    }
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== CACHE && name.startsWith("latent-lab-")) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function listing(files) {
  return new Response(JSON.stringify(files), { headers: { "Content-Type": "application/json" } });
}

// Cache first: everything here is immutable within a build. A miss goes to the network, and a
// successful same-origin answer is kept (the WebGPU module, another model's files), so what was
// used once works offline. The page's links carry their state in the hash and a query
// (?backend=cpu), so a navigation is answered with the cached page whatever its query.
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || !request.url.startsWith(scope().origin)) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const navigation = request.mode === "navigate";
    const key = navigation ? url("./") : request;
    const hit = await cache.match(key, { ignoreSearch: navigation });
    if (hit) return hit;
    const response = await fetch(request);
    // Kept while the page reads its own copy: awaiting the put first would hold a model's
    // weights back until the whole file had arrived, and the page's progress bar with them.
    if (response.status === 200 && response.type === "basic") event.waitUntil(cache.put(key, response.clone()));
    return response;
  })());
});

async function savedModels(cache) {
  const names = [];
  for (const marker of await cache.keys()) {
    if (!marker.url.startsWith(url(SAVED))) continue;
    const files = await (await cache.match(marker)).json();
    const present = await Promise.all(files.map((f) => cache.match(f)));
    if (present.every(Boolean)) names.push(decodeURIComponent(marker.url.slice(url(SAVED).length)));
  }
  return names;
}

self.addEventListener("message", (event) => {
  const message = event.data || {};
  const reply = (data) => event.source && event.source.postMessage(data);
  if (message.type === "skip-waiting") {
    self.skipWaiting();
  } else if (message.type === "saved-models") {
    event.waitUntil(caches.open(CACHE).then(savedModels).then((names) => reply({ type: "saved-models", names })));
  } else if (message.type === "save-model") {
    // Every file of the model, fetched now if the page has not needed it yet (the encoder
    // before anything was encoded), so the whole model works offline, not only its first image.
    event.waitUntil((async () => {
      const cache = await caches.open(CACHE);
      try {
        for (const file of message.files) {
          if (!(await cache.match(file))) await cache.add(file);
        }
        await cache.put(url(SAVED + encodeURIComponent(message.name)), listing(message.files));
        reply({ type: "model-saved", name: message.name });
      } catch (e) {
        reply({ type: "model-not-saved", name: message.name, reason: String(e) });
      }
    })());
  }
});
