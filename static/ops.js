// ops.js refreshes the operations dashboard in place: every 5 s it fetches the JSON at the
// page's data-ops-data address (same origin), patches the existing charts through
// MariCharts.update (charts.js), rewrites the numerals, and shows how fresh the data is.
// A panel whose source is down says so and recovers by itself at a later poll; meanwhile the
// numbers it last had stay, dimmed, saying since when they are stale. Headline figures carry
// their alarm level (ok, amber, red) as a class and as a word.
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
  var LEVELS = ["ok", "amber", "red"];
  // lastGood is the hh:mm:ss SAST of the newest numbers shown (the last poll that had them).
  var lastGood = null;

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
      if (lastGood) message += " · dimmed numbers are from " + lastGood + " SAST";
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

  // staleNote says, on a dimmed tile or panel, since when its numbers are stale and why.
  function staleNote(el, since, why) {
    var note = el.querySelector("[data-ops-stale]");
    if (!note) return;
    // Inside a chart's "unavailable" line the note follows the reason.
    var lead = note.tagName === "SPAN" ? " · " : "";
    note.textContent = since ? lead + "stale since " + since + " SAST" + (why ? " — " + why : "") : "";
    note.hidden = !since;
  }

  // applyTiles sets each headline figure's level, or dims it: a figure whose source failed
  // keeps the number it last had (when it had one), dimmed and saying since when. It returns
  // the fields whose text must not be overwritten.
  function applyTiles(j) {
    var keep = {};
    Object.keys(j.tiles || {}).forEach(function (field) {
      var t = j.tiles[field];
      var tile = root.querySelector('[data-ops-tile="' + field + '"]');
      if (!tile) return;
      var detail = tile.querySelector(".ops-detail");
      var since = tile.getAttribute("data-ops-good-at");
      if (t.unavailable && since) {
        keep[field] = true;
        if (detail) keep[detail.getAttribute("data-ops-field")] = true;
        tile.classList.add("ops-stale");
        staleNote(tile, since, t.unavailable);
        return;
      }
      tile.classList.remove("ops-stale");
      staleNote(tile, "", "");
      if (t.unavailable) {
        tile.removeAttribute("data-ops-good-at");
      } else {
        tile.setAttribute("data-ops-good-at", j.updatedSast || "");
      }
      LEVELS.forEach(function (l) { tile.classList.toggle("ops-level-" + l, l === t.level); });
      tile.setAttribute("data-ops-level", t.level || "");
      var badge = tile.querySelector("[data-ops-badge]");
      if (badge) {
        badge.textContent = t.word || "";
        badge.hidden = !t.word;
      }
    });
    return keep;
  }

  // resizeChart fits a panel's chart to its box again once a message above it comes or goes
  // (ECharts sizes itself only with the window), which also re-applies its media queries.
  function resizeChart(panel) {
    var el = panel.querySelector("[data-echarts]");
    var chart = el && window.echarts ? window.echarts.getInstanceByDom(el) : null;
    if (chart) chart.resize();
  }

  function apply(j) {
    root.classList.remove("ops-all-stale");
    var keep = applyTiles(j);
    Object.keys(j.text || {}).forEach(function (k) { if (!keep[k]) setText(k, j.text[k]); });
    showAlerts(j.alerts);
    Object.keys(j.panels || {}).forEach(function (id) {
      var p = j.panels[id];
      var panel = root.querySelector('[data-ops-panel="' + id + '"]');
      if (panel) {
        var wasDown = panel.classList.contains("ops-panel-down");
        panel.classList.toggle("ops-panel-down", !!p.unavailable);
        if (wasDown !== !!p.unavailable) resizeChart(panel);
        // A chart that had numbers keeps them, dimmed, saying since when.
        var since = panel.getAttribute("data-ops-good-at");
        panel.classList.toggle("ops-stale", !!p.unavailable && !!since);
        staleNote(panel, p.unavailable && since ? since : "", "");
        if (!p.unavailable) panel.setAttribute("data-ops-good-at", j.updatedSast || "");
        var empty = panel.querySelector("[data-ops-empty]");
        if (empty) {
          empty.textContent = p.empty || "";
          empty.hidden = !p.empty;
        }
        var msg = panel.querySelector("[data-ops-unavailable]");
        if (msg) {
          msg.hidden = !p.unavailable;
          var reason = msg.querySelector("[data-ops-reason]");
          if (reason && p.unavailable) reason.textContent = p.unavailable;
        }
      }
      if (p.update && window.MariCharts) window.MariCharts.update("chart-ops-" + id, p.update);
    });
    if (!j.unavailable || !j.unavailable.length) lastGood = j.updatedSast || lastGood;
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
        // Nothing new arrived: every number on the screen is now stale.
        root.classList.add("ops-all-stale");
        showSource(err && err.message ? err.message : "the server did not answer");
        tick();
      })
      .then(function () { timer = setTimeout(poll, POLL_MS); });
  }

  // Start from the numbers the page was rendered with, then poll. Figures and charts the page
  // was rendered with data for are good as of the page's time.
  var updatedEl = root.querySelector('[data-ops-field="updated"]');
  var renderedAt = updatedEl ? updatedEl.textContent : "";
  if (root.getAttribute("data-ops-source-down") !== "true") lastGood = renderedAt;
  root.querySelectorAll("[data-ops-tile]").forEach(function (tile) {
    var detail = tile.querySelector(".ops-detail");
    if (detail && detail.textContent.indexOf("unavailable") !== 0) tile.setAttribute("data-ops-good-at", renderedAt);
  });
  root.querySelectorAll("[data-ops-panel]").forEach(function (panel) {
    if (!panel.classList.contains("ops-panel-down")) panel.setAttribute("data-ops-good-at", renderedAt);
  });
  var initialAge = root.getAttribute("data-ops-age");
  if (initialAge !== null && initialAge !== "") {
    ageAtFetch = Number(initialAge);
    fetchedAt = Date.now();
  }
  setInterval(tick, 1000);
  timer = setTimeout(poll, POLL_MS);
})();
