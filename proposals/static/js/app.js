// Progressive enhancement only: every page works without it.
(function () {
  "use strict";
  // Live character count for textareas marked data-count-group.
  function updateCounts() {
    document.querySelectorAll("[data-char-count]").forEach(function (out) {
      var group = out.getAttribute("data-char-count");
      var total = 0;
      document.querySelectorAll('[data-count-group="' + group + '"]').forEach(function (el) {
        total += el.value.trim().length;
      });
      var min = parseInt(out.getAttribute("data-min") || "0", 10);
      var max = parseInt(out.getAttribute("data-max") || "0", 10);
      out.textContent = total;
      var wrap = out.closest(".char-count");
      if (wrap) {
        wrap.classList.toggle("text-danger", (min && total < min) || (max && total > max));
        wrap.classList.toggle("text-success", !((min && total < min) || (max && total > max)));
      }
    });
  }
  document.addEventListener("input", function (e) {
    if (e.target.matches("[data-count-group]")) { updateCounts(); }
  });
  document.addEventListener("DOMContentLoaded", updateCounts);
  // Confirmation for destructive buttons.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-confirm]");
    if (btn && !window.confirm(btn.getAttribute("data-confirm"))) { e.preventDefault(); }
  });
})();
