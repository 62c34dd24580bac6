// Controls: changing any parameter reloads the page with it in the URL, so every view can be shared.
(function () {
  "use strict";
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function () {
      var data = new FormData(form);
      var params = new URLSearchParams();
      data.forEach(function (value, key) {
        if (value !== "") params.append(key, value);
      });
      window.location.search = params.toString();
    });
  });
})();
