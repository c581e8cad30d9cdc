// model.js is the financial-model editor's live preview. While someone types in the
// assumptions grid, the typed form is posted to /model/:id/preview (with the session's CSRF
// token in X-CSRF-Token); the server computes the plan with package finmodel (the model is
// defined once, in Go: nothing is computed here) and answers the results as an HTML fragment
// and the charts' ECharts options. The fragment replaces the results, and the options are
// patched into the charts already drawn with MariCharts.update, without a page reload.
// Invalid values get their message next to the field and the last good results stay.
(function () {
  "use strict";

  var form = document.getElementById("model-form");
  if (!form || !form.getAttribute("data-preview")) return; // read-only: nothing to preview
  var url = form.getAttribute("data-preview");
  var status = document.getElementById("model-status");
  var results = document.getElementById("model-results");
  var timer = null;
  var sent = 0; // number of the latest request
  var shown = 0; // number of the latest answer applied

  function csrfToken() {
    var el = form.querySelector('input[name="_csrf"]');
    return el ? el.value : "";
  }

  function say(text, isError) {
    if (!status) return;
    status.textContent = text || "";
    status.classList.toggle("model-status-error", !!isError);
  }

  // showErrors puts each field's message next to it and clears the others.
  function showErrors(errors) {
    form.querySelectorAll("[data-error-for]").forEach(function (el) {
      var name = el.getAttribute("data-error-for");
      var msg = errors[name] || "";
      el.textContent = msg;
      var input = document.getElementById("in-" + name);
      if (!input) return;
      if (msg) {
        input.setAttribute("aria-invalid", "true");
      } else {
        input.removeAttribute("aria-invalid");
      }
      if (input.parentElement) input.parentElement.classList.toggle("has-error", !!msg);
    });
  }

  function preview() {
    var mine = ++sent;
    say("Updating…", false);
    fetch(url, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrfToken(), "Accept": "application/json" },
    })
      .then(function (res) {
        // 401: signed out; 403: the session (and with it the form's CSRF token) expired. Only
        // a reload fixes either, so say so rather than quote a status code.
        if (res.status === 401 || res.status === 403) {
          throw new Error("your session has expired or this page is out of date: reload the page, sign in if asked, and type your changes again");
        }
        if (!res.ok) {
          // Errors come as {status, title, message}; show the message when there is one.
          return res.json().then(
            function (j) { throw new Error(j && j.message ? j.message : "the server answered " + res.status); },
            function () { throw new Error("the server answered " + res.status); });
        }
        var type = res.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") < 0) throw new Error("the server did not answer with results; reload the page");
        return res.json();
      })
      .then(function (data) {
        if (mine < shown) return; // an older answer arriving after a newer one
        shown = mine;
        showErrors(data.errors || {});
        say(data.message, !data.ok);
        if (!data.ok) return; // keep the last good results on screen
        results.innerHTML = data.results_html;
        var charts = data.charts || {};
        Object.keys(charts).forEach(function (id) {
          if (window.MariCharts) window.MariCharts.update(id, charts[id]);
        });
        form.setAttribute("data-previewed", String(mine));
      })
      .catch(function (err) {
        if (mine < shown) return; // a newer answer is already on screen
        say("Could not update the results (" + err.message + "); the results shown are from the last valid values.", true);
      });
  }

  // Typed, unsaved changes make leaving the page ask first (the browser shows its own
  // wording; the text is ignored by modern browsers but required by old ones). Saving submits
  // the form, which is the one way out that keeps them, so it clears the warning.
  var unsaved = false;
  form.addEventListener("input", function () { unsaved = true; });
  form.addEventListener("change", function () { unsaved = true; });
  form.addEventListener("submit", function () { unsaved = false; });
  window.addEventListener("beforeunload", function (e) {
    if (!unsaved) return;
    e.preventDefault();
    e.returnValue = "You have unsaved changes to this scenario.";
    return e.returnValue;
  });

  // Only the grid's values change the figures; the name and description do not.
  form.addEventListener("input", function (e) {
    var name = e.target && e.target.name;
    if (!name || !/^y\d+\./.test(name)) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(preview, 250);
  });
})();
