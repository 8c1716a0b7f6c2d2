// The statistics dashboard's charts, drawn with the Chart.js served from this app (no CDN, no inline script).
// Each <canvas data-chart='{...}'> carries a spec built by admin/stats.py; its numbers are in the table beside it.
(function () {
  "use strict";

  var PALETTE = ["#1e5aa8", "#e0a526", "#2e8b57", "#d64545", "#7b5fc4", "#3aa3b5"];

  function scales(spec) {
    var out = {};
    var given = spec.scales || {};
    Object.keys(given).forEach(function (id) {
      var s = given[id];
      var axis = { beginAtZero: true, ticks: {} };
      if (s.min !== undefined) axis.min = s.min;
      if (s.max !== undefined) axis.max = s.max;
      if (s.position) axis.position = s.position;
      if (s.title) axis.title = { display: true, text: s.title };
      if (s.integer) axis.ticks.precision = 0;
      if (id === "y1") axis.grid = { drawOnChartArea: false };
      out[id] = axis;
    });
    return out;
  }

  function dataset(spec, d, i) {
    var colour = PALETTE[i % PALETTE.length];
    var bar = (d.type || spec.type) === "bar";
    var out = {};
    Object.keys(d).forEach(function (k) { out[k] = d[k]; });
    out.backgroundColor = bar ? colour + "cc" : colour;
    out.borderColor = colour;
    out.borderWidth = bar ? 0 : 2;
    out.spanGaps = true;
    out.order = bar ? 2 : 1; // lines over bars
    return out;
  }

  function draw(canvas) {
    var spec;
    try {
      spec = JSON.parse(canvas.getAttribute("data-chart"));
    } catch (e) {
      return;
    }
    if (!spec || !window.Chart) return;
    var datasets = spec.datasets.map(function (d, i) { return dataset(spec, d, i); });
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: spec.indexAxis || "x",
        scales: scales(spec),
        plugins: { legend: { display: datasets.length > 1, position: "bottom" } },
      },
    });
  }

  if (window.Chart) {
    window.Chart.defaults.font.family = '"Sarabun", "Noto Sans Thai", "Tahoma", sans-serif';
  }
  Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), draw);
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
