// "Cite this view": each Copy button puts its text on the clipboard. Where the clipboard is not
// available (no permission, an insecure origin, an older browser) the text is selected instead and
// the status line says how to copy it; the page never fails for it. Without JavaScript the texts
// are there to select by hand, and the buttons stay hidden.
(function () {
  "use strict";

  function select(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function say(status, key) {
    if (status) status.textContent = status.getAttribute(key) || "";
  }

  function start() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var target = document.getElementById(button.getAttribute("data-copy"));
      if (!target) return;
      var status = button.closest("details, section, body").querySelector(".copy-status");
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = target.textContent;
        var fallback = function () {
          select(target);
          var copied = false;
          try {
            copied = document.execCommand("copy");
          } catch (error) {
            copied = false;
          }
          say(status, copied ? "data-copied" : "data-select");
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () {
            say(status, "data-copied");
          }, fallback);
        } else {
          fallback();
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
