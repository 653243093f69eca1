// trunk initializer for the page's wasm: shows how much of it has arrived while it downloads
// (the module is several MB; on a slow link the first seconds would otherwise be a bare spinner)
// and a readable message if it cannot start.
export default function bootProgress() {
  const bar = () => document.getElementById("boot-progress");
  const text = () => document.getElementById("boot-text");
  const mb = (bytes) => (bytes / 1048576).toFixed(1);
  return {
    onProgress({ current, total }) {
      // Yew replaces the boot markup when it mounts; the counts stay readable for tests.
      window.latentLabBoot = { current, total };
      if (bar() && total) bar().value = Math.min(1, current / total);
      if (text()) text().textContent = total
        ? `Loading Latent Lab… ${mb(current)} of ${mb(total)} MB`
        : `Loading Latent Lab… ${mb(current)} MB`;
    },
    onFailure(reason) {
      if (text()) text().textContent = `Latent Lab could not start (${reason}). Reload the page; a current Chromium, Firefox or Safari is needed.`;
    },
  };
}
