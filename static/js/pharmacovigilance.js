/* Pharmacovigilance workspace: select-all for bulk actions; show the declaration fields only when needed. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var all = document.getElementById("pv-select-all");
    if (all) {
      all.addEventListener("change", function () {
        document.querySelectorAll(".pv-select").forEach(function (box) { box.checked = all.checked; });
      });
    }
    document.querySelectorAll("form.pv-transition").forEach(function (form) {
      var select = form.querySelector(".pv-to");
      var block = form.querySelector(".pv-when-declared");
      if (!select || !block) { return; }
      var sync = function () { block.hidden = select.value !== "declared"; };
      select.addEventListener("change", sync);
      sync();
    });
  });
})();
