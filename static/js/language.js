// The home page suggests the Chinese site to a browser that prefers Chinese: a link revealed here,
// never a redirect, so every URL keeps the language it names (and cached pages stay the same for all).
(function () {
  "use strict";
  var preferred = (navigator.languages && navigator.languages[0]) || navigator.language || "";
  if (!/^zh\b/i.test(preferred)) return;
  document.querySelectorAll(".language-suggestion[data-suggest^='zh']").forEach(function (element) {
    element.hidden = false;
  });
})();
