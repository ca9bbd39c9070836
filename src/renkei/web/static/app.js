// Renkei admin: the little JavaScript the pages need (no libraries).
"use strict";

const renkei = {
  csrf() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  },
  // fetch() with the session's CSRF token on anything that changes state.
  async call(url, options = {}) {
    const headers = Object.assign({ "X-CSRF-Token": renkei.csrf() }, options.headers || {});
    const response = await fetch(url, Object.assign({ credentials: "same-origin" }, options, { headers }));
    const body = response.headers.get("content-type")?.includes("json") ? await response.json() : await response.text();
    if (!response.ok) {
      const message = body && body.error ? body.error.message : String(response.status);
      throw new Error(message);
    }
    return body;
  },
};

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const text = document.getElementById(button.dataset.copy)?.textContent || "";
  try {
    await navigator.clipboard.writeText(text.trim());
  } catch (_error) {
    const range = document.createRange();
    range.selectNodeContents(document.getElementById(button.dataset.copy));
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    document.execCommand("copy");
  }
  button.dataset.copied = "1";
  const label = button.dataset.copiedLabel;
  if (label) button.textContent = label;
});

document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

window.renkei = renkei;
