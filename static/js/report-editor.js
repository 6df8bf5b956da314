// The report editor saves a draft by itself: every few seconds while something changed,
// when the person leaves a field, and when the page is hidden or closed (a beacon).
// Until the server has it, what was typed is also kept in this browser (localStorage),
// so that a lost connection or a crashed browser loses nothing; the copy is removed as
// soon as the server confirms the save. A conflict (someone else saved meanwhile)
// stops the saving until the person chooses a version. The page never conflicts with
// its own saves: a submission waits for the save on its way, and a reload that
// overtakes the last save asks the server where the text is before saving again.
(function () {
  "use strict";
  var EVERY_MS = 3000;
  var CHECK_MS = 500;
  var CHECKS = 4;
  var dirty = false;
  var paused = false;
  var checking = false;
  var unanswered = false; // a save (request or beacon) left without its answer yet

  function editor() { return document.getElementById("report-form"); }
  function enabled(form) { return form && form.dataset.autosave === "true" && !paused; }

  function fields(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || el.type === "submit" || el.type === "button") return;
      values[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    return values;
  }

  // `sent`: a save on this version left without an answer: the server may have it.
  function keep(form) {
    try {
      localStorage.setItem(form.dataset.storageKey, JSON.stringify({
        version: form.elements.version.value, values: fields(form), sent: unanswered
      }));
    } catch (e) { /* storage full or refused: the server copy still works */ }
  }

  function forget(form) {
    try { localStorage.removeItem(form.dataset.storageKey); } catch (e) { /* nothing kept */ }
  }

  // After a crash, a lost connection or a reload: put back what the server may not have
  // received, with the version it was typed on, so that a save made meanwhile by someone
  // else is detected (both versions shown) rather than overwritten.
  function restore(form) {
    var kept;
    try { kept = JSON.parse(localStorage.getItem(form.dataset.storageKey) || "null"); } catch (e) { kept = null; }
    if (!kept || !kept.values) return;
    var changed = false;
    Object.keys(kept.values).forEach(function (name) {
      var el = form.elements[name];
      if (!el || el.type === "hidden") return;
      if (el.type === "checkbox") {
        if (el.checked !== kept.values[name]) { el.checked = kept.values[name]; changed = true; }
      } else if (el.value !== kept.values[name]) { el.value = kept.values[name]; changed = true; }
    });
    if (!changed) {
      forget(form);
    } else if (kept.sent && form.elements.version.value === String(kept.version)) {
      // A reload overtakes the save (a beacon, a request) sent when the page was left:
      // this page was read before the server saved it. Saving the copy on its old version
      // would then be refused as someone else's save: ask the server where the text is.
      checking = true;
      check(form, kept, 0);
    } else {
      resume(form, kept.version, true);
    }
  }

  function check(form, kept, attempt) {
    // The editor's address (the page may be the answer to a refused submission);
    // form.action would be the "Add an observation" button named "action".
    fetch(form.getAttribute("action"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var saved = new DOMParser().parseFromString(html, "text/html").getElementById("report-form");
        if (!saved || !saved.elements.version) throw new Error("no editor in the answer");
        var version = saved.elements.version.value;
        if (version === String(kept.version) && attempt < CHECKS) {
          setTimeout(function () { check(form, kept, attempt + 1); }, CHECK_MS);
        } else if (version !== String(kept.version) && same(fields(saved), kept.values)) {
          resume(form, version, false); // our own save: go on from it
        } else {
          // Our save never arrived, or someone else saved: both versions will be shown.
          resume(form, kept.version, true);
        }
      })
      .catch(function () { resume(form, kept.version, true); });
  }

  function resume(form, version, restored) {
    checking = false;
    // The server already holding this text (our own save arrived): nothing to send again,
    // unless the person typed while the page asked.
    if (restored) dirty = true;
    // A form swapped in meanwhile (an observation added) carries the saved version.
    if (!document.body.contains(form)) return;
    form.elements.version.value = version;
    if (restored) status(form, form.dataset.restored || "");
  }

  // The reasons typed to dismiss a finding are not saved with the text.
  function same(saved, kept) {
    var names = Object.keys(saved).concat(Object.keys(kept));
    return names.every(function (name) {
      return /^reason-/.test(name) || saved[name] === kept[name];
    });
  }

  function status(form, text) {
    var box = document.getElementById("save-status");
    if (box && text) box.textContent = text;
  }

  function save() {
    var form = editor();
    if (!enabled(form) || !dirty || checking) return;
    dirty = false;
    unanswered = true;
    keep(form);
    htmx.trigger(form, "autosave");
  }

  // A reason for a dismissal is not part of the report: typing it saves nothing.
  function typedInReport(form, target) {
    return form && form.contains(target) && !/^(reason|kind|text)-/.test(target.name || "");
  }
  ["input", "change"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var form = editor();
      if (!typedInReport(form, event.target)) return;
      dirty = true;
      // Only a draft that saves itself keeps a copy in the browser, and only until the
      // server has it: a correction of a submitted report is sent with its button.
      if (form.dataset.autosave === "true") keep(form);
    });
  });
  // The findings are refreshed after each save, but not one whose dismissal is being
  // written: the reason typed would be lost.
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.classList && target.classList.contains("findings") &&
        target.querySelector("details[open]")) {
      event.detail.shouldSwap = false;
    }
  });
  // A button that sends the whole form (Save, Submit the report) saves what was typed
  // itself: the save that leaving the field starts must not race it, or the later of
  // the two would be refused as someone else's concurrent edit. The field is left
  // between the press and the release of the button.
  var pressing = false;
  document.addEventListener("pointerdown", function (event) {
    var form = editor();
    var button = event.target.closest && event.target.closest("button[type=submit]");
    pressing = !!(form && button && form.contains(button) && !button.hasAttribute("hx-post"));
  }, true);
  ["pointerup", "pointercancel"].forEach(function (name) {
    document.addEventListener(name, function () {
      setTimeout(function () { pressing = false; }, 0); // after the click and its submit
    }, true);
  });
  document.addEventListener("focusout", function (event) {
    var form = editor();
    if (form && form.contains(event.target) && !pressing) save();
  });
  setInterval(save, EVERY_MS);

  function beacon() {
    var form = editor();
    if (!enabled(form) || !dirty || !navigator.sendBeacon) return;
    if (navigator.sendBeacon(form.dataset.beacon, new FormData(form))) {
      dirty = false;
      unanswered = true;
      keep(form);
    }
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") beacon();
  });
  window.addEventListener("pagehide", beacon);

  // Adding, removing or dismissing also saves what was typed.
  function fromEditor(event) {
    var form = editor();
    var elt = event.detail && event.detail.elt;
    return !!(form && elt && (elt === form || form.contains(elt)));
  }
  // Counted by request: the element that sent one may be gone when its answer comes
  // (the form swapped), and htmx then tells the answer from the element's parent.
  var inFlight = new WeakSet();
  var inFlightCount = 0;
  document.addEventListener("htmx:beforeSend", function (event) {
    if (!fromEditor(event) || !event.detail.xhr) return;
    inFlight.add(event.detail.xhr);
    inFlightCount += 1;
    unanswered = true;
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.xhr || !inFlight.delete(event.detail.xhr)) return;
    inFlightCount = Math.max(0, inFlightCount - 1);
    if (inFlightCount === 0) unanswered = false;
  });

  document.addEventListener("htmx:afterSettle", function () {
    var form = editor();
    var box = document.getElementById("save-status");
    if (!form || !box) return;
    var state = box.dataset.state;
    paused = state === "conflict";
    if (state === "saved" && !dirty) forget(form);
    if (held && inFlightCount === 0) release();
  });
  // No answer (connection lost, server down): keep the text and try again.
  ["htmx:sendError", "htmx:responseError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function () {
      var form = editor();
      dirty = true;
      if (form) { keep(form); status(form, form.dataset.offline || ""); }
    });
  });
  // Submitting with the buttons also saves: nothing left to send in the background.
  // While a save is on its way, the submission waits for its answer, which brings the
  // new version: sent at once, it would carry the old one and be refused as a conflict.
  var held = null;
  var releasing = false;
  document.addEventListener("submit", function (event) {
    var form = editor();
    if (!releasing && form && event.target === form && inFlightCount > 0 && event.submitter) {
      event.preventDefault();
      var button = held = event.submitter;
      setTimeout(function () { // no answer at all: the server will judge
        if (held === button) release();
      }, 10000);
      return;
    }
    dirty = false;
    // The text goes to the server with this request (a refusal shows it again).
    if (form && event.target === form) forget(form);
  });
  function release() {
    var form = editor();
    var button = held;
    held = null;
    if (!button || !form || paused || !form.contains(button)) return;
    releasing = true; // requestSubmit() sends its submit event at once
    try { form.requestSubmit(button); } finally { releasing = false; }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.matches && target.matches(".show-finding")) {
      var field = document.getElementById(target.dataset.field);
      if (field) {
        field.focus();
        field.setSelectionRange(Number(target.dataset.start), Number(target.dataset.end));
      }
    }
    if (target.matches && target.matches("[data-discard-local]")) {
      var form = editor();
      if (form) forget(form);
      dirty = false;
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = editor();
    if (form && form.dataset.autosave !== "true") forget(form); // a copy from its draft days
    if (form && form.dataset.autosave === "true") restore(form);
  });
})();
