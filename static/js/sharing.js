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

  // On a phone the navigation folds under a "Menu" button (CSS hides the list while collapsed on
  // narrow screens only); without JavaScript the list simply stays open.
  function navigation() {
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("site-nav");
    if (!toggle || !nav) return;
    nav.setAttribute("data-collapsed", "true");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      nav.setAttribute("data-collapsed", String(!open));
    });
  }

  function start() {
    navigation();
    copyButtons(document);
  }

  // The Copy buttons inside `root` (the page, or a part replaced by static/js/timebar.js).
  function copyButtons(root) {
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
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

  window.AEOSharing = { copyButtons: copyButtons };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
