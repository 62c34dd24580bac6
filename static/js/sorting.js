// Sortable tables: every column of a table marked data-sortable sorts when its heading's button is
// pressed (again for the reverse order), by the cells' text in the page's language (Chinese names
// in pinyin order), by number where every cell is a number, and by the ISO date of a <time>.
// data-sort-initial="N" sorts by column N on load (partner tables: by name, not by code).
// Without JavaScript the tables keep the server's order.
(function () {
  "use strict";

  function key(cell) {
    if (!cell) return "";
    if (cell.hasAttribute("data-sort")) return cell.getAttribute("data-sort");
    var time = cell.querySelector("time[datetime]");
    if (time) return time.getAttribute("datetime");
    return (cell.textContent || "").trim();
  }

  function sortable(table) {
    var head = table.tHead && table.tHead.rows[0];
    var body = table.tBodies[0];
    if (!head || !body) return;
    var collator = new Intl.Collator(document.documentElement.lang || undefined, { numeric: true, sensitivity: "base" });
    var headings = Array.prototype.slice.call(head.cells);

    function sortBy(index, descending) {
      var rows = Array.prototype.slice.call(body.rows);
      var keys = rows.map(function (row) { return key(row.cells[index]); });
      var numeric = keys.every(function (k) { return k === "" || k === "–" || !isNaN(Number(k)); });
      var order = rows.map(function (row, i) { return i; });
      order.sort(function (a, b) {
        var x = keys[a], y = keys[b], result;
        if (numeric) {
          result = (Number(x) || 0) - (Number(y) || 0);
        } else if (x === "" || y === "") {
          result = x === y ? 0 : x === "" ? 1 : -1; // empty cells last
        } else {
          result = collator.compare(x, y);
        }
        return (descending ? -result : result) || a - b;
      });
      order.forEach(function (i) { body.appendChild(rows[i]); });
      headings.forEach(function (th, i) {
        if (i === index) th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        else th.removeAttribute("aria-sort");
      });
    }

    headings.forEach(function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        sortBy(index, th.getAttribute("aria-sort") === "ascending");
      });
    });
    var initial = table.getAttribute("data-sort-initial");
    if (initial !== null) sortBy(parseInt(initial, 10), false);
  }

  function within(root) {
    root.querySelectorAll("table[data-sortable]").forEach(sortable);
  }

  window.AEOSorting = { within: within };

  function start() {
    within(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
