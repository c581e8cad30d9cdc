// ops.js refreshes the operations dashboard in place: every 5 s it fetches the JSON at the
// page's data-ops-data address (same origin), patches the existing charts through
// MariCharts.update (charts.js), rewrites the numerals, and shows how fresh the data is.
// A panel whose source is down says so and recovers by itself at a later poll.
(function () {
  "use strict";

  var POLL_MS = 5000;
  var AMBER_S = 60;   // amber after 1 minute without new events
  var RED_S = 300;    // red after 5 minutes

  var root = document.querySelector("[data-ops-data]");
  if (!root) return;
  var url = root.getAttribute("data-ops-data");

  var ageAtFetch = null; // newest event's age (s) at the last successful fetch
  var fetchedAt = 0;     // Date.now() of that fetch
  var timer = null;

  function setText(field, value) {
    root.querySelectorAll('[data-ops-field="' + field + '"]').forEach(function (el) {
      if (el.textContent !== value) el.textContent = value;
    });
  }

  function humanAge(s) {
    s = Math.max(0, Math.floor(s));
    if (s < 60) return s + "s ago";
    if (s < 3600) return Math.floor(s / 60) + "m " + String(s % 60).padStart(2, "0") + "s ago";
    return Math.floor(s / 3600) + "h " + String(Math.floor((s % 3600) / 60)).padStart(2, "0") + "m ago";
  }

  function setDot(state) {
    var dot = root.querySelector("[data-ops-dot]");
    if (!dot) return;
    ["ops-fresh", "ops-amber", "ops-red", "ops-unknown"].forEach(function (c) {
      dot.classList.toggle(c, c === "ops-" + state);
    });
    root.setAttribute("data-ops-freshness", state);
  }

  // tick ages the newest event between polls, so a stalled stream (or a dead server) turns
  // the indicator amber, then red, on time.
  function tick() {
    if (ageAtFetch === null) {
      setDot("unknown");
      return;
    }
    var age = ageAtFetch + (Date.now() - fetchedAt) / 1000;
    setText("newest.age", humanAge(age));
    setDot(age >= RED_S ? "red" : age >= AMBER_S ? "amber" : "fresh");
  }

  function showSource(message) {
    var el = root.querySelector("[data-ops-source]");
    if (!el) return;
    if (message) {
      var reason = el.querySelector("[data-ops-source-reason]");
      if (reason) reason.textContent = message;
      el.hidden = false;
    } else {
      el.hidden = true;
    }
    root.setAttribute("data-ops-source-down", message ? "true" : "false");
  }

  // showAlerts rewrites the banner of firing alert rules (built with the DOM, never from
  // markup: rule names are typed by people).
  function showAlerts(a) {
    var el = root.querySelector("[data-ops-alerts]");
    if (!el || !a) return;
    var key = JSON.stringify(a);
    if (el.getAttribute("data-ops-alerts-shown") === key) return;
    el.setAttribute("data-ops-alerts-shown", key);
    el.hidden = !a.title;
    el.classList.toggle("ops-alerts-loud", a.loud > 0);
    var title = el.querySelector("[data-ops-alerts-title]");
    if (title) title.textContent = a.title || "";
    var list = el.querySelector("[data-ops-alerts-list]");
    if (!list) return;
    while (list.firstChild) list.removeChild(list.firstChild);
    (a.items || []).forEach(function (i) {
      var li = document.createElement("li");
      if (i.silenced) li.className = "ops-alert-silenced";
      function part(cls, text) {
        var s = document.createElement("span");
        s.className = cls;
        s.textContent = text;
        li.appendChild(s);
        li.appendChild(document.createTextNode(" "));
      }
      part("ops-alert-name", i.name);
      part("ops-alert-since", "since " + i.sinceSast);
      if (i.silenced) part("ops-alert-since", "(silenced)");
      part("ops-alert-detail", i.detail);
      list.appendChild(li);
    });
  }

  function apply(j) {
    Object.keys(j.text || {}).forEach(function (k) { setText(k, j.text[k]); });
    showAlerts(j.alerts);
    Object.keys(j.panels || {}).forEach(function (id) {
      var p = j.panels[id];
      var panel = root.querySelector('[data-ops-panel="' + id + '"]');
      if (panel) {
        panel.classList.toggle("ops-panel-down", !!p.unavailable);
        var msg = panel.querySelector("[data-ops-unavailable]");
        if (msg) {
          msg.hidden = !p.unavailable;
          var reason = msg.querySelector("[data-ops-reason]");
          if (reason && p.unavailable) reason.textContent = p.unavailable;
        }
      }
      if (p.update && window.MariCharts) window.MariCharts.update("chart-ops-" + id, p.update);
    });
    showSource(j.unavailable && j.unavailable.length ? j.sourceMessage || "some panels failed" : "");
    if (typeof j.newestAgeSeconds === "number") {
      ageAtFetch = j.newestAgeSeconds;
      fetchedAt = Date.now();
    }
    root.setAttribute("data-ops-updated", j.updatedSast || "");
    tick();
  }

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store", redirect: "manual", headers: { Accept: "application/json" } })
      .then(function (res) {
        if (res.status === 404) throw new Error("this display link is no longer valid");
        if (res.type === "opaqueredirect" || res.status === 401 || res.status === 403) throw new Error("signed out: reload the page to sign in");
        if (!res.ok) {
          // Errors come as {status, title, message}; show the message when there is one.
          return res.json().then(
            function (j) { throw new Error(j && j.message ? j.message : "the server answered " + res.status); },
            function () { throw new Error("the server answered " + res.status); });
        }
        return res.json();
      })
      .then(apply)
      .catch(function (err) {
        showSource(err && err.message ? err.message : "the server did not answer");
        tick();
      })
      .then(function () { timer = setTimeout(poll, POLL_MS); });
  }

  // Start from the numbers the page was rendered with, then poll.
  var initialAge = root.getAttribute("data-ops-age");
  if (initialAge !== null && initialAge !== "") {
    ageAtFetch = Number(initialAge);
    fetchedAt = Date.now();
  }
  setInterval(tick, 1000);
  timer = setTimeout(poll, POLL_MS);
})();
