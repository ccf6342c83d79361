// The exports page (/exports): each export still queued or running asks for its state every
// few seconds and updates its progress bar, then shows the download link when done. Without
// script the page's refresh link does the same.
(function () {
  "use strict";
  var words = document.getElementById("export-words");
  if (!words || !window.fetch) { return; }
  var EVERY = 2000;

  function update(row, body) {
    var bar = row.querySelector("progress");
    var state = row.querySelector(".export-state");
    var percent = Math.round((body.progress || 0) * 100);
    if (bar) { bar.value = body.progress || 0; bar.textContent = percent + "%"; }
    row.setAttribute("data-state", body.state);
    if (body.state === "running") {
      state.textContent = words.getAttribute("data-running") + " " + percent + "%";
    } else if (body.state === "done") {
      state.textContent = words.getAttribute("data-done");
      if (body.download) {
        var link = document.createElement("a");
        link.href = body.download;
        link.textContent = words.getAttribute("data-download");
        link.setAttribute("data-testid", "export-download");
        var cell = row.querySelector(".export-download");
        cell.textContent = "";
        cell.appendChild(link);
      }
    } else if (body.state === "failed") {
      state.textContent = words.getAttribute("data-failed");
      var error = document.createElement("div");
      error.className = "small text-danger export-error";
      error.textContent = body.error || "";
      state.parentNode.appendChild(error);
    }
  }

  function poll(row) {
    var url = row.getAttribute("data-status-url");
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (body) {
        if (!body) { return; }
        update(row, body);
        if (body.state === "queued" || body.state === "running") {
          window.setTimeout(function () { poll(row); }, EVERY);
        }
      })
      .catch(function () { window.setTimeout(function () { poll(row); }, EVERY * 3); });
  }

  var rows = document.querySelectorAll("tr[data-status-url]");
  for (var i = 0; i < rows.length; i++) { poll(rows[i]); }
})();
