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

// A section of a form that a checkbox switches on (an IMAP mailbox in the settings form).
document.addEventListener("change", (event) => {
  const box = event.target.closest("[data-toggles]");
  if (!box) return;
  const section = document.getElementById(box.dataset.toggles);
  if (section) section.hidden = !box.checked;
});

// The connection check of an integration (the REST API's POST …/check).
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-verify]");
  if (!button) return;
  const out = button.parentElement.querySelector(".verify-result");
  out.className = "verify-result";
  out.textContent = button.dataset.running;
  button.disabled = true;
  try {
    const body = await renkei.call(button.dataset.verify, { method: "POST" });
    // "error" is the one failure; mail inboxes answer "waiting" or "confirmed", kinds without credentials "nothing-to-verify".
    const ok = Boolean(body) && body.result !== "error";
    out.textContent = (ok ? button.dataset.ok : button.dataset.failed) + (body && body.message ? ` (${body.message})` : "");
    out.classList.add(ok ? "ok" : "bad");
  } catch (error) {
    out.textContent = `${button.dataset.failed} (${error.message})`;
    out.classList.add("bad");
  } finally {
    button.disabled = false;
  }
});

// A select whose "custom field" choice shows a name input (the upload's column mapping).
document.addEventListener("change", (event) => {
  const select = event.target.closest("[data-custom-toggle]");
  if (!select) return;
  const input = document.getElementById(select.dataset.customToggle);
  if (input) input.hidden = select.value !== "custom" && select.value !== "inquiry_extra"; // a name to give
});
