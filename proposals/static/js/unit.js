// The reply form: the promised completion date is asked for (and sent) only for a B reply.
(function () {
  "use strict";
  function sync() {
    var group = document.querySelector("[data-promised-date-group]");
    if (!group) { return; }
    var checked = document.querySelector('[data-result-group] input[name="result"]:checked');
    var isB = checked && checked.value === "B";
    var input = group.querySelector("input");
    group.hidden = !isB;
    if (input) { input.disabled = !isB; }
  }
  document.addEventListener("change", function (e) {
    if (e.target.matches('[data-result-group] input[name="result"]')) { sync(); }
  });
  document.addEventListener("DOMContentLoaded", sync);
})();
