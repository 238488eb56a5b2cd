/* Forms that survive a dropped connection: every <form data-offline-draft="<draft id>">.

   As it is filled, the form is kept on the phone (localStorage), its hidden idempotency key
   with it, and it is put back when the page is opened again. It is sent with fetch: when the
   connection is down it waits and is sent again, with the same key, when the connection comes
   back (the `online` event, a timer, or the "send now" button), so the server records it once
   (core.idempotency.form_once). Files cannot be kept on the phone: chosen photos are re-sent
   only while the page stays open.

   The server answers a sent form with 204 and X-Offline-Location (go there, the draft is done;
   X-Offline-Keep-Draft keeps it), or with the page of the form and its errors, shown in place.
   The texts come from this script's data- attributes (templates/base.html, translated). */
(function () {
  "use strict";

  var text = (document.currentScript && document.currentScript.dataset) || {};
  var PREFIX = "xiangzhi.draft.";
  var RETRY_MS = [5000, 10000, 30000, 60000];
  var UNAVAILABLE = [502, 503, 504]; // a proxy in front of a restarting server: try again
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  function storageKey(form) { return PREFIX + form.dataset.offlineDraft; }

  function kept(el) {
    return el.name && !el.disabled && el.name !== "csrfmiddlewaretoken" &&
      ["file", "submit", "button", "reset", "password"].indexOf(el.type) < 0;
  }

  function fields(form) {
    var pairs = [];
    each(form.elements, function (el) {
      if (!kept(el)) return;
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) pairs.push([el.name, el.value]);
      } else if (el.type === "select-multiple") {
        each(el.selectedOptions, function (o) { pairs.push([el.name, o.value]); });
      } else {
        pairs.push([el.name, el.value]);
      }
    });
    return pairs;
  }

  // Storage may be full or refused (a private window): the form then simply works online.
  function save(form) {
    try {
      localStorage.setItem(storageKey(form), JSON.stringify({ saved: Date.now(), fields: fields(form) }));
    } catch (e) { /* not kept */ }
  }

  function load(form) {
    try { return JSON.parse(localStorage.getItem(storageKey(form)) || "null"); } catch (e) { return null; }
  }

  function forget(form) {
    try { localStorage.removeItem(storageKey(form)); } catch (e) { /* nothing kept */ }
  }

  // Put the draft's values back; true when a field the user sees changed.
  function restore(form, draft) {
    var values = {}, changed = false;
    (draft.fields || []).forEach(function (pair) {
      (values[pair[0]] = values[pair[0]] || []).push(pair[1]);
    });
    each(form.elements, function (el) {
      if (!kept(el)) return;
      var wanted = values[el.name] || [], before;
      if (el.type === "checkbox" || el.type === "radio") {
        before = el.checked;
        el.checked = wanted.indexOf(el.value) >= 0;
        changed = changed || before !== el.checked;
      } else if (el.type === "select-multiple") {
        each(el.options, function (o) {
          before = o.selected;
          o.selected = wanted.indexOf(o.value) >= 0;
          changed = changed || before !== o.selected;
        });
      } else if (wanted.length) {
        before = el.value;
        el.value = wanted.shift();
        changed = changed || (el.type !== "hidden" && before !== el.value);
      }
    });
    return changed;
  }

  // One line above the form: what happens to it, with an optional button.
  function status(form, state, message, button) {
    var box = form.previousElementSibling;
    if (!box || !box.classList.contains("offline-status")) {
      box = document.createElement("ul");
      box.className = "messages offline-status";
      box.setAttribute("role", "status");
      form.parentNode.insertBefore(box, form);
    }
    box.dataset.state = state;
    box.textContent = "";
    var line = document.createElement("li");
    line.className = "message" + (state === "waiting" ? " message-error" : "");
    line.textContent = message + " ";
    if (button) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "link-button";
      b.textContent = button.label;
      b.addEventListener("click", button.action);
      line.appendChild(b);
    }
    box.appendChild(line);
  }

  // The server's page of the form with its errors, in place of this one; it is the draft now.
  function show(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    document.title = page.title;
    document.body.replaceWith(page.body);
    if (window.htmx) window.htmx.process(document.body);
    start(true);
    window.scrollTo(0, 0);
  }

  function answer(form, response, html) {
    var next = response.headers.get("X-Offline-Location");
    form.inert = false;
    if (next) {
      if (!response.headers.get("X-Offline-Keep-Draft")) forget(form);
      window.location.assign(next);
    } else if (response.redirected) {
      window.location.assign(response.url); // such as the login page, the session having ended
    } else {
      show(html);
    }
  }

  function sender(form) {
    var body = null, busy = false, timer = null, attempt = 0;

    function wait() {
      busy = false;
      status(form, "waiting", text.waiting, { label: text.retry, action: send });
      clearTimeout(timer);
      timer = setTimeout(send, RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]);
      attempt += 1;
    }

    function send() {
      if (!body || busy) return;
      clearTimeout(timer);
      if (navigator.onLine === false) { wait(); return; }
      busy = true;
      status(form, "sending", text.sending);
      fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-Offline-Form": "1" }
      }).then(function (response) {
        if (UNAVAILABLE.indexOf(response.status) >= 0) throw new Error("unavailable");
        return response.text().then(function (html) {
          body = null;
          busy = false;
          answer(form, response, html);
        });
      }).catch(wait); // no answer (or only part of it): send the same form again later
    }

    window.addEventListener("online", send);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (body) return; // already on its way
      save(form);
      body = new FormData(form);
      if (event.submitter && event.submitter.name) {
        body.append(event.submitter.name, event.submitter.value);
      }
      form.inert = true;
      attempt = 0;
      send();
    });
  }

  function start(rendered) {
    each(document.querySelectorAll("form[data-offline-draft]"), function (form) {
      var draft = rendered ? null : load(form);
      if (rendered) {
        save(form);
      } else if (draft && restore(form, draft)) {
        status(form, "restored", text.restored, {
          label: text.discard,
          action: function () { forget(form); window.location.reload(); }
        });
      }
      form.addEventListener("input", function () { save(form); });
      form.addEventListener("change", function () { save(form); });
      sender(form);
    });
  }

  start(false);
})();
