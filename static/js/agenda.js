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

  // An item's "more actions" menu is loaded when it opens: place it again once filled, say so if it failed.
  document.addEventListener("htmx:afterSwap", function (event) {
    var menu = event.target;
    if (!menu.classList || !menu.classList.contains("agenda-menu")) { return; }
    var toggle = menu.parentNode.querySelector("[data-bs-toggle=dropdown]");
    var dropdown = toggle && window.bootstrap ? window.bootstrap.Dropdown.getInstance(toggle) : null;
    if (dropdown) { dropdown.update(); }
  });
  ["htmx:responseError", "htmx:sendError"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var menu = event.detail.target;
      if (menu && menu.classList && menu.classList.contains("agenda-menu")) {
        menu.textContent = menu.dataset.loadError;
        menu.classList.add("text-danger", "small");
      }
    });
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

/* Drag and drop of agenda rows (the arrows do the same from the keyboard). The new order is posted with
   the agenda version; a stale agenda gets the conflict message like any other edit. */
(function () {
  "use strict";
  var dragged = null;

  function rowOf(target) {
    return target && target.closest ? target.closest("#agenda tr[data-item]") : null;
  }

  document.addEventListener("dragstart", function (event) {
    var row = rowOf(event.target);
    if (!row || !row.draggable) { return; }
    dragged = row;
    row.classList.add("agenda-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.dataset.item);
  });

  document.addEventListener("dragover", function (event) {
    var row = rowOf(event.target);
    if (!dragged || !row || row === dragged) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    var box = row.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    row.parentNode.insertBefore(dragged, after ? row.nextSibling : row);
  });

  document.addEventListener("dragend", function () {
    if (!dragged) { return; }
    var row = dragged;
    dragged = null;
    row.classList.remove("agenda-dragging");
    var agenda = document.getElementById("agenda");
    if (!agenda || !agenda.dataset.reorderUrl || !window.htmx) { return; }
    var order = Array.prototype.map.call(agenda.querySelectorAll("tr[data-item]"), function (tr) {
      return tr.dataset.item;
    });
    window.htmx.ajax("POST", agenda.dataset.reorderUrl, {
      source: agenda,
      target: "#agenda",
      swap: "outerHTML",
      values: { version: agenda.dataset.version, order: order.join(",") }
    });
  });
})();

/* "Ajouter une demande tardive": one state per interaction. Once the secretariat has searched, the waiting list
   loaded on scroll is no longer wanted (it would replace the results); the request chosen stays chosen when the
   results are drawn again. */
(function () {
  "use strict";
  var chosen = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-pending-list")) { return; }
    var search = document.getElementById("add-search");
    if (search && search.value.trim() !== "") { event.preventDefault(); }
  });

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.name === "case" && input.closest && input.closest("#add-candidates")) { chosen = input.value; }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "add-candidates" || chosen === null) { return; }
    target.querySelectorAll("input[name=case]").forEach(function (input) {
      if (input.value === chosen) { input.checked = true; }
    });
  });
})();
