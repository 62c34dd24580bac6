// Time as a control on the dashboard (issue 13, item 2): a slider over the years from the
// first arrangement to today, "previous/next change" buttons that jump to the previous or next
// day on which the shown figures change, and Play, which steps through the years. Each move fetches
// the dashboard for the new day from this site (cached like every page) and swaps in its figures,
// map, charts and citation without a page load; the URL follows, so stopping anywhere leaves a
// link to that view. The days the figures change come from "Why the number moved" (/why/, JSON),
// fetched when the bar is first approached or used.
// Without JavaScript the bar stays hidden and the date box with "Show" does the same.
(function () {
  "use strict";

  var PLAY_MS = 1500;

  function start() {
    var bar = document.querySelector("[data-timebar]");
    var form = document.getElementById("controls");
    if (!bar || !form || !window.fetch || !window.DOMParser) return;
    var slider = bar.querySelector("input[type=range]");
    var shown = bar.querySelector("[data-shown-day]");
    var prev = bar.querySelector("[data-step=prev]");
    var next = bar.querySelector("[data-step=next]");
    var play = bar.querySelector("[data-play]");
    var today = bar.getAttribute("data-today");
    var days = [];
    var loaded = null; // the promise of the days, once asked for
    var playing = null;
    var pending = null;

    function params(day) {
      var query = new URLSearchParams();
      ["economy", "basis", "evidence", "by"].forEach(function (name) {
        var field = form.elements.namedItem(name);
        if (field && field.value) query.set(name, field.value);
      });
      query.set("as_of", day);
      return query;
    }

    function current() {
      return new URLSearchParams(window.location.search).get("as_of") || form.elements.namedItem("as_of").value || today;
    }

    function show(day) {
      shown.textContent = day;
      slider.value = day.substring(0, 4);
      // Until the days are known (loadDays), both buttons stay usable.
      var known = loaded !== null && bar.hasAttribute("data-days");
      var earlier = days.filter(function (d) { return d < day; });
      var later = days.filter(function (d) { return d > day; });
      if (prev) prev.disabled = known && earlier.length === 0;
      if (next) next.disabled = known && later.length === 0;
      bar.setAttribute("data-day", day);
    }

    function go(day, push) {
      var url = bar.getAttribute("data-page-url") + "?" + params(day).toString();
      bar.setAttribute("data-loading", "true");
      var request = (pending = window
        .fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.text();
        })
        .then(function (text) {
          if (request !== pending) return; // a later move won
          var page = new DOMParser().parseFromString(text, "text/html");
          var view = document.querySelector("[data-view]");
          var fresh = page.querySelector("[data-view]");
          if (!view || !fresh) throw new Error("no figures in the page");
          view.innerHTML = fresh.innerHTML;
          var cite = document.getElementById("cite");
          var freshCite = page.getElementById("cite");
          if (cite && freshCite) cite.innerHTML = freshCite.innerHTML;
          document.title = page.title;
          form.elements.namedItem("as_of").value = day;
          if (push) {
            window.history.pushState({ asOf: day }, "", url);
          } else {
            window.history.replaceState({ asOf: day }, "", url);
          }
          show(day);
          if (window.AEOSharing) window.AEOSharing.copyButtons(view);
          if (window.AEOSorting) window.AEOSorting.within(view);
          var drawn = window.AEOCharts ? window.AEOCharts.drawIn(view) : Promise.resolve();
          return drawn.then(function () {
            bar.removeAttribute("data-loading");
          });
        })
        .catch(function (error) {
          bar.removeAttribute("data-loading");
          bar.setAttribute("data-error", error.message);
          stop();
        }));
      return request;
    }

    function yearEnd(year) {
      var day = year + "-12-31";
      return day > today ? today : day;
    }

    function stop() {
      if (playing) window.clearTimeout(playing);
      playing = null;
      play.setAttribute("aria-pressed", "false");
      play.textContent = play.getAttribute("data-play-label");
    }

    function step() {
      var year = parseInt(slider.value, 10) + 1;
      if (year > parseInt(slider.max, 10)) {
        stop();
        return;
      }
      go(yearEnd(year), false).then(function () {
        if (playing) playing = window.setTimeout(step, PLAY_MS);
      });
    }

    if (prev) prev.addEventListener("click", function () {
      loadDays().then(function () {
        var day = current();
        var earlier = days.filter(function (d) { return d < day; });
        if (earlier.length) go(earlier[earlier.length - 1], true);
      }).catch(function () {});
    });
    if (next) next.addEventListener("click", function () {
      loadDays().then(function () {
        var day = current();
        var later = days.filter(function (d) { return d > day; });
        if (later.length) go(later[0], true);
      }).catch(function () {});
    });
    // The slider moves on arrow keys and drags; the page follows when the value is let go of
    // ("change"), not on every intermediate position.
    slider.addEventListener("input", function () {
      shown.textContent = yearEnd(slider.value);
    });
    slider.addEventListener("change", function () {
      stop();
      go(yearEnd(slider.value), true);
    });
    play.addEventListener("click", function () {
      if (playing) {
        stop();
        return;
      }
      if (parseInt(slider.value, 10) >= parseInt(slider.max, 10)) slider.value = slider.min;
      play.setAttribute("aria-pressed", "true");
      play.textContent = play.getAttribute("data-pause-label");
      playing = window.setTimeout(step, 0);
    });
    window.addEventListener("popstate", function (event) {
      if (event.state && event.state.asOf) go(event.state.asOf, false);
    });

    // The days the figures change are fetched when the bar is first approached (pointer or
    // focus) or used, not on every page load: most visits never move through time, and the
    // story behind the days weighs more than the page. The ranking has no economy, so no days.
    function loadDays() {
      if (loaded) return loaded;
      if (!bar.hasAttribute("data-why-url")) {
        loaded = Promise.resolve(days);
        return loaded;
      }
      var url = bar.getAttribute("data-why-url") + "?" + params(today).toString() + "&format=json";
      loaded = window
        .fetch(url, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (story) {
          var seen = {};
          (story.rows || []).forEach(function (row) {
            if (row.date) seen[row.date] = true;
          });
          days = Object.keys(seen).sort();
          bar.setAttribute("data-days", String(days.length));
          if (!bar.hasAttribute("data-loading")) show(current());
          return days;
        })
        .catch(function (error) {
          loaded = null; // a later approach tries again
          bar.setAttribute("data-error", error.message);
          throw error;
        });
      return loaded;
    }
    bar.addEventListener("pointerenter", function () { loadDays().catch(function () {}); });
    bar.addEventListener("focusin", function () { loadDays().catch(function () {}); });

    slider.min = bar.getAttribute("data-first-year") || today.substring(0, 4);
    slider.max = today.substring(0, 4);
    bar.hidden = false;
    show(current());
    window.history.replaceState({ asOf: current() }, "", window.location.href);
    bar.setAttribute("data-ready", "true");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
