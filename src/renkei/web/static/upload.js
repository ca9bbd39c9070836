// The import page: poll the progress until the import ends, then show the result (the page again).
"use strict";

(() => {
  const box = document.querySelector("[data-progress-url]");
  if (!box || box.dataset.finished === "true") return;
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-running]");
  async function poll() {
    try {
      const state = await renkei.call(box.dataset.progressUrl);
      bar.value = state.percent;
      bar.textContent = `${state.percent}%`;
      text.textContent = text.dataset.running.replace("{done}", state.done).replace("{total}", state.total ?? "?");
      if (state.finished) {
        window.location.reload();
        return;
      }
    } catch (_error) {
      // A hiccup (a restart): try again.
    }
    window.setTimeout(poll, 500);
  }
  poll();
})();
