// unvite's small enhancements; every page works without them.
(function () {
  "use strict";

  // Live character counters for notes, against the account's limit.
  function counters(root) {
    root.querySelectorAll("textarea[data-limit]").forEach(function (ta) {
      if (ta.dataset.bound) return;
      ta.dataset.bound = "1";
      var limit = parseInt(ta.dataset.limit, 10);
      var out = document.getElementById(ta.getAttribute("aria-describedby"));
      var update = function () {
        // Count characters as LinkedIn does (code points), not UTF-16 units.
        var n = Array.from(ta.value).length;
        out.querySelector("[data-count]").textContent = n;
        var over = n > limit;
        out.classList.toggle("over", over);
        ta.setAttribute("aria-invalid", over ? "true" : "false");
        out.lastChild.textContent = over ? " / " + limit + " characters: " + (n - limit) + " too many" : " / " + limit + " characters";
      };
      ta.addEventListener("input", update);
      update();
    });
  }

  // A select that switches the account submits its form at once.
  function autosubmit(root) {
    root.querySelectorAll("form[data-autosubmit] select").forEach(function (sel) {
      sel.addEventListener("change", function () { sel.form.submit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    counters(document);
    autosubmit(document);
  });
  document.addEventListener("htmx:afterSwap", function (e) { counters(e.target); });
})();
