// Export jobs: poll each unfinished job's status and move its <progress> bar; offer the download when done.
(function () {
  "use strict";
  var POLL_MS = 1000;

  function part(row, role) {
    return row.querySelector('[data-role="' + role + '"]');
  }

  function show(row, body) {
    var status = part(row, "status");
    var bar = part(row, "progress");
    var link = part(row, "download");
    var error = part(row, "error");
    row.dataset.status = body.status;
    if (status) {
      status.textContent = body.label;
      status.className = "badge badge-" + body.status;
    }
    if (bar) {
      bar.max = body.total || 1;
      bar.value = body.done || 0;
      bar.textContent = (body.done || 0) + "/" + (body.total || 0);
    }
    if (body.status === "done" && link && body.download) {
      link.href = body.download;
      link.hidden = false;
      if (bar) { bar.hidden = true; }
    }
    if (body.status === "failed") {
      if (bar) { bar.hidden = true; }
      if (error) {
        error.textContent = body.error || "";
        error.hidden = false;
      }
    }
  }

  function poll(row) {
    fetch(row.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (body) {
        show(row, body);
        if (body.status === "queued" || body.status === "running") {
          window.setTimeout(function () { poll(row); }, POLL_MS);
        }
      })
      .catch(function () {
        window.setTimeout(function () { poll(row); }, POLL_MS * 5);
      });
  }

  // CSV goes with the raw data items, Excel or PDF with the OIT items: follow the item chosen.
  var item = document.querySelector('.export-form select[name="item"]');
  var format = document.querySelector('.export-form select[name="fmt"]');
  function matchFormat() {
    var option = item.options[item.selectedIndex];
    var csv = option && option.hasAttribute("data-csv");
    Array.prototype.forEach.call(format.options, function (o) { o.disabled = csv !== (o.value === "csv"); });
    if (format.options[format.selectedIndex].disabled) {
      var first = Array.prototype.find.call(format.options, function (o) { return !o.disabled; });
      if (first) { format.value = first.value; }
    }
  }
  if (item && format) {
    item.addEventListener("change", matchFormat);
    matchFormat();
  }

  document.querySelectorAll("[data-export-job]").forEach(function (row) {
    if (row.dataset.status === "queued" || row.dataset.status === "running") {
      poll(row);
    }
  });
})();
