// The period chooser shows only the fields of the chosen kind of period (without JavaScript, all of them show and
// the server ignores those that do not apply).
(function () {
  "use strict";
  var FIELDS = {
    month: ["periode", "annee", "mois"],
    quarter: ["periode", "annee", "trimestre"],
    year: ["periode", "annee"],
    custom: ["periode", "du", "au"],
  };
  function update(form) {
    var kind = form.querySelector("[name=periode]").value || "year";
    var shown = FIELDS[kind] || FIELDS.year;
    form.querySelectorAll("[data-period-field]").forEach(function (el) {
      el.hidden = shown.indexOf(el.getAttribute("data-period-field")) === -1;
    });
  }
  document.querySelectorAll("[data-period-form]").forEach(function (form) {
    var select = form.querySelector("[name=periode]");
    if (!select) return;
    select.addEventListener("change", function () { update(form); });
    update(form);
  });
})();
