// Draws every figure on the page: each element with data-figure="<id>" gets the plotly figure
// stored in <script type="application/json" id="<id>"> (written by Django's json_script).
// Maps need the world topojson: it is fetched from this site (data-topojson) and handed to
// plotly before drawing, so nothing is requested from any other host.
(function () {
  "use strict";

  var CONFIG = {
    responsive: true,
    displaylogo: false,
    showSendToCloud: false,
    showEditInChartStudio: false,
    modeBarButtonsToRemove: ["sendDataToCloud", "lasso2d", "select2d"],
    scrollZoom: false,
  };

  function loadTopojson(url) {
    if (!url) return Promise.resolve();
    return fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("map geometry: HTTP " + response.status);
        return response.json();
      })
      .then(function (world) {
        window.PlotlyGeoAssets = window.PlotlyGeoAssets || {};
        window.PlotlyGeoAssets.topojson = window.PlotlyGeoAssets.topojson || {};
        window.PlotlyGeoAssets.topojson.world_110m = world;
      });
  }

  function countDrawn(el) {
    // Record what was drawn, for people (aria) and tests (data- attributes).
    var shapes = el.querySelectorAll(".choroplethlocation").length;
    var markers = el.querySelectorAll(".scattergeo .point, .scattergeo path.point").length;
    el.setAttribute("data-shapes-drawn", String(shapes));
    el.setAttribute("data-markers-drawn", String(markers));
  }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-figure"));
    if (!source) return Promise.resolve();
    var figure = JSON.parse(source.textContent);
    var ready = el.hasAttribute("data-topojson") ? loadTopojson(el.getAttribute("data-topojson")) : Promise.resolve();
    return ready
      .then(function () {
        var config = Object.assign({}, CONFIG);
        if (el.hasAttribute("data-topojson")) {
          var url = el.getAttribute("data-topojson");
          config.topojsonURL = url.substring(0, url.lastIndexOf("/") + 1);
        }
        return window.Plotly.newPlot(el, figure.data, figure.layout, config);
      })
      .then(function () {
        countDrawn(el);
        // Milliseconds from navigation start to this chart drawn, for the benchmark.
        el.setAttribute("data-drawn-ms", String(Math.round(window.performance.now())));
        el.setAttribute("data-drawn", "true");
      })
      .catch(function (error) {
        el.setAttribute("data-drawn", "error");
        el.textContent = "The chart could not be drawn (" + error.message + "). The table on this page has the same data.";
      });
  }

  function start() {
    if (!window.Plotly) return;
    document.querySelectorAll("[data-figure]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
