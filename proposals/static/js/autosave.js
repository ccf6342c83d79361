// Drafts are never lost. A form marked data-autosave-key keeps a copy of what is typed in this
// browser (localStorage, keyed by the person and the record) and, when it has
// data-autosave-url, saves it to the server a few seconds after typing stops and when the page
// is hidden or closed. A newer copy than the page's content is offered back, never applied
// silently. An expired session keeps the copy and asks the person to sign in again (the login's
// next brings them back here). After a successful submit (the next page shows a success
// message) the copy is removed. Progressive enhancement: without it the forms post as usual.
(function () {
  "use strict";
  var PREFIX = "autosave:";
  var SENT = "autosave-sent"; // sessionStorage: the key of the form just submitted
  var DELAY = 3000; // ms after the last keystroke
  var RETRY = [10000, 30000, 60000];
  var SKIP = { csrf_token: true, version: true };

  function store() {
    try {
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }

  function read(key) {
    var s = store();
    if (!s) { return null; }
    try {
      var copy = JSON.parse(s.getItem(PREFIX + key) || "null");
      return copy && typeof copy === "object" && copy.fields ? copy : null;
    } catch (e) {
      return null;
    }
  }

  function write(key, fields) {
    var s = store();
    if (!s) { return; }
    try {
      s.setItem(PREFIX + key, JSON.stringify({ fields: fields, savedAt: Date.now() }));
    } catch (e) { /* storage full or denied: the server copy still works */ }
  }

  function forget(key) {
    var s = store();
    if (s) { s.removeItem(PREFIX + key); }
  }

  function clock(ms) {
    var d = new Date(ms);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  // The fields a person types or picks (not the token, the version or the buttons).
  function fieldsOf(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      var name = el.name;
      if (!name || SKIP[name] || el.disabled) { return; }
      var type = (el.type || "").toLowerCase();
      if (["hidden", "submit", "button", "reset", "file", "password", "image"].indexOf(type) !== -1) {
        return;
      }
      if (type === "select-multiple") {
        out[name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else if (type === "radio") {
        if (!(name in out)) { out[name] = ""; }
        if (el.checked) { out[name] = el.value; }
      } else if (type === "checkbox") {
        if (!Array.isArray(out[name])) { out[name] = []; }
        if (el.checked) { out[name].push(el.value); }
      } else {
        out[name] = el.value;
      }
    });
    return out;
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function differs(copy, current) {
    return Object.keys(copy).some(function (name) {
      return name in current && !same(copy[name], current[name]);
    });
  }

  function fill(form, fields) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in fields) || SKIP[el.name]) { return; }
      var value = fields[el.name];
      var type = (el.type || "").toLowerCase();
      if (type === "select-multiple") {
        Array.prototype.forEach.call(el.options, function (o) {
          o.selected = Array.isArray(value) && value.indexOf(o.value) !== -1;
        });
      } else if (type === "radio") {
        el.checked = el.value === value;
      } else if (type === "checkbox") {
        el.checked = Array.isArray(value) && value.indexOf(el.value) !== -1;
      } else if (["hidden", "submit", "button", "reset", "file", "password", "image"].indexOf(type) === -1) {
        el.value = value;
      } else {
        return;
      }
      el.dispatchEvent(new Event("input", { bubbles: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function setup(form) {
    var key = form.getAttribute("data-autosave-key");
    var url = form.getAttribute("data-autosave-url");
    var status = form.querySelector("[data-autosave-status]");
    var offer = form.querySelector("[data-autosave-restore]");
    var timer = null;
    var failures = 0;
    var inFlight = false;
    var again = false;
    var stopped = false;
    var lastSent = url ? JSON.stringify(fieldsOf(form)) : null;

    function say(name, values) {
      if (!status) { return; }
      var text = status.getAttribute("data-msg-" + name) || "";
      Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
      status.textContent = text;
      status.classList.toggle("text-danger", name === "expired" || name === "conflict");
      status.classList.toggle("text-muted", !(name === "expired" || name === "conflict"));
      if (name === "expired") {
        var link = document.createElement("a");
        var next = window.location.pathname + window.location.search;
        link.href = form.getAttribute("data-autosave-login") + "?next=" + encodeURIComponent(next);
        link.className = "ms-2";
        link.setAttribute("data-testid", "autosave-login");
        link.textContent = status.getAttribute("data-msg-login") || "";
        status.appendChild(link);
      }
    }

    function keepLocal() {
      write(key, fieldsOf(form));
    }

    function token() {
      var field = form.querySelector("input[name=csrf_token]");
      return field ? field.value : "";
    }

    function incomplete() {
      if (!/:new$/.test(key)) { return false; }
      var title = form.elements.title, category = form.elements.category;
      return !(title && title.value.trim() && category && category.value);
    }

    function schedule(ms) {
      if (!url || stopped) { return; }
      window.clearTimeout(timer);
      timer = window.setTimeout(save, ms);
    }

    function adopt(body) {
      // the first save of a new proposal made a draft: from now on the form edits that draft
      var oldKey = key;
      key = key.replace(/:new$/, ":" + body.id);
      if (oldKey !== key) {
        forget(oldKey);
        form.setAttribute("data-autosave-key", key);
        form.action = body.edit_url;
        if (window.history && window.history.replaceState) {
          window.history.replaceState(null, "", body.edit_url);
        }
      }
      url = body.autosave_url;
      form.setAttribute("data-autosave-url", url);
      if (form.elements.version) { form.elements.version.value = body.version; }
      var csrf = form.querySelector("input[name=csrf_token]");
      if (csrf && body.csrf_token) { csrf.value = body.csrf_token; }
    }

    function save(unloading) {
      timer = null;
      if (!url || stopped) { return; }
      var fields = fieldsOf(form);
      var sent = JSON.stringify(fields);
      if (sent === lastSent) { return; }
      if (incomplete()) { say("incomplete"); return; }
      if (inFlight && !unloading) { again = true; return; }
      var data = new FormData(form);
      var options = {
        method: "POST",
        body: data,
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRFToken": token(), Accept: "application/json" }
      };
      if (unloading) {
        options.keepalive = true;
      }
      inFlight = true;
      window.fetch(url, options).then(function (res) {
        if (res.type === "opaqueredirect" || res.status === 401 ||
            (res.redirected && /\/login/.test(res.url))) {
          return { expired: true };
        }
        return res.json().then(function (body) { return { status: res.status, body: body }; },
          function () { return { status: res.status, body: {} }; });
      }).then(function (r) {
        inFlight = false;
        if (r.expired) {
          keepLocal();
          say("expired");
          return;
        }
        if (r.status === 200 && r.body.ok) {
          failures = 0;
          lastSent = sent;
          adopt(r.body);
          if (JSON.stringify(fieldsOf(form)) === sent) { forget(key); }
          say("saved", { time: clock(Date.now()) });
        } else if (r.status === 409) {
          stopped = true;
          say("conflict");
        } else if (r.status === 422 || r.status === 400 || r.status === 403) {
          var fields = r.body.fields || {};
          var first = Object.keys(fields).map(function (k) { return fields[k]; })[0];
          if (Array.isArray(first)) { first = first[0]; }
          say("refused", { reason: first || r.body.message || "" });
        } else {
          throw new Error("status " + r.status);
        }
        if (again) { again = false; schedule(DELAY); }
      }).catch(function () {
        inFlight = false;
        keepLocal();
        say("failed");
        schedule(RETRY[Math.min(failures, RETRY.length - 1)]);
        failures += 1;
      });
    }

    function typed() {
      keepLocal();
      if (url) {
        schedule(DELAY);
      } else {
        say("local", { time: clock(Date.now()) });
      }
    }

    form.addEventListener("input", typed);
    form.addEventListener("change", typed);
    form.addEventListener("submit", function () {
      window.clearTimeout(timer);
      stopped = true; // the form's own post saves it now
      keepLocal();
      try { window.sessionStorage.setItem(SENT, key); } catch (e) { /* private mode */ }
    });
    function flush() {
      if (stopped) { return; }
      keepLocal();
      if (url && timer !== null) {
        window.clearTimeout(timer);
        save(true);
      }
    }
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { flush(); }
    });
    window.addEventListener("pagehide", flush);

    // a copy newer than what the page shows is offered, not applied
    var copy = read(key);
    if (copy && differs(copy.fields, fieldsOf(form))) {
      if (offer) {
        var when = offer.querySelector("[data-autosave-restore-time]");
        if (when) { when.textContent = clock(copy.savedAt); }
        offer.hidden = false;
        offer.querySelector("[data-autosave-restore-yes]").addEventListener("click", function () {
          fill(form, copy.fields);
          offer.hidden = true;
          typed();
        });
        offer.querySelector("[data-autosave-restore-no]").addEventListener("click", function () {
          forget(key);
          offer.hidden = true;
        });
      }
    }
  }

  // After a form was submitted: a success message on the next page means it went through,
  // so its copy goes; the same form again (an error) or the login page keeps it.
  function settleSubmitted() {
    var sent;
    try { sent = window.sessionStorage.getItem(SENT); } catch (e) { return; }
    if (!sent) { return; }
    var forms = document.querySelectorAll("form[data-autosave-key]");
    var again = Array.prototype.some.call(forms, function (f) {
      return f.getAttribute("data-autosave-key") === sent;
    });
    if (again) {
      window.sessionStorage.removeItem(SENT);
    } else if (document.querySelector("main .alert-success")) {
      forget(sent);
      window.sessionStorage.removeItem(SENT);
    }
  }

  function start() {
    settleSubmitted();
    document.querySelectorAll("form[data-autosave-key]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
