// Similar proposals while drafting: as the title (or the text) is typed, ask the server
// (GET /search/similar, debounced) and show "已有相似提案：…". The server renders the list
// (escaped by Jinja); without JS the form works the same, without the hint.
(function () {
  "use strict";

  function setup(box) {
    var form = box.closest("form") || document;
    var title = form.querySelector('[name="title"]');
    var analysis = form.querySelector('[name="analysis"]');
    var suggestions = form.querySelector('[name="suggestions"]');
    var list = box.querySelector("[data-similar-items]");
    if (!title || !list) { return; }
    var timer = null;
    var seq = 0;
    var last = null;

    function text() {
      var parts = [];
      if (analysis) { parts.push(analysis.value); }
      if (suggestions) { parts.push(suggestions.value); }
      return parts.join("\n").slice(0, 3000);
    }

    function lookup() {
      var t = title.value.trim();
      var body = text().trim();
      var key = t + "\u0000" + body;
      if (key === last) { return; }
      last = key;
      if (t.length < 4 && body.length < 10) { box.hidden = true; return; }
      var mine = ++seq;
      var url = box.getAttribute("data-url");
      url += (url.indexOf("?") < 0 ? "?" : "&") + "title=" + encodeURIComponent(t) +
        "&text=" + encodeURIComponent(body);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { items: [], html: "" }; })
        .then(function (data) {
          if (mine !== seq) { return; }
          if (!data.items || !data.items.length) { box.hidden = true; list.textContent = ""; return; }
          // the server's HTML: rendered by Jinja with autoescaping, from our own template
          var doc = new DOMParser().parseFromString(data.html, "text/html");
          list.replaceChildren.apply(list, Array.prototype.slice.call(doc.body.childNodes));
          box.hidden = false;
        })
        .catch(function () { /* a hint only: nothing to do */ });
    }

    function later(delay) {
      clearTimeout(timer);
      timer = setTimeout(lookup, delay);
    }
    title.addEventListener("input", function () { later(400); });
    [analysis, suggestions].forEach(function (el) {
      if (el) { el.addEventListener("input", function () { later(1200); }); }
    });
    if (title.value.trim()) { later(0); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-similar-box]").forEach(setup);
  });
})();
