// A picker for choosing several people or units: the chosen ones are chips with a remove button,
// and a search box (WAI-ARIA combobox with a listbox popup) finds more by name, by pinyin
// initials or full pinyin (data-initials / data-pinyin, computed on the server) or by code.
//
// Progressive enhancement over a <select multiple>: the select stays in the form (hidden) and
// the picker only sets its options' `selected`, so the form posts the same field values with
// or without JavaScript and the server checks them the same way.
//
// Markup: a box with data-picker-for="<select id>" holding the rendered field, and its texts in
// data-text-* attributes (translated by the server; {name} and {n} are filled in here).
(function () {
  "use strict";
  var MAX_SHOWN = 50;

  function norm(s) { return (s || "").toLowerCase().replace(/\s+/g, ""); }
  function fill(text, key, value) { return (text || "").replace("{" + key + "}", value); }

  // Lower is better; -1 when the item does not match the query at all.
  function rank(item, q) {
    if (item.label.indexOf(q) === 0) { return 0; }
    if (item.initials.indexOf(q) === 0) { return 1; }
    if (item.pinyin.indexOf(q) === 0) { return 2; }
    if (item.code.indexOf(q) === 0) { return 3; }
    if (item.label.indexOf(q) !== -1) { return 4; }
    if (q.length > 1 && item.initials.indexOf(q) !== -1) { return 5; }
    if (q.length > 1 && item.code.indexOf(q) !== -1) { return 6; }
    return -1;
  }

  function enhanceOne(box) {
    var select = document.getElementById(box.getAttribute("data-picker-for"));
    if (!select || !select.multiple || box.getAttribute("data-picker-ready")) { return; }
    box.setAttribute("data-picker-ready", "1");
    var base = select.id;
    var text = function (key) { return box.getAttribute("data-text-" + key) || ""; };
    var items = Array.prototype.map.call(select.options, function (opt, i) {
      return {
        opt: opt,
        index: i,
        label: norm(opt.text),
        initials: norm(opt.getAttribute("data-initials")),
        pinyin: norm(opt.getAttribute("data-pinyin")),
        code: norm(opt.value)
      };
    });

    var picker = document.createElement("div");
    picker.className = "picker";

    var chosenLabel = document.createElement("span");
    chosenLabel.className = "visually-hidden";
    chosenLabel.id = base + "-chosen-label";
    chosenLabel.textContent = text("chosen");
    var chips = document.createElement("ul");
    chips.className = "picker-chips list-unstyled";
    chips.setAttribute("aria-labelledby", chosenLabel.id);
    chips.setAttribute("data-testid", base + "-chips");
    var none = document.createElement("p");
    none.className = "picker-none text-body-secondary small mb-1";
    none.textContent = text("none");

    var combo = document.createElement("div");
    combo.className = "picker-combo";
    var input = document.createElement("input");
    input.type = "text";
    input.id = base + "-search";
    input.className = "form-control picker-search";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", base + "-listbox");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("autocapitalize", "none");
    input.setAttribute("spellcheck", "false");
    input.setAttribute("enterkeyhint", "done");
    input.placeholder = text("search");
    var listbox = document.createElement("ul");
    listbox.id = base + "-listbox";
    listbox.className = "picker-listbox list-unstyled";
    listbox.setAttribute("role", "listbox");
    listbox.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    status.id = base + "-status";

    // The field's own label now names the search box; its description and errors describe it.
    var label = box.querySelector('label[for="' + base + '"]');
    if (label) {
      label.setAttribute("for", input.id);
      label.id = label.id || base + "-label";
      listbox.setAttribute("aria-labelledby", label.id);
    }
    var described = [];
    Array.prototype.forEach.call(box.querySelectorAll(".form-text, .invalid-feedback"), function (el, i) {
      el.id = el.id || base + "-desc-" + i;
      described.push(el.id);
    });
    if (described.length) { input.setAttribute("aria-describedby", described.join(" ")); }
    if (select.classList.contains("is-invalid")) {
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
    }

    combo.appendChild(input);
    combo.appendChild(listbox);
    picker.appendChild(chosenLabel);
    picker.appendChild(chips);
    picker.appendChild(none);
    picker.appendChild(combo);
    picker.appendChild(status);
    select.parentNode.insertBefore(picker, select.nextSibling);
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;

    var shown = [];
    var active = -1;

    function announce(message) {
      // a change of text is what screen readers read out; clear first so a repeat is read too
      status.textContent = "";
      window.setTimeout(function () { status.textContent = message; }, 50);
    }

    function renderChips() {
      chips.textContent = "";
      var count = 0;
      items.forEach(function (item) {
        if (!item.opt.selected) { return; }
        count += 1;
        var li = document.createElement("li");
        li.className = "picker-chip";
        var name = document.createElement("span");
        name.className = "picker-chip-name";
        name.textContent = item.opt.text;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "picker-chip-remove";
        remove.setAttribute("aria-label", fill(text("remove"), "name", item.opt.text));
        remove.setAttribute("data-index", String(item.index));
        remove.textContent = "\u00d7";
        li.appendChild(name);
        li.appendChild(remove);
        chips.appendChild(li);
      });
      chips.hidden = count === 0;
      none.hidden = count > 0;
    }

    function setActive(i) {
      var options = listbox.querySelectorAll("[role=option]");
      if (active >= 0 && options[active]) {
        options[active].classList.remove("active");
        options[active].setAttribute("aria-selected", "false");
      }
      active = i;
      if (i >= 0 && options[i]) {
        options[i].classList.add("active");
        options[i].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[i].id);
        var top = options[i].offsetTop, bottom = top + options[i].offsetHeight;
        if (top < listbox.scrollTop) { listbox.scrollTop = top; }
        if (bottom > listbox.scrollTop + listbox.clientHeight) {
          listbox.scrollTop = bottom - listbox.clientHeight;
        }
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      var q = norm(input.value);
      var found = [];
      items.forEach(function (item) {
        if (item.opt.selected || item.opt.disabled) { return; }
        var r = q ? rank(item, q) : 0;
        if (r >= 0) { found.push([r, item]); }
      });
      found.sort(function (a, b) { return a[0] - b[0] || a[1].index - b[1].index; });
      shown = found.slice(0, MAX_SHOWN).map(function (pair) { return pair[1]; });
      listbox.textContent = "";
      active = -1;
      shown.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = base + "-option-" + item.index;
        li.className = "picker-option";
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-value", item.opt.value);
        li.setAttribute("data-pos", String(i));
        li.textContent = item.opt.text;
        listbox.appendChild(li);
      });
      if (!shown.length) {
        var empty = document.createElement("li");
        empty.className = "picker-empty text-body-secondary";
        empty.textContent = text("no-match");
        listbox.appendChild(empty);
      } else if (found.length > shown.length) {
        var more = document.createElement("li");
        more.className = "picker-more text-body-secondary small";
        more.textContent = fill(text("more"), "n", String(found.length - shown.length));
        listbox.appendChild(more);
      }
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
      // the first match is ready for Enter (the "list with automatic selection" pattern)
      if (q && shown.length) { setActive(0); }
      announce(shown.length ? fill(text("count"), "n", String(found.length)) : text("no-match"));
    }

    function choose(pos) {
      var item = shown[pos];
      if (!item) { return; }
      item.opt.selected = true;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      input.value = "";
      close();
      renderChips();
      announce(fill(text("added"), "name", item.opt.text));
      input.focus();
    }

    input.addEventListener("input", function () {
      if (input.value.trim()) { open(); } else { close(); }
    });
    // a tap on the empty box shows what there is to choose (a keyboard user has ArrowDown)
    input.addEventListener("click", function () {
      if (input.getAttribute("aria-expanded") !== "true") { open(); }
    });
    input.addEventListener("keydown", function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey) { return; }
      var count = shown.length;
      var isOpen = input.getAttribute("aria-expanded") === "true";
      if (e.key === "ArrowDown" || e.key === "Down") {
        e.preventDefault();
        if (!isOpen) { open(); if (shown.length) { setActive(0); } return; }
        if (count) { setActive(active + 1 >= count ? 0 : active + 1); }
      } else if (e.key === "ArrowUp" || e.key === "Up") {
        e.preventDefault();
        if (!isOpen) { open(); if (shown.length) { setActive(shown.length - 1); } return; }
        if (count) { setActive(active <= 0 ? count - 1 : active - 1); }
      } else if (e.key === "Enter") {
        // never submit the whole form from the search box
        e.preventDefault();
        if (isOpen && active >= 0) { choose(active); }
      } else if (e.key === "Escape" || e.key === "Esc") {
        if (isOpen) { e.preventDefault(); close(); } else if (input.value) {
          e.preventDefault();
          input.value = "";
        }
      } else if (e.key === "Tab") {
        close();
      }
    });
    input.addEventListener("blur", function () {
      // a tap on an option keeps the focus (mousedown below), so this is a real leave
      window.setTimeout(function () {
        if (document.activeElement !== input) { close(); }
      }, 150);
    });
    listbox.addEventListener("mousedown", function (e) { e.preventDefault(); });
    listbox.addEventListener("click", function (e) {
      var li = e.target.closest("[role=option]");
      if (li) { choose(parseInt(li.getAttribute("data-pos"), 10)); }
    });
    chips.addEventListener("click", function (e) {
      var button = e.target.closest(".picker-chip-remove");
      if (!button) { return; }
      var item = items[parseInt(button.getAttribute("data-index"), 10)];
      var buttons = Array.prototype.slice.call(chips.querySelectorAll(".picker-chip-remove"));
      var at = buttons.indexOf(button);
      item.opt.selected = false;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      renderChips();
      announce(fill(text("removed"), "name", item.opt.text));
      // keep the keyboard where it was: the next chip's button, else the search box
      var rest = chips.querySelectorAll(".picker-chip-remove");
      (rest[at] || input).focus();
    });

    renderChips();
  }

  function enhance(root) {
    Array.prototype.forEach.call(
      (root || document).querySelectorAll("[data-picker-for]"), enhanceOne
    );
  }

  window.Picker = { enhance: enhance };
})();
