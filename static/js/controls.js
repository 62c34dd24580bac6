// Controls: a view changes only when the user means it, and its URL always says what it shows.
//
// A form marked data-autosubmit is sent (as a GET, so the URL can be shared) on:
// - Enter in any field, or the "Show" button (the browser's own submission);
// - a choice made with the pointer: an option clicked in a select, a day clicked in a date picker.
// Never on a keystroke: arrow keys move through a select's options and typing a date fills the box,
// and neither navigates (WCAG 3.2.2). A half-typed or impossible date is never sent: the box says
// what is wrong instead. Without JavaScript the form works the same through Enter and "Show".
(function () {
  "use strict";

  function complete(form) {
    var ok = true;
    form.querySelectorAll("input[type=date]").forEach(function (box) {
      box.setCustomValidity("");
      // A partly typed date has no value but is "bad input"; a year below 1000 is a typing slip.
      if (box.validity.badInput || (box.value && !/^[1-9]\d{3}-\d{2}-\d{2}$/.test(box.value))) {
        box.setCustomValidity(box.dataset.incomplete || "Enter a complete date (YYYY-MM-DD).");
        ok = false;
      }
    });
    if (!ok) form.reportValidity();
    return ok;
  }

  function go(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value !== "") params.append(key, value);
    });
    var query = params.toString();
    if (query !== window.location.search.replace(/^\?/, "")) window.location.search = query;
  }

  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    var byPointer = false;
    form.addEventListener("pointerdown", function () { byPointer = true; }, true);
    form.addEventListener("keydown", function (event) {
      byPointer = false;
      // Enter confirms a select's option (the browser submits on Enter in text boxes only).
      if (event.key === "Enter" && event.target.tagName === "SELECT") {
        event.preventDefault();
        if (complete(form)) go(form);
      }
    }, true);
    form.addEventListener("input", function (event) {
      if (event.target.matches && event.target.matches("input[type=date]")) event.target.setCustomValidity("");
    });
    form.addEventListener("change", function () {
      if (byPointer && complete(form)) go(form);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (complete(form)) go(form);
    });
  });
})();
