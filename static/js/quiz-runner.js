/* Quiz runner: countdown from the server's seconds_left, autosave of each answer,
 * unsent answers kept in localStorage while offline and resent, resume after reload.
 * Without this script the page is one plain form that still works. */
(function () {
  "use strict";

  var form = document.getElementById("quiz-form");
  if (!form || !window.fetch) return;

  var attemptId = form.dataset.attempt;
  var api = form.dataset.api.replace(/\/$/, "");
  var storeKey = "cchc-attempt-" + attemptId;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var countdown = document.getElementById("countdown");
  var announcer = document.getElementById("quiz-announcer");
  var connection = document.getElementById("connection-status");
  var answeredCount = document.getElementById("answered-count");
  var submitting = false;
  var flushing = null;

  // ---- local store of unsent answers -------------------------------------------
  function load() {
    try {
      return JSON.parse(window.localStorage.getItem(storeKey)) || { pending: {}, prediction: "" };
    } catch (e) {
      return { pending: {}, prediction: "" };
    }
  }
  function save(state) {
    try {
      window.localStorage.setItem(storeKey, JSON.stringify(state));
    } catch (e) { /* private mode: answers are still sent right away */ }
  }
  var state = load();

  // ---- helpers ------------------------------------------------------------------
  function fieldsetOf(questionId) {
    return form.querySelector('fieldset[data-question="' + questionId + '"]');
  }
  function chosen(fieldset) {
    return Array.prototype.map.call(fieldset.querySelectorAll("input:checked"), function (input) {
      return parseInt(input.value, 10);
    });
  }
  function mark(questionId, status) {
    var fieldset = fieldsetOf(questionId);
    if (!fieldset) return;
    var label = fieldset.querySelector(".save-state");
    var messages = { saved: form.dataset.msgSaved, saving: form.dataset.msgSaving,
                     pending: form.dataset.msgPending, refused: form.dataset.msgRefused };
    label.dataset.state = status;
    label.textContent = messages[status] || "";
  }
  function updateAnsweredCount() {
    var count = 0;
    form.querySelectorAll("fieldset[data-question]").forEach(function (fieldset) {
      if (fieldset.querySelector("input:checked")) count += 1;
    });
    answeredCount.textContent = count;
  }
  function showConnection(message) {
    connection.hidden = !message;
    connection.textContent = message || "";
  }

  // ---- sending ---------------------------------------------------------------------
  function send(questionId, choices) {
    mark(questionId, "saving");
    return fetch(api + "/answers/" + questionId + "/", {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify({ choices: choices })
    }).then(function (response) {
      if (response.ok) {
        if (JSON.stringify(state.pending[questionId]) === JSON.stringify(choices)) {
          delete state.pending[questionId];
          save(state);
        }
        mark(questionId, "saved");
        return "ok";
      }
      if (response.status === 429 || response.status >= 500) {
        // busy or briefly unavailable (503 while the database restarts): keep it, send it again later
        mark(questionId, "pending");
        return "offline";
      }
      if (response.status === 409 || response.status === 404) {
        // finished or past the deadline: the server decides; show the result
        delete state.pending[questionId];
        save(state);
        window.location.reload();
        return "finished";
      }
      delete state.pending[questionId];
      save(state);
      mark(questionId, "refused");
      return "refused";
    }, function () {
      mark(questionId, "pending");
      showConnection(form.dataset.msgOffline);
      return "offline";
    });
  }

  function flush() {
    if (flushing) return flushing;
    var ids = Object.keys(state.pending);
    if (!ids.length) return Promise.resolve(true);
    flushing = ids.reduce(function (chain, questionId) {
      return chain.then(function (allOk) {
        return send(questionId, state.pending[questionId]).then(function (result) {
          return allOk && result !== "offline";
        });
      });
    }, Promise.resolve(true)).then(function (allOk) {
      flushing = null;
      if (allOk && !Object.keys(state.pending).length) {
        if (!connection.hidden) showConnection(form.dataset.msgOnline);
        window.setTimeout(function () { if (!Object.keys(state.pending).length) showConnection(""); }, 4000);
      }
      return allOk;
    });
    return flushing;
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-question]");
    if (fieldset) {
      var questionId = fieldset.dataset.question;
      state.pending[questionId] = chosen(fieldset);
      save(state);
      updateAnsweredCount();
      flush();
    } else if (event.target.name === "prediction") {
      state.prediction = event.target.value;
      save(state);
    }
  });

  // ---- resume: answers not yet sent last time win over the server's copy -----------
  Object.keys(state.pending).forEach(function (questionId) {
    var fieldset = fieldsetOf(questionId);
    if (!fieldset) { delete state.pending[questionId]; return; }
    fieldset.querySelectorAll("input[type=radio], input[type=checkbox]").forEach(function (input) {
      input.checked = state.pending[questionId].indexOf(parseInt(input.value, 10)) !== -1;
    });
    mark(questionId, "pending");
  });
  var prediction = form.querySelector("input[name=prediction]");
  if (prediction && !prediction.value && state.prediction) prediction.value = state.prediction;
  updateAnsweredCount();
  flush();

  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { showConnection(form.dataset.msgOffline); });
  window.setInterval(function () { if (Object.keys(state.pending).length) flush(); }, 10000);

  // With autosave there is nothing to "save for later".
  form.querySelectorAll("[data-nojs-only]").forEach(function (element) { element.hidden = true; });

  // ---- submit: send what is pending first, then post the form -------------------------
  function submitNow() {
    if (submitting) return;
    announce(form.dataset.msgSubmitting);
    flush().then(function (allOk) {
      if (!allOk) { showConnection(form.dataset.msgOffline); return; }
      submitting = true;
      var action = document.createElement("input");
      action.type = "hidden";
      action.name = "action";
      action.value = "submit";
      form.appendChild(action);
      form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = true; });
      window.localStorage.removeItem(storeKey);
      form.submit();
    });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (prediction && !prediction.checkValidity()) {
      prediction.reportValidity();
      return;
    }
    submitNow();
  });

  // ---- countdown ----------------------------------------------------------------------
  var endsAt = Date.now() + parseInt(countdown.dataset.secondsLeft, 10) * 1000;
  var announced = {};
  function announce(message) { announcer.textContent = message; }
  function tick() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    var minutes = Math.floor(left / 60);
    var seconds = left % 60;
    countdown.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
    countdown.parentNode.classList.toggle("is-urgent", left <= 60);
    [10, 5, 2].forEach(function (mark) {
      if (minutes === mark && seconds === 0 && !announced[mark]) {
        announced[mark] = true;
        announce(form.dataset.msgMinutes.replace("%(n)s", mark));
      }
    });
    if (left === 60 && !announced[1]) { announced[1] = true; announce(form.dataset.msgMinute); }
    if (left === 0) {
      window.clearInterval(timer);
      announce(form.dataset.msgTimeup);
      // The server's deadline rules: it grades what was saved in time.
      submitNow();
    }
  }
  var timer = window.setInterval(tick, 1000);
  tick();
})();
