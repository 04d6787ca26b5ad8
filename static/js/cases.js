/* The request form: remove a row, accept the TAG suggestion. No inline handlers (strict CSP). */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      event.preventDefault();
      var row = remove.closest(".formset-row");
      var section = row && row.closest("[data-formset]");
      if (row) {
        row.remove();
        renumber();
      }
      if (section) {
        // Re-check the TAG rule now that a toxicity is gone.
        section.dispatchEvent(new Event("change", { bubbles: true }));
      }
      return;
    }
    var accept = event.target.closest("[data-accept-tag]");
    if (accept) {
      event.preventDefault();
      var urgent = document.querySelector("input[name='case-urgency'][value='urgent']");
      if (urgent) {
        urgent.checked = true;
        urgent.dispatchEvent(new Event("change", { bubbles: true }));
      }
      var reason = document.getElementById("id_case-urgency_reason");
      if (reason) {
        reason.closest(".urgency-reason").classList.remove("d-none");
        reason.focus();
      }
    }
  });

  // Show the urgency reason only when "urgent" is chosen.
  document.addEventListener("change", function (event) {
    if (event.target.name === "case-urgency") {
      var box = document.querySelector(".urgency-reason");
      if (box) {
        box.classList.toggle("d-none", event.target.value !== "urgent");
      }
    }
  });

  // Rows are numbered in page order ("Ligne 1", "Toxicité 2"); each toxicity's "survenue sous la ligne" offers the
  // line rows present, by those numbers (its value is the line row's index in the form).
  function renumber() {
    var lineRows = document.getElementById("line-rows");
    if (!lineRows) { return; }
    var label = lineRows.dataset.lineLabel || "Ligne";
    var choices = [];
    lineRows.querySelectorAll(":scope > .formset-row").forEach(function (row, i) {
      var number = row.querySelector(".line-number");
      if (number) { number.textContent = String(i + 1); }
      choices.push([row.id.replace("line-row-", ""), label + " " + (i + 1)]);
    });
    document.querySelectorAll("#tox-rows > .formset-row").forEach(function (row, i) {
      var number = row.querySelector(".tox-number");
      if (number) { number.textContent = String(i + 1); }
    });
    document.querySelectorAll("select[data-line-select]").forEach(function (select) {
      var current = select.value;
      while (select.options.length > 1) { select.remove(1); }
      choices.forEach(function (choice) { select.add(new Option(choice[1], choice[0])); });
      select.value = choices.some(function (choice) { return choice[0] === current; }) ? current : "";
    });
  }
  renumber();
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && (target.id === "line-rows" || target.id === "tox-rows" || target.id === "case-form")) { renumber(); }
  });
  document.addEventListener("tigre:form-restored", renumber);

  // After an htmx swap, move focus to the new row's first field (keyboard users).
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var row = event.detail.target && event.detail.target.lastElementChild;
    if (row && row.classList && row.classList.contains("formset-row")) {
      var first = row.querySelector("input, select, textarea");
      if (first) {
        first.focus();
      }
    }
  });

  // The duplicate check answers 429 with a French message past its look-up limit: show it in its panel.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status === 429 && target && target.id === "duplicate-panel") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
