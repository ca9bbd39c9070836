// The mapping editor: add and delete rows, custom-field names, and permissions a field cannot take.
"use strict";

(() => {
  const form = document.querySelector("[data-constraints]");
  if (!form) return;
  const constraints = JSON.parse(form.dataset.constraints || "{}");
  const rows = document.getElementById("mapping-rows");
  const template = document.getElementById("mapping-row-template");

  function refresh(row) {
    const target = row.querySelector('select[name="target"]');
    const permission = row.querySelector('select[name="permission"]');
    const custom = row.querySelector('input[name="custom"]');
    const why = row.querySelector(".why");
    if (!target || !permission) return;
    const rule = constraints[target.value];
    for (const option of permission.options) {
      option.disabled = Boolean(rule) && !rule.allowed.includes(option.value);
    }
    if (permission.selectedOptions[0]?.disabled) {
      permission.value = rule.allowed.includes("R") ? "R" : rule.allowed[0];
    }
    if (why) why.textContent = rule ? why.dataset[rule.why === "protected" ? "whyProtected" : "whyInbound"] : "";
    if (custom) {
      const named = target.value === "custom" || target.value === "inquiry_extra"; // its name in the box
      custom.hidden = !named;
      custom.required = named;
    }
  }

  rows.querySelectorAll("tr.mapping-row").forEach(refresh);
  rows.addEventListener("change", (event) => {
    const row = event.target.closest("tr.mapping-row");
    if (row) refresh(row);
  });
  rows.addEventListener("click", (event) => {
    const button = event.target.closest("[data-delete-row]");
    if (button) button.closest("tr.mapping-row").remove();
  });
  document.querySelector("[data-add-row]")?.addEventListener("click", () => {
    const row = template.content.firstElementChild.cloneNode(true);
    rows.appendChild(row);
    refresh(row);
    row.querySelector('input[name="source"]').focus();
  });
})();
