/* The guideline summaries beside the avis form (templates/meetings/session/_guidelines.html): a button copies a
   guideline's citation into the avis' "référentiel" field, when the form has that field. No inline script (CSP). */
(function () {
  "use strict";
  document.querySelectorAll("[data-fill-target]").forEach(function (button) {
    var target = document.querySelector(button.getAttribute("data-fill-target"));
    if (!target) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      target.value = button.getAttribute("data-fill-value");
      target.dispatchEvent(new Event("change", { bubbles: true }));
      target.focus();
    });
  });
})();
