// The proposal form: filter long multi-selects (co-signers, units) by name as one types.
// Progressive enhancement only: without it the lists work as plain multi-selects.
(function () {
  "use strict";
  function setup() {
    document.querySelectorAll("[data-filter-for]").forEach(function (input) {
      var select = document.getElementById(input.getAttribute("data-filter-for"));
      if (!select) { return; }
      var box = input.closest(".filter-box");
      if (box) { box.hidden = false; }
      input.addEventListener("input", function () {
        var q = input.value.trim().toLowerCase();
        Array.prototype.forEach.call(select.options, function (opt) {
          opt.hidden = !!q && !opt.selected && opt.text.toLowerCase().indexOf(q) === -1;
        });
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
