// The language selector of the footer: choosing a language switches at once. Without JavaScript, its "OK" button
// (hidden here) submits the form.
(function () {
  "use strict";
  document.querySelectorAll("form[data-language-form]").forEach(function (form) {
    var select = form.querySelector("select");
    var button = form.querySelector("button[type=submit]");
    if (!select) {
      return;
    }
    if (button) {
      button.hidden = true;
    }
    select.addEventListener("change", function () {
      form.submit();
    });
  });
})();
