// The proposal form: co-signers and suggested units are chosen with the picker
// (static/js/picker.js, loaded before this file). Progressive enhancement only: without
// JavaScript the two lists work as plain multi-selects posting the same values.
(function () {
  "use strict";
  function setup() {
    if (window.Picker) {
      window.Picker.enhance(document.querySelector("[data-testid=proposal-form]"));
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
