// refresh.js is the refresh picker of the executive, growth and bank pages: off, every minute
// or every five minutes, as in Grafana. The page is rendered on the server with every panel
// loaded concurrently, so a refresh is a reload of the same URL (range, preset and sort kept):
// the "today so far" tile and every other panel come back current, each with its own
// "unavailable" if its database is down. The choice is kept per page in localStorage, so it
// survives the reload and a return visit. A reload waits while the tab is hidden (a
// background tab costs the databases nothing) and while someone is typing in a form.
(function () {
  "use strict";

  var picker = document.querySelector("[data-refresh-picker]");
  if (!picker) return;
  var select = picker.querySelector("select");
  var status = picker.querySelector(".refresh-status");
  var key = "mari.refresh." + location.pathname;
  var allowed = { "0": true, "60": true, "300": true };
  var timer = null;
  var due = 0;

  function stored() {
    try {
      var v = window.localStorage.getItem(key);
      return allowed[v] ? v : "0";
    } catch (e) {
      return "0"; // storage refused (private mode): refresh stays off
    }
  }

  function store(v) {
    try {
      if (v === "0") window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, v);
    } catch (e) { /* the choice then lasts until the page is left */ }
  }

  function busy() {
    var el = document.activeElement;
    return !!el && el !== select && /^(INPUT|TEXTAREA)$/.test(el.tagName);
  }

  function tick() {
    if (!due) return;
    var left = Math.ceil((due - Date.now()) / 1000);
    if (left > 0) {
      if (status) status.textContent = "next in " + (left >= 60 ? Math.ceil(left / 60) + " min" : left + " s");
      return;
    }
    if (document.hidden || busy()) {
      if (status) status.textContent = "waiting";
      return;
    }
    due = 0;
    if (status) status.textContent = "refreshing…";
    window.location.reload();
  }

  function start(v) {
    if (timer) clearInterval(timer);
    timer = null;
    due = 0;
    if (status) status.textContent = "";
    picker.setAttribute("data-refresh", v);
    if (v === "0") return;
    due = Date.now() + Number(v) * 1000;
    timer = setInterval(tick, 1000);
    tick();
  }

  select.value = stored();
  picker.hidden = false;
  select.addEventListener("change", function () {
    var v = allowed[select.value] ? select.value : "0";
    store(v);
    start(v);
  });
  document.addEventListener("visibilitychange", tick);
  start(select.value);
})();
