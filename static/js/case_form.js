/* The request form never loses what was typed (docs/domain.md#nothing-typed-is-lost):
   - leaving the page with unsaved changes asks first (the browser's own prompt, and ours on the app's links);
   - a draft is saved every 30 s while something changed, and when the tab is hidden; the first save creates it;
   - a copy of the form is kept in this tab (sessionStorage: gone when the tab closes) after each change. If the
     session has expired, the save is refused and the clinician signs in again; back on the form, the copy is sent
     to the server, which draws the form again from it (rows included), and the clinician saves it;
   - a file can be attached before the first save: the draft is saved (created) first, then the file is sent.
   No inline script (strict CSP): everything is here and reads its texts from the form's data attributes. */
(function () {
  "use strict";

  var form = document.getElementById("case-form");
  if (!form) { return; }
  var PREFIX = "tigre:case-form:";
  var MAX_AGE_MS = 12 * 3600 * 1000;
  var msg = form.dataset;
  var dirty = false;
  var leaving = false;
  var saving = null;
  var generation = 0;
  var stopped = false;
  var snapshotTimer = null;

  function storageKey() { return PREFIX + form.dataset.storageKey; }

  function fields() {
    var out = [];
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "form_token" || name === "case_pk" || name === "action") { return; }
      if (typeof value === "string") { out.push([name, value]); }
    });
    return out;
  }

  function same(a, b) {
    var key = function (pair) { return pair[0] + "\u0000" + pair[1]; };
    return JSON.stringify(a.map(key).sort()) === JSON.stringify(b.map(key).sort());
  }

  function readCopy(key) {
    try {
      var copy = JSON.parse(window.sessionStorage.getItem(key) || "null");
      return copy && Array.isArray(copy.fields) ? copy : null;
    } catch (e) { return null; }
  }

  function writeCopy() {
    try {
      window.sessionStorage.setItem(storageKey(), JSON.stringify({
        token: form.dataset.formToken || "", at: Date.now(), fields: fields()
      }));
    } catch (e) { /* storage full or refused: the periodic save still runs */ }
  }

  function dropCopy(key) {
    try { window.sessionStorage.removeItem(key || storageKey()); } catch (e) { /* nothing kept */ }
  }

  function status(text) {
    var box = document.getElementById("autosave-status");
    if (box) { box.textContent = text; }
  }

  function notice(text, kind, withLogin) {
    var box = document.getElementById("draft-notice");
    if (!box) { return; }
    box.className = "alert alert-" + (kind || "info");
    box.textContent = text;
    if (withLogin) {
      var link = document.createElement("a");
      link.href = msg.loginUrl + "?next=" + encodeURIComponent(window.location.pathname);
      link.className = "alert-link ms-2";
      link.dataset.keepsCopy = "1";
      link.textContent = msg.msgLogin;
      box.appendChild(link);
    }
    box.focus();
  }

  function changed() {
    dirty = true;
    generation += 1;
    window.clearTimeout(snapshotTimer);
    snapshotTimer = window.setTimeout(writeCopy, 400);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  function expired(response) {
    var type = response.headers.get("Content-Type") || "";
    return response.redirected || type.indexOf("application/json") === -1;
  }

  function sessionExpired() {
    stopped = true;
    writeCopy();
    status("");
    notice(msg.msgExpired, "warning", true);
  }

  // A new form that has just been saved becomes its draft: later saves, the page's address, the attachments.
  function adopt(data) {
    if (form.dataset.storageKey === "new") {
      var copy = readCopy(storageKey());
      dropCopy();
      form.dataset.storageKey = "case:" + data.pk;
      if (copy) { try { window.sessionStorage.setItem(storageKey(), JSON.stringify(copy)); } catch (e) { /* */ } }
      form.setAttribute("action", data.edit_url);
      if (!form.querySelector("input[name=case_pk]")) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = "case_pk";
        input.value = data.pk;
        form.appendChild(input);
      }
      window.history.replaceState(null, "", data.edit_url);
    }
    document.querySelectorAll("form[data-draft-attach]").forEach(function (attach) {
      attach.action = data.attachment_url;
    });
  }

  // Save the draft now; resolves with the server's answer (or null when it could not be saved).
  function save() {
    if (stopped) { return Promise.resolve(null); }
    if (saving) { return saving; }
    var sent = generation;
    var body = new FormData(form);
    body.set("action", "save");
    status(msg.msgSaving);
    saving = window.fetch(msg.autosaveUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        if (expired(response)) { sessionExpired(); return null; }
        return response.json().then(function (data) {
          if (!response.ok) {
            stopped = true;
            status("");
            notice(data.error || msg.msgFailed, "danger");
            return null;
          }
          adopt(data);
          if (generation === sent) {
            dirty = false;
            dropCopy();
          }
          status(msg.msgSaved + " " + data.saved_at + ".");
          return data;
        });
      })
      .catch(function () { status(msg.msgFailed); return null; })
      .then(function (result) { saving = null; return result; });
    return saving;
  }

  var seconds = parseInt(msg.autosaveSeconds, 10) || 30;
  window.setInterval(function () { if (dirty) { save(); } }, seconds * 1000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty) { save(); }
  });

  // Leaving with unsaved changes: the browser asks (closing, reloading, typing another address)...
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !leaving) {
      writeCopy();
      event.preventDefault();
      event.returnValue = "";
    }
  });
  form.addEventListener("submit", function () { leaving = true; writeCopy(); });
  // ...and the app's own links ask in French.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || !dirty || leaving || event.defaultPrevented) { return; }
    var href = link.getAttribute("href");
    if (!href || href.charAt(0) === "#" || link.target === "_blank" || link.hasAttribute("download")) { return; }
    if (link.dataset.keepsCopy) { leaving = true; return; }
    if (window.confirm(msg.msgLeave)) {
      leaving = true;
    } else {
      event.preventDefault();
    }
  }, true);

  // A file before the first save: save (create) the draft, then send the file; the panel is drawn again.
  document.addEventListener("submit", function (event) {
    var attach = event.target;
    if (!(attach instanceof HTMLFormElement) || !attach.hasAttribute("data-draft-attach")) { return; }
    event.preventDefault();
    var ready = (form.dataset.storageKey === "new" || dirty) ? save() : Promise.resolve({ attachment_url: attach.action });
    ready.then(function (data) {
      if (!data || !data.attachment_url) {
        if (!stopped) { notice(msg.msgAttachFailed, "danger"); }
        return;
      }
      var body = new FormData(attach);
      return window.fetch(data.attachment_url, {
        method: "POST", body: body, credentials: "same-origin", headers: { "HX-Request": "true" }
      }).then(function (response) {
        if (response.redirected) { sessionExpired(); return; }
        return response.text().then(function (html) {
          var panel = document.getElementById("attachments-panel");
          panel.innerHTML = html;
          if (window.htmx) { window.htmx.process(panel); }
        });
      });
    }).catch(function () { notice(msg.msgAttachFailed, "danger"); });
  });

  // Back on the form: a copy of this tab that differs from what the server shows was never saved: draw it again.
  function restore(copy) {
    var body = new FormData();
    copy.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
    body.set("csrfmiddlewaretoken", csrf ? csrf.value : "");
    body.set("action", "restore");
    var pk = form.querySelector("input[name=case_pk]");
    if (pk) { body.set("case_pk", pk.value); }
    if (copy.token) { body.set("form_token", copy.token); }
    window.fetch(form.getAttribute("action"), { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok || response.redirected) { dropCopy(); return; }
        return response.text().then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("case-form");
          if (!fresh) { return; }
          form.innerHTML = fresh.innerHTML;
          if (copy.token && form.dataset.storageKey === "new") {
            var token = form.querySelector("input[name=form_token]");
            if (token) { token.value = copy.token; }
            form.dataset.formToken = copy.token;
          }
          if (window.htmx) { window.htmx.process(form); }
          document.dispatchEvent(new Event("tigre:form-restored"));
          dirty = true;
          generation += 1;
          writeCopy();
          notice(msg.msgRestored, "info");
        });
      })
      .catch(function () { /* the copy stays for the next visit */ });
  }

  (function onLoad() {
    // A new form's copy that became this draft (its first save succeeded) is this draft's now.
    var fresh = readCopy(PREFIX + "new");
    if (fresh && form.dataset.storageKey !== "new" && fresh.token && fresh.token === form.dataset.formToken) {
      dropCopy(PREFIX + "new");
    }
    var copy = readCopy(storageKey());
    if (!copy) { return; }
    if (Date.now() - copy.at > MAX_AGE_MS || same(copy.fields, fields())) {
      dropCopy();
      return;
    }
    restore(copy);
  })();
})();
