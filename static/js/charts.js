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
    // The toolbar's own image button is replaced by the page's "Download PNG/SVG" buttons, whose
    // images say what they show, as of when, and where they come from.
    modeBarButtonsToRemove: ["sendDataToCloud", "lasso2d", "select2d", "toImage"],
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

  // The toolbar (zoom, pan, reset) is for the mouse and shows only on hover: its buttons are taken
  // out of the tab order so a keyboard user does not land on invisible controls. The page's own
  // Download and Embed controls and the tables carry the same figures.
  function untabToolbar(el) {
    el.querySelectorAll(".modebar-btn, .modebar a").forEach(function (button) {
      button.setAttribute("tabindex", "-1");
    });
  }

  function countDrawn(el) {
    // Record what was drawn, for people (aria) and tests (data- attributes).
    var shapes = el.querySelectorAll(".choroplethlocation").length;
    var markers = el.querySelectorAll(".scattergeo .point, .scattergeo path.point").length;
    el.setAttribute("data-shapes-drawn", String(shapes));
    el.setAttribute("data-markers-drawn", String(markers));
  }

  // On a narrow screen a world map keeps the world's shape across the width: its height follows
  // the width, and the colour bar goes below it instead of taking a third of the width beside it.
  function fitNarrow(el, figure) {
    var width = el.clientWidth;
    if (!figure.layout || !figure.layout.geo || !width || width >= 600) return;
    figure.layout.height = Math.round(width * 0.56) + 70;
    figure.layout.margin = Object.assign({}, figure.layout.margin || {}, { b: 70 });
    (figure.data || []).forEach(function (trace) {
      if (!trace.colorbar) return;
      trace.colorbar = Object.assign({}, trace.colorbar, {
        orientation: "h",
        x: 0.5,
        xanchor: "center",
        y: 0,
        yanchor: "top",
        len: 0.9,
        thickness: 10,
        title: Object.assign({}, trace.colorbar.title || {}, { side: "top" }),
      });
    });
  }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-figure"));
    if (!source) return Promise.resolve();
    var figure = JSON.parse(source.textContent);
    fitNarrow(el, figure);
    var ready = el.hasAttribute("data-topojson") ? loadTopojson(el.getAttribute("data-topojson")) : Promise.resolve();
    return ready
      .then(function () {
        var config = Object.assign({}, CONFIG);
        // Chinese pages load plotly's own zh-CN locale (toolbar labels, month names on date axes).
        if ((document.documentElement.lang || "").indexOf("zh") === 0) config.locale = "zh-CN";
        if (el.hasAttribute("data-topojson")) {
          var url = el.getAttribute("data-topojson");
          config.topojsonURL = url.substring(0, url.lastIndexOf("/") + 1);
        }
        return window.Plotly.newPlot(el, figure.data, figure.layout, config);
      })
      .then(function () {
        untabToolbar(el);
        el.on("plotly_afterplot", function () {
          untabToolbar(el);
        });
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

  // Plotly reads a subset of HTML in the text it draws: the caption is written as characters.
  function plain(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // The chart as an image file, with its title above and its caption (as-of date, basis, evidence,
  // source URL, data version) below. Drawn by plotly off screen from a copy of the figure, so the
  // chart on the page is left as it is.
  function exportChart(el, tools, format) {
    var title = tools.getAttribute("data-title") || "";
    var note = tools.getAttribute("data-note") || "";
    var layout = JSON.parse(JSON.stringify(el.layout || {}));
    var margin = Object.assign({ l: 0, r: 0, t: 0, b: 0 }, layout.margin || {});
    var bottom = margin.b || 0;
    var width = Math.max(el.clientWidth || 0, 960);
    var height = (layout.height || el.clientHeight || 400) + 120;
    margin.t = (margin.t || 0) + 56;
    margin.b = bottom + 64;
    layout.margin = margin;
    layout.width = width;
    layout.height = height;
    layout.autosize = false;
    if (layout.showlegend !== false && (el.data || []).length > 1) {
      // In the image the legend goes to the right, leaving the space below for the caption.
      layout.legend = Object.assign({}, layout.legend || {}, { orientation: "v", x: 1.01, xanchor: "left", y: 1, yanchor: "top" });
      margin.r = (margin.r || 0) + 10;
    }
    layout.title = { text: plain(title), x: 0.01, xanchor: "left", yref: "container", y: 0.98, yanchor: "top", font: { size: 18 } };
    layout.annotations = (layout.annotations || []).concat([
      {
        xref: "paper",
        yref: "paper",
        x: 0,
        y: 0,
        xanchor: "left",
        yanchor: "top",
        yshift: -bottom - 10,
        align: "left",
        showarrow: false,
        font: { size: 11, color: "#333" },
        text: note.split("\n").map(plain).join("<br>"),
      },
    ]);
    var config = { staticPlot: true };
    if (el.hasAttribute("data-topojson")) {
      var url = el.getAttribute("data-topojson");
      config.topojsonURL = url.substring(0, url.lastIndexOf("/") + 1);
    }
    return window.Plotly.toImage({ data: el.data, layout: layout, config: config }, { format: format, width: width, height: height }).then(
      function (dataUrl) {
        var link = document.createElement("a");
        link.href = dataUrl;
        link.download = (tools.getAttribute("data-filename") || "chart") + "." + format;
        document.body.appendChild(link);
        link.click();
        link.remove();
      }
    );
  }

  function offerDownloads(root) {
    root.querySelectorAll("[data-chart-downloads]").forEach(function (tools) {
      var el = document.getElementById(tools.getAttribute("data-chart-downloads"));
      if (!el) return;
      tools.hidden = false;
      tools.querySelectorAll("button[data-format]").forEach(function (button) {
        button.addEventListener("click", function () {
          if (el.getAttribute("data-drawn") !== "true") return;
          button.disabled = true;
          exportChart(el, tools, button.getAttribute("data-format"))
            .catch(function (error) {
              tools.setAttribute("data-error", error.message);
            })
            .then(function () {
              button.disabled = false;
            });
        });
      });
    });
  }

  // Draws the figures inside `root` (the page, or a part of it replaced by static/js/timebar.js).
  function drawIn(root) {
    if (!window.Plotly) return Promise.resolve();
    var drawn = Array.prototype.map.call(root.querySelectorAll("[data-figure]"), draw);
    offerDownloads(root);
    return Promise.all(drawn);
  }

  window.AEOCharts = { drawIn: drawIn };

  function start() {
    drawIn(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
