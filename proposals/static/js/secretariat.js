// The secretariat's forms: progressive enhancement only; every form works without it.
(function () {
  "use strict";

  // Review: show only the part of the form that belongs to the chosen decision.
  function setupReview(form) {
    var radios = form.querySelectorAll('input[name="decision"]');
    function sync() {
      var chosen = form.querySelector('input[name="decision"]:checked');
      form.querySelectorAll("[data-decision]").forEach(function (box) {
        box.hidden = !chosen || box.getAttribute("data-decision") !== chosen.value;
      });
    }
    radios.forEach(function (r) { r.addEventListener("change", sync); });
    sync();
  }

  // Review: search merge targets while typing (GET /proposals/merge-candidates).
  function setupMergeSearch(input) {
    var box = document.querySelector("[data-merge-candidates]");
    if (!box) { return; }
    var timer = null;
    var seq = 0;
    function render(items) {
      var invalid = box.getAttribute("data-invalid") === "true";
      var checked = box.querySelector('input[name="merge_into"]:checked');
      var keep = checked ? checked.value : null;
      box.textContent = "";
      if (!items.length) {
        var p = document.createElement("p");
        p.className = "text-muted small mb-0";
        p.textContent = box.getAttribute("data-empty-text");
        box.appendChild(p);
        return;
      }
      items.forEach(function (item) {
        var wrap = document.createElement("div");
        wrap.className = "form-check";
        var radio = document.createElement("input");
        radio.type = "radio";
        radio.name = "merge_into";
        radio.value = String(item.id);
        radio.id = "merge_into-" + item.id;
        radio.className = "form-check-input" + (invalid ? " is-invalid" : "");
        if (keep === radio.value) { radio.checked = true; }
        var label = document.createElement("label");
        label.className = "form-check-label";
        label.htmlFor = radio.id;
        label.textContent = (item.number ? item.number + " " : "") + item.title + " ";
        var meta = document.createElement("span");
        meta.className = "text-muted small";
        meta.textContent = [item.proposer, item.session, item.state_label].join(" · ");
        label.appendChild(meta);
        wrap.appendChild(radio);
        wrap.appendChild(label);
        box.appendChild(wrap);
      });
    }
    function search() {
      var q = input.value.trim();
      if (!q) { return; }
      var mine = ++seq;
      var url = input.getAttribute("data-url");
      url += (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (data) { if (mine === seq) { render(data.items || []); } })
        .catch(function () { /* the plain search button still works */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 300);
    });
  }

  // Assignment: name the mode the chosen units make, and show rows as they are needed.
  function setupAssign(form) {
    var rows = Array.prototype.slice.call(form.querySelectorAll("[data-unit-row]"));
    var out = form.querySelector("[data-assign-mode]");
    function plan() {
      var leads = 0, cos = 0;
      rows.forEach(function (row) {
        var selects = row.querySelectorAll("select");
        if (selects[0].value) {
          if (selects[1].value === "co") { cos += 1; } else { leads += 1; }
        }
      });
      return { leads: leads, cos: cos };
    }
    function mode() {
      var p = plan();
      var key;
      if (!p.leads && !p.cos) { key = "data-mode-none"; }
      else if (!p.leads) { key = "data-mode-no-lead"; }
      else if (p.leads === 1 && !p.cos) { key = "data-mode-sole"; }
      else if (p.leads === 1) { key = "data-mode-lead-co"; }
      else if (!p.cos) { key = "data-mode-split"; }
      else { key = "data-mode-invalid"; }
      if (out) { out.textContent = form.getAttribute(key); }
    }
    // Hide empty rows beyond the first two; a button reveals one more at a time.
    var lastFilled = -1;
    rows.forEach(function (row, i) { if (row.querySelector("select").value) { lastFilled = i; } });
    var visible = Math.max(lastFilled + 2, 2);
    rows.forEach(function (row, i) { row.hidden = i >= visible; });
    if (visible < rows.length) {
      var add = document.createElement("button");
      add.type = "button";
      add.className = "btn btn-sm btn-outline-secondary";
      add.textContent = form.getAttribute("data-add-label");
      add.addEventListener("click", function () {
        var next = rows.filter(function (r) { return r.hidden; })[0];
        if (next) {
          next.hidden = false;
          next.querySelector("select").focus();
        }
        if (!rows.some(function (r) { return r.hidden; })) { add.remove(); }
      });
      rows[rows.length - 1].parentNode.insertBefore(add, rows[rows.length - 1].nextSibling);
    }
    form.addEventListener("change", mode);
    mode();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-review-form]").forEach(setupReview);
    document.querySelectorAll("[data-merge-search]").forEach(setupMergeSearch);
    document.querySelectorAll("[data-assign-form]").forEach(setupAssign);
  });
})();
