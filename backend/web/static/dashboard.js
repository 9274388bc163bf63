// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // "Add a row" for repeated fields (lesions, blood results, radiotherapy courses):
  // copy the last row with empty values and the next index in every field name.
  function addRow(button) {
    var name = button.getAttribute("data-add-row");
    var table = document.querySelector('table[data-rows="' + name + '"] tbody');
    if (!table || !table.lastElementChild) return;
    var last = table.lastElementChild;
    var index = table.children.length;
    var row = last.cloneNode(true);
    var pattern = new RegExp("^" + name.replace(/\./g, "\\.") + "\\.\\d+\\.");
    var idPattern = new RegExp("^f-" + name.replace(/\./g, "-") + "-\\d+-");
    row.querySelectorAll("input, select, label, p.field-error").forEach(function (el) {
      if (el.matches("p.field-error")) { el.remove(); return; }
      if (el.name) el.name = el.name.replace(pattern, name + "." + index + ".");
      if (el.id) el.id = el.id.replace(idPattern, "f-" + name.replace(/\./g, "-") + "-" + index + "-");
      if (el.htmlFor) el.htmlFor = el.htmlFor.replace(idPattern, "f-" + name.replace(/\./g, "-") + "-" + index + "-");
      if (el.matches("input[type=checkbox]")) el.checked = false;
      else if (el.matches("input, select")) el.value = "";
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    });
    row.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
    table.appendChild(row);
    var first = row.querySelector("select, input");
    if (first) first.focus();
  }

  // Bulk approval: keep the button's count in step with the ticked proposals.
  function updateBulk() {
    var boxes = document.querySelectorAll('input[form="bulk"][name="adaptation_id"]');
    var ticked = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
    document.querySelectorAll("[data-bulk-count]").forEach(function (el) { el.textContent = ticked; });
    document.querySelectorAll("[data-bulk-button]").forEach(function (el) { el.disabled = ticked === 0; });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-row]");
    if (button) { event.preventDefault(); addRow(button); }
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches('input[form="bulk"]')) updateBulk();
  });
  document.addEventListener("DOMContentLoaded", function () {
    updateBulk();
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
})();
