/* Agenda page: confirmations, fresh version after an htmx swap, keyboard focus kept on the moved item. */
(function () {
  "use strict";

  // Forms with data-confirm ask before submitting (no inline handlers: strict CSP).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  var lastFocusId = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var active = document.activeElement;
    lastFocusId = active && active.id ? active.id : null;
  });

  document.addEventListener("htmx:afterSwap", function () {
    var agenda = document.getElementById("agenda");
    if (!agenda) { return; }
    // Forms outside the agenda block (publish, add, coordinators) must carry the new version too.
    var version = agenda.dataset.version;
    document.querySelectorAll("input[data-agenda-version]").forEach(function (input) {
      input.value = version;
    });
    if (lastFocusId) {
      var again = document.getElementById(lastFocusId);
      if (again && !again.disabled) {
        again.focus();
      } else if (again) {
        // Moved to the top or bottom: its arrow is now disabled, focus the other one.
        var other = again.closest("tr").querySelector("button:not([disabled])");
        if (other) { other.focus(); }
      }
    }
  });
})();
